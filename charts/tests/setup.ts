// Global setup of `npm run test:chart`: builds the pinned Helm once, before the test files run
// (in parallel they would each start the same first build).
import { ensureHelm } from '../../e2e/helm/build.ts';

export async function globalSetup(): Promise<void> {
  await ensureHelm({ log: (line) => process.stderr.write(`${line}\n`) });
}
