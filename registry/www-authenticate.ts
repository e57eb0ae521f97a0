// WWW-Authenticate challenges (RFC 9110 section 11.6.1), parsed leniently: a registry's answer
// is read as well as it can be, and whatever does not parse is skipped rather than thrown.

export interface Challenge {
  /** Lower case: 'basic', 'bearer', ... */
  scheme: string;
  /** Parameter names in lower case; quoted values unescaped. */
  params: Record<string, string>;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const WHITESPACE = /[ \t]/;

class Scanner {
  private readonly text: string;
  position = 0;

  constructor(text: string) {
    this.text = text;
  }

  get done(): boolean {
    return this.position >= this.text.length;
  }

  peek(): string {
    return this.text[this.position] ?? '';
  }

  skip(pattern: RegExp): void {
    while (!this.done && pattern.test(this.peek())) this.position++;
  }

  token(): string {
    const start = this.position;
    this.skip(TOKEN_CHAR);
    return this.text.slice(start, this.position);
  }

  /** An unquoted value: servers are not all strict, so anything up to a comma or a space. */
  bare(): string {
    const start = this.position;
    while (!this.done && this.peek() !== ',' && !WHITESPACE.test(this.peek())) this.position++;
    return this.text.slice(start, this.position);
  }

  /** A quoted string, the scanner on its opening quote; an unterminated one runs to the end. */
  quoted(): string {
    let value = '';
    this.position++;
    while (!this.done) {
      const char = this.peek();
      this.position++;
      if (char === '"') return value;
      if (char === '\\' && !this.done) {
        value += this.peek();
        this.position++;
      } else {
        value += char;
      }
    }
    return value;
  }
}

/** Every challenge in a WWW-Authenticate value (Node joins repeated headers with ", "). */
export function parseWwwAuthenticate(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  const scanner = new Scanner(header);
  let current: Challenge | undefined;
  while (!scanner.done) {
    scanner.skip(/[ \t,]/);
    if (scanner.done) break;
    const token = scanner.token();
    if (!token) {
      scanner.position++; // a character no grammar allows here
      continue;
    }
    scanner.skip(WHITESPACE);
    if (current && scanner.peek() === '=') {
      scanner.position++;
      scanner.skip(WHITESPACE);
      current.params[token.toLowerCase()] = scanner.peek() === '"' ? scanner.quoted() : scanner.bare();
    } else {
      current = { scheme: token.toLowerCase(), params: {} };
      challenges.push(current);
    }
  }
  return challenges;
}
