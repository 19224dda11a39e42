// SQLite specifics beyond the contract: data survives a reopen, and two connections to one file (as two
// server processes would have) see each other's committed writes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { KeyValueStoreError } from '../../../errors.js';
import { createSqliteKeyValueStore } from './sqlite-key-value-store.js';

test('values survive closing and reopening the file; two connections share it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lens-sqlite-kv-'));
  try {
    const path = join(dir, 'nested', 'kv.sqlite');
    const a = createSqliteKeyValueStore({ backend: 'sqlite', path });
    const b = createSqliteKeyValueStore({ backend: 'sqlite', path });
    await a.putMany([{ key: 'k', value: 'v' }]);
    assert.equal(await b.get('k'), 'v');
    await a.close();
    await b.close();
    const c = createSqliteKeyValueStore({ backend: 'sqlite', path });
    assert.equal(await c.get('k'), 'v');
    await c.close();
    await assert.rejects(c.get('k'), KeyValueStoreError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
