#!/usr/bin/env node
// Entry point of the `imagespec` command (package.json "bin"). Needs Node 26 (it runs TypeScript
// directly): `npx imagespec` and npm scripts put the project's Node 26 first on the PATH.
import { text } from 'node:stream/consumers';
import { runCli } from './main.ts';

process.exitCode = await runCli(process.argv.slice(2), {
  readStdin: () => text(process.stdin),
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
});
