import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpPortFromLog } from './controller-log.ts';

test('the port comes from the JSON line that announces it', () => {
  const log = [
    '{"level":"info","message":"Loaded configuration","timestamp":"2025-01-01T00:00:00.000Z"}',
    '{"level":"info","message":"Serving health and metrics","paths":["/healthz","/readyz","/metrics"],"port":41234,"timestamp":"2025-01-01T00:00:00.100Z"}',
  ].join('\n');
  assert.equal(httpPortFromLog(log), 41234);
});

test('no port while the line is missing or still being written', () => {
  assert.equal(httpPortFromLog(''), undefined);
  assert.equal(httpPortFromLog('{"level":"info","message":"Serving health and metrics","po'), undefined);
  assert.equal(httpPortFromLog('{"level":"info","message":"Starting","note":"Serving health and metrics soon"}'), undefined);
});
