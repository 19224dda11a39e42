// Formulas across trend series ("A/B", "(A-B)*100"): a tiny recursive-descent evaluator over series letters,
// numbers, + - * / and parentheses. Division by zero gives null, like a missing value.

type Token = { t: 'num'; v: number } | { t: 'ref'; v: string } | { t: 'op'; v: string };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?)|([A-Z])|([-+*/()]))/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < text.trim().length && (m = re.exec(text)) !== null) {
    if (m[1] !== undefined) out.push({ t: 'num', v: Number(m[1]) });
    else if (m[2] !== undefined) out.push({ t: 'ref', v: m[2] });
    else out.push({ t: 'op', v: m[3]! });
    pos = re.lastIndex;
  }
  if (text.slice(pos).trim() !== '') throw new SyntaxError(`unexpected "${text.slice(pos).trim()[0]}" at ${pos}`);
  return out;
}

/** A compiled formula: evaluate with a value per series letter. */
export type Formula = (values: Readonly<Record<string, number | null>>) => number | null;

/** Parses `text`; throws SyntaxError naming the problem; `letters` are the series that exist. */
export function compileFormula(text: string, letters: readonly string[]): Formula {
  const tokens = tokenize(text);
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  type Node = (v: Readonly<Record<string, number | null>>) => number | null;
  const primary = (): Node => {
    const tok = tokens[i++];
    if (!tok) throw new SyntaxError('unexpected end of formula');
    if (tok.t === 'num') return () => tok.v;
    if (tok.t === 'ref') {
      if (!letters.includes(tok.v))
        throw new SyntaxError(`series ${tok.v} does not exist (series: ${letters.join(', ')})`);
      return (v) => v[tok.v] ?? null;
    }
    if (tok.v === '(') {
      const inner = sum();
      if (tokens[i++]?.v !== ')') throw new SyntaxError('missing ")"');
      return inner;
    }
    if (tok.v === '-') {
      const inner = primary();
      return (v) => {
        const x = inner(v);
        return x === null ? null : -x;
      };
    }
    throw new SyntaxError(`unexpected "${tok.v}"`);
  };
  const product = (): Node => {
    let left = primary();
    while (peek()?.t === 'op' && (peek()!.v === '*' || peek()!.v === '/')) {
      const op = tokens[i++]!.v;
      const l = left;
      const r = primary();
      left = (v) => {
        const a = l(v);
        const b = r(v);
        if (a === null || b === null) return null;
        if (op === '/') return b === 0 ? null : a / b;
        return a * b;
      };
    }
    return left;
  };
  const sum = (): Node => {
    let left = product();
    while (peek()?.t === 'op' && (peek()!.v === '+' || peek()!.v === '-')) {
      const op = tokens[i++]!.v;
      const l = left;
      const r = product();
      left = (v) => {
        const a = l(v);
        const b = r(v);
        return a === null || b === null ? null : op === '+' ? a + b : a - b;
      };
    }
    return left;
  };
  const root = sum();
  if (i !== tokens.length) throw new SyntaxError(`unexpected "${tokens[i]!.v}"`);
  return root;
}
