// Background compaction of bronze.events bin-packs small files, then vacuums at the table's own retention: the
// replaced files leave the disk once no version within the retention reads them, never sooner.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { DeltaTable, type DuckDBSession } from '@lens/lake';
import { COMPACTION_FLUSH_ROWS, openCompactionDuckDB } from './compaction-duckdb.js';
import { Compactor } from './compactor.js';
import { LoaderMetrics } from './loader-metrics.js';
import { noopLogger } from './logger.js';

async function tableWithSmallFiles(retention: string): Promise<{ dir: string; table: DeltaTable }> {
  const dir = await mkdtemp(join(tmpdir(), 'lens-compactor-'));
  const table = await DeltaTable.open(dir);
  await table.create({
    columns: [{ name: 'message_id', type: 'string' }],
    properties: { 'delta.deletedFileRetentionDuration': retention },
  });
  for (const id of ['m1', 'm2', 'm3']) await table.append({ rows: [{ message_id: id }] });
  return { dir, table };
}

const parquetFiles = async (dir: string): Promise<number> =>
  (await readdir(dir)).filter((f) => f.endsWith('.parquet')).length;

for (const [retention, left] of [
  ['interval 7 days', 4], // replaced minutes ago: kept for time travel
  ['interval 0 hours', 1], // a table that keeps nothing: only the compacted file stays
] as const) {
  it(`compacts, then vacuums at the table's retention (${retention}: ${left} files left)`, async () => {
    const { dir, table } = await tableWithSmallFiles(retention);
    try {
      const compactor = new Compactor('events', dir, 1, 128 * 1024 * 1024, new LoaderMetrics(), noopLogger);
      compactor.onCommit();
      await compactor.close();
      assert.equal((await table.snapshot()).files.length, 1);
      assert.equal(await parquetFiles(dir), left);
      assert.deepEqual((await table.query()).map((r) => r['message_id']).sort(), ['m1', 'm2', 'm3']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

it('a new process compacts at its first commit, then every N commits (a loader restarted often still compacts)', async () => {
  const { dir, table } = await tableWithSmallFiles('interval 7 days');
  try {
    const compactor = new Compactor('events', dir, 100, 128 * 1024 * 1024, new LoaderMetrics(), noopLogger);
    compactor.onCommit();
    await compactor.close();
    assert.equal((await table.snapshot()).files.length, 1);
    for (const id of ['m4', 'm5']) await table.append({ rows: [{ message_id: id }] });
    const next = new Compactor('events', dir, 100, 128 * 1024 * 1024, new LoaderMetrics(), noopLogger);
    next.onCommit(); // the first commit of a process: compacted
    await next.close();
    assert.equal((await table.snapshot()).files.length, 1);
    for (const id of ['m6', 'm7']) await table.append({ rows: [{ message_id: id }] });
    next.onCommit(); // the second commit of that process: not due before 100
    await next.close();
    assert.equal((await table.snapshot()).files.length, 3);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('compacts on a DuckDB of one thread that flushes partitioned writes every 32,768 rows (the peak RSS)', async () => {
  const session = await openCompactionDuckDB();
  try {
    const [row] = await session.all(
      `SELECT current_setting('threads')::INT AS threads, current_setting('partitioned_write_flush_threshold')::INT AS rows`,
    );
    assert.deepEqual(row, { threads: 1, rows: COMPACTION_FLUSH_ROWS });
  } finally {
    session.close();
  }
});

it('opens a DuckDB for each compaction and closes it when the compaction ends (its memory goes back)', async () => {
  const { dir, table } = await tableWithSmallFiles('interval 7 days');
  try {
    let opened = 0;
    let closed = 0;
    let ended = (): void => {};
    const open = async (): Promise<DuckDBSession> => {
      const session = await openCompactionDuckDB();
      opened++;
      return {
        ...session,
        close: () => {
          session.close();
          closed++;
          ended();
        },
      };
    };
    const compactor = new Compactor('events', dir, 1, 128 * 1024 * 1024, new LoaderMetrics(), noopLogger, open);
    for (const id of ['m4', 'm5']) {
      const done = new Promise<void>((resolve) => (ended = resolve));
      compactor.onCommit();
      await done; // not compactor.close(): released by the compaction itself
      assert.equal(closed, opened);
      await table.append({ rows: [{ message_id: id }] });
      await table.append({ rows: [{ message_id: `${id}b` }] });
    }
    await compactor.close();
    assert.deepEqual([opened, closed], [2, 2]);
    assert.equal((await table.snapshot()).files.length, 3); // the second compaction's file and two appends since
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
