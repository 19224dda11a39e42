// Reads checkpoint files into actions: classic and multi-part Parquet (via DuckDB read_parquet, each row
// turned to JSON), UUID-named v2 checkpoints in JSON or Parquet, and the sidecar files they point to.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sql } from '../duckdb/sql.js';
import { quoteLiteral } from '../schema/delta-schema.js';
import type { ObjectStore } from '../storage/object-store.js';
import { parseCommit, type Action, type RemoveAction } from './actions.js';
import { LOG_DIR } from './log-files.js';

const ACTION_KEYS = [
  'protocol',
  'metaData',
  'add',
  'remove',
  'txn',
  'domainMetadata',
  'checkpointMetadata',
  'sidecar',
] as const;

/** Tombstones read per JSON array (~300 bytes of JSON each: 15 MB strings). */
const REMOVE_CHUNK = 50_000;

/**
 * The actions of a checkpoint (every part, plus sidecars of a v2 checkpoint): all of them, or all but the
 * tombstones (`withTombstones` false: a reader's state; `readCheckpointTombstones` reads them when needed).
 */
export async function readCheckpointActions(
  store: ObjectStore,
  sql: Sql,
  keys: string[],
  withTombstones = true,
): Promise<Action[]> {
  const jsonKeys = keys.filter((k) => k.endsWith('.json'));
  const parquetKeys = keys.filter((k) => k.endsWith('.parquet'));
  // Appended in a loop, not `push(...list)`: a week of tombstones is more arguments than a call can take.
  const actions: Action[] = [];
  const append = (more: readonly Action[]): void => {
    for (const a of more) if (withTombstones || !a.remove) actions.push(a);
  };
  for (const key of jsonKeys) append(parseCommit(new TextDecoder().decode(await store.get(key))));
  if (parquetKeys.length > 0) append(await readParquetActions(store, sql, parquetKeys, withTombstones));
  const sidecars = actions.flatMap((a) =>
    a.sidecar ? [`${LOG_DIR}/_sidecars/${decodeURIComponent(a.sidecar.path)}`] : [],
  );
  if (sidecars.length > 0) append(await readParquetActions(store, sql, sidecars, withTombstones));
  return actions;
}

/** The tombstones (remove actions) of a checkpoint. */
export async function readCheckpointTombstones(store: ObjectStore, sql: Sql, keys: string[]): Promise<RemoveAction[]> {
  const removes: RemoveAction[] = [];
  for (const a of await readCheckpointActions(store, sql, keys)) if (a.remove) removes.push(a.remove);
  return removes;
}

/**
 * Reads Parquet files of actions (without the remove rows when `withTombstones` is false); stores DuckDB cannot
 * reach are staged to a temp directory first.
 */
export async function readParquetActions(
  store: ObjectStore,
  sql: Sql,
  keys: string[],
  withTombstones = true,
): Promise<Action[]> {
  let staged: string | undefined;
  const locations: string[] = [];
  for (const key of keys) {
    const direct = store.readableLocation(key);
    if (direct !== undefined) {
      locations.push(direct);
      continue;
    }
    staged ??= await mkdtemp(join(tmpdir(), 'lens-ckpt-'));
    const local = join(staged, `${locations.length}.parquet`);
    await writeFile(local, await store.get(key));
    locations.push(local);
  }
  try {
    const list = `[${locations.map(quoteLiteral).join(', ')}]`;
    const columns = await sql.describe(`SELECT * FROM read_parquet(${list}, union_by_name = true)`);
    const hasRemove = columns.some((c) => c.name === 'remove');
    const rows = await sql.all(
      `SELECT to_json(t)::VARCHAR AS j FROM read_parquet(${list}, union_by_name = true) t${hasRemove ? ' WHERE remove IS NULL' : ''}`,
    );
    const actions = rows.flatMap((r) => toAction(JSON.parse(String(r['j'])) as Record<string, unknown>));
    if (!hasRemove || !withTombstones) return actions;
    // Tombstones are most of a busy table's checkpoint (a week of them: ~600,000 rows): read as JSON arrays of
    // REMOVE_CHUNK, one string and one parse each, not a row object and a parse per tombstone (~3× faster), and in
    // chunks so that no string nears V8's maximum length.
    const chunks = await sql.all(
      `SELECT string_agg(to_json(remove)::VARCHAR, ',') AS j
       FROM read_parquet(${list}, union_by_name = true, filename = true, file_row_number = true)
       WHERE remove IS NOT NULL GROUP BY filename, file_row_number // ${REMOVE_CHUNK}`,
    );
    for (const chunk of chunks)
      for (const remove of JSON.parse(`[${String(chunk['j'])}]`) as RemoveAction[]) actions.push({ remove });
    return actions;
  } finally {
    if (staged) await rm(staged, { recursive: true, force: true });
  }
}

function toAction(row: Record<string, unknown>): Action[] {
  for (const key of ACTION_KEYS) {
    const value = row[key] as Record<string, unknown> | null | undefined;
    if (value === null || value === undefined) continue;
    // Parsed-stat columns are checkpoint-only conveniences; the JSON `stats` string stays authoritative.
    delete value['stats_parsed'];
    delete value['partitionValues_parsed'];
    if (key === 'add' && value['partitionValues'] === null) value['partitionValues'] = {};
    return [{ [key]: value } as Action];
  }
  return [];
}
