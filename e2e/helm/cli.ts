// npm run helm -- ARGS: the pinned Helm, built on first use. Progress goes to stderr; Helm's own
// output and exit code pass through. It uses the caller's KUBECONFIG and Helm configuration.
import { spawn } from 'node:child_process';
import { ensureHelm } from './build.ts';

async function main(args: string[]): Promise<number> {
  const binary = await ensureHelm({ log: (line) => process.stderr.write(`${line}\n`) });
  const child = spawn(binary, args, { stdio: 'inherit' });
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise(code ?? (signal ? 128 : 1)));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
