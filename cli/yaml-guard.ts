// Watches js-yaml while it parses, for what its result alone cannot tell: where a duplicated key
// is (its field path), and whether a sequence is about to be turned into a key string so large
// that building it would exhaust memory (`? [*a, *a, ...]` with a long aliased string).
import type { State } from 'js-yaml';

/** Counts the units of work the guards do, so tests can bound it without a clock. */
export interface WorkMeter {
  units: number;
}

/** Why a manifest is refused before it is validated; the message is the whole reason. */
export class ManifestRefused extends Error {}

/** One node being composed: where its text starts, and the values of its finished children. */
interface Frame {
  start: number;
  children: unknown[];
}

type ParserState = State & { depth: number };

/** Sequences longer than this have their key-text length remembered rather than recounted. */
const REMEMBERED_SEQUENCE_LENGTH = 64;

// What may come before a node's content: spaces and line breaks, a comment, a document marker,
// node properties (`&anchor`, `!tag`).
const BEFORE_CONTENT = /[\x20\t\r\n]+|#[^\n]*|---(?=[\x20\t\r\n]|$)|[&!][^\x20\t\r\n]*/y;

function contentStart(text: string, from: number): number {
  let at = from;
  for (;;) {
    BEFORE_CONTENT.lastIndex = at;
    if (!BEFORE_CONTENT.exec(text)) return at;
    at = BEFORE_CONTENT.lastIndex;
  }
}

function isSequenceAt(text: string, start: number): boolean {
  const at = contentStart(text, start);
  return text[at] === '[' || (text[at] === '-' && /^-(?:[\x20\t\r\n]|$)/.test(text.slice(at, at + 2)));
}

export class YamlGuard {
  private readonly frames: Frame[] = [];
  /** Per sequence: how many of its items were counted, and their length as key text. */
  private readonly keyText = new WeakMap<unknown[], { counted: number; length: number }>();
  private readonly text: string;
  private readonly keyTextLimit: number;
  private readonly meter: WorkMeter;

  constructor(text: string, keyTextLimit: number, meter: WorkMeter) {
    this.text = text;
    this.keyTextLimit = keyTextLimit;
    this.meter = meter;
  }

  readonly listener = (event: 'open' | 'close', state: State): void => {
    const { depth, position, result } = state as ParserState;
    this.meter.units++;
    if (event === 'open') {
      this.frames.length = depth - 1;
      this.frames.push({ start: position, children: [] });
      return;
    }
    this.frames.length = depth;
    this.frames.pop();
    this.frames[depth - 2]?.children.push(result);
    if (Array.isArray(result)) this.checkKeyText(result);
  };

  /**
   * js-yaml joins a sequence used as a key into a string: keep that string bounded. A sequence
   * closes again at each alias to it, so the count of a long one is kept (and extended as it
   * grows: an alias inside its own anchor sees it unfinished); a short one is simply recounted.
   */
  private checkKeyText(sequence: unknown[]): void {
    const seen = this.keyText.get(sequence) ?? { counted: 0, length: 0 };
    for (; seen.counted < sequence.length; seen.counted++) {
      this.meter.units++;
      const item = sequence[seen.counted];
      seen.length += typeof item === 'string' ? item.length + 1 : 16;
    }
    if (sequence.length > REMEMBERED_SEQUENCE_LENGTH) this.keyText.set(sequence, seen);
    if (seen.length > this.keyTextLimit) throw new ManifestRefused(`too large for an ImageSpec manifest: a sequence expands to more than ${this.keyTextLimit} characters (YAML aliases)`);
  }

  /**
   * The field path of the key js-yaml just refused as duplicated (`spec.packages.apt[1].name`):
   * it is the last key of the innermost mapping being composed.
   */
  duplicateKeyPath(): string {
    let path = '';
    this.frames.forEach((frame, index) => {
      const innermost = index === this.frames.length - 1;
      const { children } = frame;
      if (!innermost && isSequenceAt(this.text, frame.start)) {
        path += `[${children.length}]`;
        return;
      }
      // A mapping's children are its keys and values in turn; the last key is the one whose value
      // is being composed, or, innermost, the duplicated one (its value is composed too).
      const key = children[children.length - (innermost ? 2 : 1 + ((children.length + 1) % 2))];
      path += `${path === '' ? '' : '.'}${String(key)}`;
    });
    return path;
  }
}

/**
 * The size of a parsed document with every alias expanded: one unit per node plus the length of
 * its strings. YAML aliases share nodes, so a 1 KB file can stand for billions of them, which the
 * validator and JSON would each visit; this visit stops as soon as the size passes `limit`, so its
 * own work is bounded by `limit`. Throws then, or on an alias inside its own anchor (a cycle).
 */
export function checkExpandedSize(document: unknown, limit: number, meter: WorkMeter): number {
  const open = new Set<object>();
  let total = 0;
  const visit = (node: unknown): void => {
    meter.units++;
    total += typeof node === 'string' ? 1 + node.length : 1;
    if (total > limit) throw new ManifestRefused(`too large for an ImageSpec manifest: it expands to more than ${limit} nodes and characters (YAML aliases)`);
    if (node === null || typeof node !== 'object') return;
    if (open.has(node)) throw new ManifestRefused('a YAML alias refers to a node that contains it (a recursive alias)');
    open.add(node);
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
    } else {
      for (const key in node) {
        total += key.length;
        visit((node as Record<string, unknown>)[key]);
      }
    }
    open.delete(node);
  };
  visit(document);
  return total;
}
