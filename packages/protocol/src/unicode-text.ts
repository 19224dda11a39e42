// Text that can be stored as UTF-8. A JavaScript string (and so JSON's `\u` escapes, which JSON.parse accepts
// unpaired) can hold a lone UTF-16 surrogate, which has no UTF-8 form: Parquet, DuckDB's JSON reader and every
// lake engine refuse it. A regular expression in Unicode mode sees a lone surrogate as a code point of category
// Cs, and a well-formed pair as the one code point it encodes.
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Whether the text holds a lone UTF-16 surrogate (and so cannot be encoded as UTF-8). */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** The text with every lone surrogate replaced by U+FFFD, as a UTF-8 encoder would write it. */
export function replaceLoneSurrogates(text: string): string {
  return LONE_SURROGATE.test(text) ? text.replace(LONE_SURROGATES, '\uFFFD') : text;
}

/**
 * Where the first string of a parsed JSON value (a key or a value) holding a lone surrogate is, as a path from
 * the value (`.properties.title`, `.tags[2]`, `.context["a b"]`; `''` for the value itself), or undefined when
 * there is none. Iterative, so any nesting JSON.parse accepted is walked.
 */
export function findLoneSurrogate(value: unknown): string | undefined {
  return findJsonPath(value, (item) => typeof item === 'string' && hasLoneSurrogate(item), hasLoneSurrogate);
}

/**
 * Where the first number JSON.parse could not hold is (a literal such as `1e400` becomes Infinity, which JSON
 * writes as null), as a path like findLoneSurrogate's, or undefined when there is none.
 */
export function findNonFiniteNumber(value: unknown): string | undefined {
  return findJsonPath(
    value,
    (item) => typeof item === 'number' && !Number.isFinite(item),
    () => false,
  );
}

/** The path of the first leaf for which `badLeaf` holds, or of the first key for which `badKey` does. */
function findJsonPath(
  value: unknown,
  badLeaf: (item: unknown) => boolean,
  badKey: (key: string) => boolean,
): string | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [item, path] = stack.pop()!;
    if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], `${path}[${i}]`]);
    } else if (typeof item === 'object' && item !== null) {
      const keys = Object.keys(item);
      const paths = keys.map(
        (key) => `${path}${IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(replaceLoneSurrogates(key))}]`}`,
      );
      const bad = keys.findIndex(badKey);
      if (bad !== -1) return paths[bad];
      for (let i = keys.length - 1; i >= 0; i--) stack.push([(item as Record<string, unknown>)[keys[i]!], paths[i]!]);
    } else if (badLeaf(item)) return path;
  }
  return undefined;
}
