// Tombstones are read from a checkpoint in chunks of JSON arrays (fast path); every other action row by row. On
// every checkpoint Spark wrote in the golden tables (classic, multi-part, v2 with sidecars, deletion vectors) the
// actions are exactly those of a plain row-by-row read. (More tombstones than a chunk: snapshot-cache.test.ts.)
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import { createDuckDB, type DuckDBSession } from '../duckdb/sql.js';
import { quoteLiteral } from '../schema/delta-schema.js';
import { createFsObjectStore } from '../storage/fs/fs-object-store.js';
import { readParquetActions } from './checkpoint-reader.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const GOLDEN = join(repoRoot, '..', 'shared', 'fixtures', 'delta-golden');

let sql: DuckDBSession;
before(async () => {
  sql = await createDuckDB();
});
after(() => sql.close());

/** Each action as canonical JSON (keys sorted), sorted: the order of a checkpoint's rows carries no meaning. */
const canonical = (actions: readonly unknown[]): string[] => {
  const sortKeys = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sortKeys)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, sortKeys(x)]),
          )
        : v;
  return actions.map((a) => JSON.stringify(sortKeys(a))).sort();
};

/** The plain read: every row through to_json, its one non-null action kept. */
async function rowByRow(files: string[]): Promise<unknown[]> {
  const list = `[${files.map(quoteLiteral).join(', ')}]`;
  const rows = await sql.all(`SELECT to_json(t)::VARCHAR AS j FROM read_parquet(${list}, union_by_name = true) t`);
  return rows.flatMap((r) => {
    const row = JSON.parse(String(r['j'])) as Record<string, Record<string, unknown> | null>;
    for (const [key, value] of Object.entries(row)) {
      if (value === null || key === 'file_row_number' || key === 'filename') continue;
      delete value['stats_parsed'];
      delete value['partitionValues_parsed'];
      if (key === 'add' && value['partitionValues'] === null) value['partitionValues'] = {};
      return [{ [key]: value }];
    }
    return [];
  });
}

it("reads every golden checkpoint's actions as a row-by-row read does", async () => {
  const tables = await readdir(GOLDEN).catch(() => []);
  assert.ok(tables.length > 0, `the golden tables are missing: ${GOLDEN}`);
  let checked = 0;
  let tombstones = 0;
  for (const table of tables) {
    const log = join(GOLDEN, table, '_delta_log');
    const names = await readdir(log).catch(() => [] as string[]);
    const sidecars = (await readdir(join(log, '_sidecars')).catch(() => [] as string[])).filter((n) =>
      n.endsWith('.parquet'),
    );
    const groups = new Map<string, string[]>();
    for (const n of names.filter((n) => /^\d{20}\.checkpoint\..*parquet$/.test(n)))
      groups.set(n.slice(0, 20), [...(groups.get(n.slice(0, 20)) ?? []), `_delta_log/${n}`]);
    if (sidecars.length > 0)
      groups.set(
        'sidecars',
        sidecars.map((n) => `_delta_log/_sidecars/${n}`),
      );
    const store = createFsObjectStore(join(GOLDEN, table));
    for (const keys of groups.values()) {
      const fast = await readParquetActions(store, sql, keys);
      const plain = await rowByRow(keys.map((k) => join(GOLDEN, table, k)));
      assert.deepEqual(canonical(fast), canonical(plain), `${table}: ${keys.join(', ')}`);
      tombstones += fast.filter((a) => 'remove' in (a as object)).length;
      checked++;
    }
  }
  assert.ok(checked >= 15, `checked ${checked} checkpoints`);
  assert.ok(tombstones > 0, 'some golden checkpoint has tombstones');
});
