#!/usr/bin/env node
// Entry point of the `imagespec` command (package.json "bin"). Needs Node 26 (it runs TypeScript
// directly): `npx imagespec` and npm scripts put the project's Node 26 first on the PATH.
import { runCli } from './main.ts';
import { MANIFEST_LIMITS } from './manifest.ts';
import { readStreamBounded } from './bounded-read.ts';

process.exitCode = await runCli(process.argv.slice(2), {
  readStdin: () => readStreamBounded(process.stdin, MANIFEST_LIMITS.bytes),
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
});
