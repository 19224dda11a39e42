// The loader declares what its events query yields (so the lake skips a DESCRIBE per commit): the declaration
// must stay what DuckDB says the query yields, in the table's column order.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createDuckDB } from '@lens/lake';
import { EVENTS_SELECT_COLUMNS, eventsSelect } from './events-ndjson.js';

describe('events query', () => {
  it('yields exactly the columns it declares, in order', async () => {
    const db = await createDuckDB();
    const dir = await mkdtemp(join(tmpdir(), 'lens-events-select-'));
    try {
      const file = join(dir, 'lines.ndjson');
      await writeFile(file, '');
      const described = (await db.describe(`(${eventsSelect(file)})`)).map((c) => c.name);
      assert.deepEqual(described, [...EVENTS_SELECT_COLUMNS]);
    } finally {
      db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
