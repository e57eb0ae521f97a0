// Reads one sample from a registry, for tests and diagnostics: `name` may be a histogram's
// `_count` or `_sum`; `labels` must match the sample's labels exactly.
import type { Registry } from 'prom-client';

/** A sample as prom-client reports it; histogram samples name their series. */
interface Sample {
  value: number;
  labels: Record<string, string | number | undefined>;
  metricName?: string;
}

export async function sample(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const family = registry.getSingleMetric(name) ?? registry.getSingleMetric(name.replace(/_(count|sum)$/, ''));
  if (!family) throw new Error(`No metric ${name} in the registry`);
  const wanted = Object.entries(labels);
  const { values } = (await family.get()) as { values: Sample[] };
  const found = values.find(
    (value) =>
      (value.metricName ?? name) === name &&
      Object.keys(value.labels).length === wanted.length &&
      wanted.every(([key, expected]) => value.labels[key] === expected),
  );
  return found?.value;
}
