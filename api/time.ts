// Timestamps as the API carries them. client-node hands a Time field back as a Date or a string,
// depending on the path it came by; the controller writes strings.

/** Now, RFC 3339 to the millisecond: what the controller writes into status and annotations. */
export function nowTimestamp(): string {
  return new Date().toISOString();
}

/** A timestamp as text to the millisecond, '' when absent (an invalid Date throws). */
export function timestampText(value: string | Date | undefined): string {
  return value instanceof Date ? value.toISOString() : (value ?? '');
}

/** A timestamp as a Kubernetes Time (RFC 3339, whole seconds), undefined when absent or invalid. */
export function kubernetesTime(value: Date | string | undefined | null): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return String(value);
}
