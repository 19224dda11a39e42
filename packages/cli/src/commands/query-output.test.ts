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

it('writes integers beyond 2^53 as JSON numbers with every digit (one JSON type per column), and as digits in csv and table', () => {
  const rows = [{ n: 1n, big: 9007199254740993n, nested: { x: -9007199254740993n } }];
  const json = formatRows(rows, ['n', 'big', 'nested'], 'json');
  assert.equal(json, '[{"n":1,"big":9007199254740993,"nested":{"x":-9007199254740993}}]\n');
  assert.equal(formatRows(rows, ['n', 'big'], 'csv'), 'n,big\n1,9007199254740993\n');
  assert.match(formatRows(rows, ['big', 'nested'], 'table'), /\| 9007199254740993 \| \{"x":-9007199254740993\} \|/);
});
