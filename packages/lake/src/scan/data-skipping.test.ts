// Data skipping keeps every file that may hold a matching row, also where stats, partition values and literals
// are numbers a JS double only approximates (longs beyond 2^53, long decimals, float stats of a widened column).
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { DeltaTable } from '../delta-table.js';
import type { AddAction } from '../log/actions.js';
import type { DeltaField } from '../schema/delta-schema.js';
import { skipFiles } from './data-skipping.js';
import type { Predicate } from './predicate.js';

const field = (name: string, type: string): DeltaField => ({ name, type, nullable: true, metadata: {} });
const file = (stats: string, partitionValues: Record<string, string | null> = {}): AddAction => ({
  path: 'f.parquet',
  partitionValues,
  size: 1,
  modificationTime: 0,
  dataChange: true,
  stats,
});
const kept = (f: AddAction, p: Predicate, fields: DeltaField[], parts: string[] = []) =>
  skipFiles([f], p, fields, parts).length === 1;

it('keeps files whose numeric stats a double rounds onto the literal', () => {
  const id = [field('id', 'long')];
  const big = file('{"numRecords":1,"minValues":{"id":9007199254740993},"maxValues":{"id":9007199254740993}}');
  assert.ok(kept(big, { column: 'id', op: '>', value: 9007199254740992 }, id));
  // The literal is rounded too when the query's SQL is parsed.
  assert.ok(kept(big, { column: 'id', op: '=', value: Number('9007199254740993') }, id));
  const dec = [field('x', 'decimal(38,20)')];
  const tiny = file(
    '{"numRecords":1,"minValues":{"x":0.10000000000000000001},"maxValues":{"x":0.10000000000000000001}}',
  );
  assert.ok(kept(tiny, { column: 'x', op: '>', value: 0.1 }, dec));
  // A column widened from float to double: its old files' stats are float text (3.4 for 3.4000000953674316).
  const widened = [field('f', 'double')];
  const float = file('{"numRecords":1,"minValues":{"f":3.4},"maxValues":{"f":3.4}}');
  assert.ok(kept(float, { column: 'f', op: '=', value: 3.4000000953674316 }, widened));
  assert.ok(kept(float, { column: 'f', op: '>=', value: 3.4000000953674316 }, widened));
  // A partition value beyond 2^53.
  const part = file('{"numRecords":1}', { id: '9007199254740993' });
  assert.ok(kept(part, { column: 'id', op: '>', value: 9007199254740992 }, id, ['id']));
});

it('still skips files that clearly cannot match', () => {
  const n = [field('n', 'long')];
  const small = file('{"numRecords":1,"minValues":{"n":1},"maxValues":{"n":100}}');
  assert.ok(!kept(small, { column: 'n', op: '>', value: 100 }, n));
  assert.ok(!kept(small, { column: 'n', op: '<', value: 1 }, n));
  const d = [field('d', 'double')];
  const doubles = file('{"numRecords":1,"minValues":{"d":0.5},"maxValues":{"d":1.5}}');
  assert.ok(!kept(doubles, { column: 'd', op: '>', value: 2 }, d));
  assert.ok(!kept(doubles, { column: 'd', op: '=', value: 0.25 }, d));
});

it('a query for a long beyond 2^53 finds its row', async () => {
  const t = await DeltaTable.open(await mkdtemp(join(tmpdir(), 'lens-skip-')));
  await t.create({ columns: [{ name: 'id', type: 'long' }] });
  await t.append({ sql: 'SELECT 9007199254740993::BIGINT AS id' });
  await t.append({ sql: 'SELECT 1::BIGINT AS id' });
  const rows = await t.query({ predicate: { column: 'id', op: '>', value: 9007199254740992 } });
  assert.deepEqual(
    rows.map((r) => String(r['id'])),
    ['9007199254740993'],
  );
});
