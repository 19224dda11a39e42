// List ids are version-4 UUIDs in randomUUID's format, distinct, with random bits where random belongs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newListId } from './list-id.js';

test('newListId: version-4 UUIDs (randomUUID format), distinct, each random hex digit taking every value', () => {
  const ids = Array.from({ length: 20_000 }, () => newListId());
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(new Set(ids).size, ids.length);
  // every position that is random sees all 16 hex digits (the fixed ones: dashes, the version digit)
  for (let p = 0; p < 36; p++) {
    const seen = new Set(ids.map((id) => id[p]));
    if ([8, 13, 18, 23].includes(p)) assert.deepEqual([...seen], ['-']);
    else if (p === 14) assert.deepEqual([...seen], ['4']);
    else if (p === 19) assert.deepEqual([...seen].sort(), ['8', '9', 'a', 'b']);
    else assert.equal(seen.size, 16, `position ${p}`);
  }
});
