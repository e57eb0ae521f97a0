// The latency distributions as an SVG chart (written by hand, no dependency): one cumulative curve
// per series on a logarithmic time axis, the goals (50 ms, 250 ms) as dashed lines.
import { percentile } from './percentiles.ts';

export interface Series {
  label: string;
  samplesMs: readonly number[];
}

const WIDTH = 820;
const HEIGHT = 440;
const MARGIN = { left: 64, right: 24, top: 40, bottom: 120 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const GOALS_MS = [50, 250];
/** Samples below 1 ms are drawn at 1 ms: the axis is logarithmic. */
const FLOOR_MS = 1;

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const fixed = (value: number) => value.toFixed(1);

/** The decades the axis spans: from 1 ms to the first power of ten at or above the largest sample (at least 1 s). */
export function decades(samples: readonly number[]): number {
  const max = Math.max(1000, ...samples);
  return Math.ceil(Math.log10(max));
}

function scales(decadeCount: number) {
  return {
    x: (ms: number) => MARGIN.left + (Math.log10(Math.max(ms, FLOOR_MS)) / decadeCount) * PLOT_W,
    y: (fraction: number) => MARGIN.top + (1 - fraction) * PLOT_H,
  };
}

/** The empirical cumulative distribution as a step line: each sample lifts the curve by 1/n. */
function curve(samples: readonly number[], x: (ms: number) => number, y: (fraction: number) => number): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const points: string[] = [`${fixed(x(sorted[0]!))},${fixed(y(0))}`];
  sorted.forEach((value, i) => {
    points.push(`${fixed(x(value))},${fixed(y(i / sorted.length))}`, `${fixed(x(value))},${fixed(y((i + 1) / sorted.length))}`);
  });
  return points.join(' ');
}

function axisLabel(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

export function renderLatencySvg(title: string, series: readonly Series[]): string {
  const count = decades(series.flatMap((s) => s.samplesMs));
  const { x, y } = scales(count);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
  ];
  for (let decade = 0; decade <= count; decade += 1) {
    const ms = 10 ** decade;
    parts.push(
      `<line x1="${fixed(x(ms))}" y1="${MARGIN.top}" x2="${fixed(x(ms))}" y2="${MARGIN.top + PLOT_H}" stroke="#ddd"/>`,
      `<text x="${fixed(x(ms))}" y="${MARGIN.top + PLOT_H + 16}" text-anchor="middle">${axisLabel(ms)}</text>`,
    );
  }
  for (const fraction of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(
      `<line x1="${MARGIN.left}" y1="${fixed(y(fraction))}" x2="${MARGIN.left + PLOT_W}" y2="${fixed(y(fraction))}" stroke="#eee"/>`,
      `<text x="${MARGIN.left - 6}" y="${fixed(y(fraction) + 4)}" text-anchor="end">${Math.round(fraction * 100)} %</text>`,
    );
  }
  for (const goal of GOALS_MS) {
    parts.push(
      `<line x1="${fixed(x(goal))}" y1="${MARGIN.top}" x2="${fixed(x(goal))}" y2="${MARGIN.top + PLOT_H}" stroke="#555" stroke-dasharray="4 3"/>`,
      `<text x="${fixed(x(goal) + 3)}" y="${MARGIN.top + 12}" fill="#555">goal ${goal} ms</text>`,
    );
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${PLOT_W}" height="${PLOT_H}" fill="none" stroke="#333"/>`,
    `<text x="${MARGIN.left + PLOT_W / 2}" y="${MARGIN.top + PLOT_H + 34}" text-anchor="middle">latency (logarithmic)</text>`,
  );
  series.forEach((one, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    if (one.samplesMs.length > 0) {
      parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${curve(one.samplesMs, x, y)}"/>`);
    }
    const p50 = percentile(one.samplesMs, 50);
    const p99 = percentile(one.samplesMs, 99);
    const summary = p50 === undefined ? 'no samples' : `n=${one.samplesMs.length}, p50 ${Math.round(p50)} ms, p99 ${Math.round(p99!)} ms`;
    const legendY = MARGIN.top + PLOT_H + 54 + i * 16;
    parts.push(
      `<line x1="${MARGIN.left}" y1="${legendY - 4}" x2="${MARGIN.left + 24}" y2="${legendY - 4}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${MARGIN.left + 30}" y="${legendY}">${escapeXml(`${one.label}: ${summary}`)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
