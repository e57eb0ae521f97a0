import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CONTROLLER_NODE_FLAGS } from './node-options.ts';

test('npm start runs the controller with its V8 flags', () => {
  const scripts = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts;
  assert.equal(scripts['start'], `node ${CONTROLLER_NODE_FLAGS.join(' ')} e2e/start.ts`);
});
