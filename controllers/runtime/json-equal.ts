// Equality as JSON sees it (what the API server would store), without serialising: undefined
// fields are absent, Dates are their ISO text. A status is compared on every reconcile, so this
// replaced a JSON round trip of both sides.
type Json = unknown;

function normal(value: Json): Json {
  return value instanceof Date ? value.toJSON() : value;
}

export function jsonEqual(left: Json, right: Json): boolean {
  const a = normal(left);
  const b = normal(right);
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    // NaN and Infinity become null in JSON.
    if (typeof a === 'number' && typeof b !== 'number') return !Number.isFinite(a) && b === null;
    if (typeof b === 'number' && typeof a !== 'number') return !Number.isFinite(b) && a === null;
    return typeof a === 'number' && typeof b === 'number' && !Number.isFinite(a) && !Number.isFinite(b);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as Json[];
    if (a.length !== other.length) return false;
    // In arrays JSON writes undefined as null.
    return a.every((item, i) => jsonEqual(item === undefined ? null : item, other[i] === undefined ? null : other[i]));
  }
  const x = a as Record<string, Json>;
  const y = b as Record<string, Json>;
  const keys = (o: Record<string, Json>) => Object.keys(o).filter((key) => o[key] !== undefined && typeof o[key] !== 'function');
  const xKeys = keys(x);
  if (xKeys.length !== keys(y).length) return false;
  return xKeys.every((key) => Object.hasOwn(y, key) && jsonEqual(x[key], y[key]));
}
