import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decades, escapeXml, renderLatencySvg } from './latency-svg.ts';

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

test('one curve per series with samples; an empty series is only in the legend', () => {
  const svg = renderLatencySvg('latencies', [
    { label: 'editToPod', samplesMs: [12, 30, 45, 400] },
    { label: 'podToStatus Running', samplesMs: [] },
    { label: 'podToStatus Succeeded', samplesMs: [0.4, 8] },
  ]);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
  assert.equal(count(svg, /<polyline /g), 2);
  assert.match(svg, /editToPod: n=4, p50 30 ms, p99 400 ms/);
  assert.match(svg, /podToStatus Running: no samples/);
  assert.equal(count(svg, /<text [^>]*>goal (50|250) ms<\/text>/g), 2);
});

test('a curve climbs from 0 % to 100 % in steps of 1/n and stays inside the plot', () => {
  const svg = renderLatencySvg('t', [{ label: 's', samplesMs: [5, 50, 500, 5000] }]);
  const points = /<polyline [^>]*points="([^"]+)"/.exec(svg)![1]!.split(' ').map((pair) => pair.split(',').map(Number) as [number, number]);
  assert.equal(points.length, 1 + 2 * 4);
  const ys = points.map(([, y]) => y);
  assert.deepEqual([...ys].sort((a, b) => b - a), ys, 'y never goes back down the chart');
  for (const [x] of points) assert.ok(x >= 64 && x <= 820 - 24, `x ${x} inside the plot`);
});

test('the axis spans whole decades from 1 ms, at least to 1 s', () => {
  assert.equal(decades([]), 3);
  assert.equal(decades([20, 999]), 3);
  assert.equal(decades([1001]), 4);
  assert.equal(decades([25_000]), 5);
});

test('labels are escaped', () => {
  assert.equal(escapeXml('a<b & "c">'), 'a&lt;b &amp; &quot;c&quot;&gt;');
  assert.match(renderLatencySvg('<title>', [{ label: 'x & y', samplesMs: [1] }]), /&lt;title&gt;[\s\S]*x &amp; y/);
});
