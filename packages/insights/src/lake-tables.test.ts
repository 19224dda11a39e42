// The catalog listing: version, files, rows from stats and freshness per table.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InsightEngine } from './insight-engine.js';
import { appendSilverEvents, tempDataDir, writeIdentities } from './testing/silver-fixture.js';

describe('lake tables', () => {
  it('lists each table with schema, version, files, rows and freshness', async () => {
    const dataDir = await tempDataDir();
    await appendSilverEvents(dataDir, [
      { actor: 'a', event: 'X', at: '2025-01-01T00:00:00Z' },
      { actor: 'b', event: 'X', at: '2025-01-02T00:00:00Z' },
    ]);
    await appendSilverEvents(dataDir, [{ actor: 'c', event: 'X', at: '2025-01-02T00:00:00Z' }]);
    await writeIdentities(dataDir, { a: 'p' });
    const engine = await InsightEngine.create({ dataDir });
    try {
      const tables = await engine.tables();
      assert.deepEqual(
        tables.map((t) => [t.table, t.version, t.files, t.rows]),
        [
          ['silver.events', 2, 3, 3],
          ['silver.identities', 1, 1, 1],
        ],
      );
      assert.deepEqual(tables[0]!.partitionColumns, ['event_date']);
      assert.ok(tables[0]!.columns.some((c) => c.name === 'event_name'));
      assert.ok(tables[0]!.freshnessSeconds! >= 0 && tables[0]!.freshnessSeconds! < 60);
    } finally {
      await engine.close();
    }
  });
});
