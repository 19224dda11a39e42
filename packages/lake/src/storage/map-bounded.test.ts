// mapBounded: results in input order, never more than `limit` calls pending, errors passed on.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { mapBounded } from './map-bounded.js';

it('keeps at most `limit` calls in flight and returns results in input order', async () => {
  let inFlight = 0;
  let most = 0;
  const out = await mapBounded(
    Array.from({ length: 500 }, (_, i) => i),
    async (n) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, n % 3));
      inFlight--;
      return n * 2;
    },
    16,
  );
  assert.equal(most, 16);
  assert.deepEqual(
    out,
    Array.from({ length: 500 }, (_, i) => i * 2),
  );
  assert.deepEqual(await mapBounded([], async () => 1), []);
  await assert.rejects(
    mapBounded([1, 2, 3], async (n) => {
      if (n === 2) throw new Error('two');
      return n;
    }),
    /two/,
  );
});
