// The fenced commit: a batch whose start is not the table's marker (a stale owner after a takeover) writes
// nothing, and two instances committing the same partition at the same moment cannot both win.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDuckDB, DeltaTable, STREAMING_TABLE_PROPERTIES, type DuckDBSession } from '@lens/lake';
import { QUARANTINE_COLUMNS } from './bronze-schema.js';
import { lakeTablePath } from './lake-table-path.js';
import { BronzeTable, serialSql } from './bronze-table.js';
import { PartitionOwnershipLostError } from './errors.js';
import { readTable, tempDataDir } from './testing/records.js';

describe('fenced batch commits', () => {
  let env: Awaited<ReturnType<typeof tempDataDir>>;
  const sessions: DuckDBSession[] = [];
  const open = async (): Promise<BronzeTable> => {
    const s = await createDuckDB();
    sessions.push(s);
    return BronzeTable.open(env.dataDir, 'quarantine', serialSql(s));
  };
  const rowsFile = async (name: string, offsets: number[]): Promise<string> => {
    const file = join(env.dataDir, `${name}.ndjson`);
    await writeFile(
      file,
      offsets
        .map((o) =>
          JSON.stringify({
            received_at: '2026-01-01T00:00:00Z',
            reason: name,
            stage: 'loader',
            raw_encoding: 'utf8',
            truncated: false,
            log_partition: 0,
            log_offset: o,
            quarantine_date: '2026-01-01',
          }),
        )
        .join('\n'),
    );
    return file;
  };
  before(async () => {
    env = await tempDataDir();
  });
  after(async () => {
    sessions.forEach((s) => s.close());
    await env.cleanup();
  });

  it("refuses a stale owner's batch and lets exactly one of two racing owners commit", async () => {
    const [a, b] = [await open(), await open()];
    assert.equal(await a.position(0), undefined);
    await a.commitBatch(0, 0, 2, await rowsFile('first', [0, 1]));
    assert.equal(await b.position(0), 2);
    // A stale owner still holding [0, 5): its start is behind the marker.
    await assert.rejects(b.commitBatch(0, 0, 5, await rowsFile('stale', [0, 1, 2, 3, 4])), PartitionOwnershipLostError);
    // Two owners racing from the same marker with different batch ends: one wins, the other writes nothing.
    // Several rounds, because without the commit lock only some interleavings let both pass the check.
    for (let round = 0, from = 2; round < 8; round++) {
      const ends = [from + 4, from + 2];
      const results = await Promise.allSettled(
        [a, b].map(async (t, i) =>
          t.commitBatch(
            0,
            from,
            ends[i]!,
            await rowsFile(
              `race-${round}-${i}`,
              Array.from({ length: ends[i]! - from }, (_, k) => from + k),
            ),
          ),
        ),
      );
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected'], `round ${round}`);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.ok(lost.reason instanceof PartitionOwnershipLostError);
      from = (await a.position(0))!;
    }
    const rows = await readTable(env.dataDir, 'bronze.quarantine', 'log_offset, reason');
    const offsets = rows.map((r) => r['log_offset']);
    assert.equal(new Set(offsets).size, offsets.length, `no offset twice: ${JSON.stringify(rows)}`);
    assert.deepEqual(
      rows.map((r) => r['reason']).filter((r) => r === 'stale'),
      [],
    );
  });
});

describe('tables created before', () => {
  it('a bronze table without the streaming properties gets them when opened, and keeps its rows', async () => {
    const env = await tempDataDir();
    const s = await createDuckDB();
    try {
      const path = lakeTablePath(env.dataDir, 'bronze.quarantine');
      const old = await DeltaTable.open(path, { sql: s });
      await old.create({
        columns: QUARANTINE_COLUMNS,
        partitionColumns: ['quarantine_date'],
        name: 'bronze.quarantine',
      });
      assert.equal((await old.snapshot()).metadata.configuration['delta.checkpointInterval'], undefined);
      await BronzeTable.open(env.dataDir, 'quarantine', serialSql(s));
      const conf = (await (await DeltaTable.open(path, { sql: s })).snapshot()).metadata.configuration;
      for (const [k, v] of Object.entries(STREAMING_TABLE_PROPERTIES)) assert.equal(conf[k], v, k);
    } finally {
      s.close();
      await env.cleanup();
    }
  });
});
