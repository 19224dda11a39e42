// Query results as text: a table as wide as its widest cell, for any number of rows.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { formatRows } from './query-output.js';

it('formats a table of 200,000 rows (column widths without spreading every cell into one call)', () => {
  const rows = Array.from({ length: 200_000 }, (_, i) => ({ n: i }));
  const out = formatRows(rows, ['n'], 'table');
  const lines = out.split('\n');
  assert.equal(lines[0], '+--------+');
  assert.equal(lines[3], '| 0      |');
  assert.match(out, /\| 199999 \|\n\+--------\+\n\(200000 rows\)\n$/);
});
