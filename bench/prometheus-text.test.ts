import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePrometheusText, sumOf } from './prometheus-text.ts';

const text = [
  '# HELP apiserver_request_total [STABLE] Counter of apiserver requests',
  '# TYPE apiserver_request_total counter',
  'apiserver_request_total{code="201",component="apiserver",dry_run="",group="imagespec.dev",resource="imagespecjobs",scope="resource",subresource="",verb="POST",version="v1alpha1"} 12',
  'apiserver_request_total{code="200",group="",resource="pods",subresource="status",verb="PATCH"} 3e+03',
  '',
  'workqueue_depth{name="imagespec"} 0',
  'workqueue_depth{name="imagespecjob"} 4',
  'process_start_time_seconds 1.7e9 1700000000000',
  'odd_label{message="a \\"quoted\\" word\\nand a \\\\ slash, {braces}"} 1',
].join('\n');

test('samples keep their name, labels and value; comments and blanks are skipped', () => {
  const samples = parsePrometheusText(text);
  assert.equal(samples.length, 6);
  assert.deepEqual(samples[0], {
    name: 'apiserver_request_total',
    labels: { code: '201', component: 'apiserver', dry_run: '', group: 'imagespec.dev', resource: 'imagespecjobs', scope: 'resource', subresource: '', verb: 'POST', version: 'v1alpha1' },
    value: 12,
  });
  assert.equal(samples[1]!.value, 3000);
  assert.deepEqual(samples[4], { name: 'process_start_time_seconds', labels: {}, value: 1.7e9 });
});

test('escaped label values are read back as written', () => {
  const odd = parsePrometheusText(text).find((sample) => sample.name === 'odd_label');
  assert.equal(odd?.labels['message'], 'a "quoted" word\nand a \\ slash, {braces}');
});

test('sumOf adds every label set of one metric', () => {
  assert.equal(sumOf(parsePrometheusText(text), 'workqueue_depth'), 4);
  assert.equal(sumOf(parsePrometheusText(text), 'no_such_metric'), 0);
});
