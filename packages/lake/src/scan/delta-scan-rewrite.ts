// Lets plain SQL read Delta tables the way DuckDB's delta extension spells it: every
// `delta_scan('PATH')` or `delta_scan('PATH', version => N)` becomes a subquery over the snapshot's files.
import { isAbsolute, resolve } from 'node:path';
import type { Sql } from '../duckdb/sql.js';
import { InvalidInputError } from '../errors.js';
import { loadSnapshot } from '../snapshot.js';
import { createFsObjectStore } from '../storage/fs/fs-object-store.js';
import { planScan } from './scan-sql.js';

const DELTA_SCAN = /delta_scan\s*\(\s*'((?:[^']|'')*)'\s*(?:,\s*version\s*(?:=>|:=)\s*(\d+)\s*)?\)/gi;
/** Any call of delta_scan, read or not: one left to DuckDB makes it try to download its delta extension. */
const ANY_DELTA_SCAN = /\bdelta_scan\s*\(/gi;

/** Rewrites every `delta_scan(...)` call in `text` into a subquery DuckDB can run; relative paths resolve against `cwd`. */
export async function rewriteDeltaScans(text: string, sql: Sql, cwd = process.cwd()): Promise<string> {
  const calls = [...text.matchAll(DELTA_SCAN)];
  const read = new Set(calls.map((m) => m.index));
  const other = [...text.matchAll(ANY_DELTA_SCAN)].find((m) => !read.has(m.index));
  if (other !== undefined) {
    const call = /^[^)]*\)?/.exec(text.slice(other.index))![0].slice(0, 120);
    throw new InvalidInputError(
      `cannot read ${call}: delta_scan takes a path in single quotes and, optionally, a version number: ` +
        `delta_scan('PATH') or delta_scan('PATH', version => 3)`,
      { call },
    );
  }
  if (calls.length === 0) return text;
  const replacements = await Promise.all(
    calls.map(async (m) => {
      const raw = (m[1] as string).replaceAll("''", "'");
      const path = isAbsolute(raw) ? raw : resolve(cwd, raw);
      const store = createFsObjectStore(path);
      const snapshot = await loadSnapshot(store, sql, m[2] === undefined ? undefined : Number(m[2]));
      return `(${(await planScan(store, sql, snapshot)).sql})`;
    }),
  );
  let out = '';
  let last = 0;
  calls.forEach((m, i) => {
    out += text.slice(last, m.index) + replacements[i];
    last = (m.index ?? 0) + m[0].length;
  });
  return out + text.slice(last);
}

/** True when the text calls delta_scan. */
export function hasDeltaScan(text: string): boolean {
  return new RegExp(DELTA_SCAN.source, 'i').test(text);
}
