// User-supplied text shown back to users (status messages, Events, CLI errors) must not carry raw
// control characters or bidirectional formatting marks: a terminal or a web console would run the
// former, and the latter reorder what is displayed (a value could be made to read as another).

// C0 controls, DEL, C1 controls, the Arabic letter mark, the left-to-right and right-to-left marks,
// the line and paragraph separators, the embeddings and overrides, and the isolates.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
const UNSAFE_EXCEPT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(char: string): string {
  return SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * The text with every control and bidirectional formatting character written as a visible
 * escape (`\n`, `\u202e`); everything else unchanged. With `keepNewlines`, line breaks stay (for
 * multi-line messages such as a failed build's last lines).
 */
export function escapeUnsafe(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(options.keepNewlines ? UNSAFE_EXCEPT_NEWLINE : UNSAFE, visible);
}
