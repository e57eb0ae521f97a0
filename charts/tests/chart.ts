// Renders the chart with the pinned Helm for the chart's tests.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { runHelm, type HelmResult } from '../../e2e/helm/run.ts';

export const chartDir = fileURLToPath(new URL('../imagespec-controller/', import.meta.url));
export const RELEASE = 'isc';
export const NAMESPACE = 'imagespec-system';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface RenderOptions {
  /** Another copy of the chart (default: the chart itself). */
  chart?: string;
  /** --set-file dotenv=<a file with this text> */
  dotenv?: string;
  /** Passed as --values (a YAML file), so lists and maps need no --set syntax. */
  values?: Record<string, unknown>;
}

/** `helm template` of the chart; resolves with Helm's result, whatever the exit code. */
export async function template(options: RenderOptions = {}): Promise<HelmResult> {
  const dir = mkdtempSync(join(tmpdir(), 'imagespec-chart-'));
  try {
    const args = ['template', RELEASE, options.chart ?? chartDir, '--namespace', NAMESPACE];
    if (options.values) {
      writeFileSync(join(dir, 'values.yaml'), yaml.dump(options.values));
      args.push('--values', join(dir, 'values.yaml'));
    }
    if (options.dotenv !== undefined) {
      writeFileSync(join(dir, '.env'), options.dotenv);
      args.push('--set-file', `dotenv=${join(dir, '.env')}`);
    }
    return await runHelm(args);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The objects `helm template` renders; throws with Helm's message when it refuses. */
export async function render(options: RenderOptions = {}): Promise<K8sObject[]> {
  const result = await template(options);
  if (result.code !== 0) throw new Error(`helm template failed (exit ${result.code}):\n${result.stderr}`);
  return (yaml.loadAll(result.stdout) as (K8sObject | null)[]).filter((doc): doc is K8sObject => doc !== null);
}

export function only(objects: readonly K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0]!;
}

/**
 * NOTES.txt as `helm install` would print it. `helm template` does not render notes, so a copy of
 * the chart gets one more template holding the notes' define in a ConfigMap.
 */
export async function renderNotes(options: RenderOptions = {}): Promise<string> {
  const copy = mkdtempSync(join(tmpdir(), 'imagespec-chart-notes-'));
  try {
    cpSync(chartDir, copy, { recursive: true });
    writeFileSync(
      join(copy, 'templates', 'notes-probe.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes-probe\ndata:\n  notes: {{ include "imagespec-controller.notes" . | quote }}\n',
    );
    const objects = await render({ ...options, chart: copy });
    return (only(objects, 'ConfigMap', 'notes-probe')['data'] as { notes: string }).notes;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
