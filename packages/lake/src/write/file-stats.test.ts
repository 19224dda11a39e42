// String min/max stats cut to Spark's 32-character prefix stay valid bounds in UTF-8 byte order, the order other
// engines (Spark, Trino, delta-rs) compare them in when they skip files.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { compareCodePoints } from '../scan/data-skipping.js';
import type { DeltaStructType } from '../schema/delta-schema.js';
import { buildStatsJson } from './file-stats.js';

const schema: DeltaStructType = {
  type: 'struct',
  fields: [{ name: 's', type: 'string', nullable: true, metadata: {} }],
};

function stats(min: string, max: string): { min: string | undefined; max: string | undefined } {
  const json = JSON.parse(
    buildStatsJson(
      2,
      new Map([
        [
          '"s"',
          new Map([
            ['min', min],
            ['max', max],
            ['null_count', '0'],
          ]),
        ],
      ]),
      schema,
      [],
    ),
  ) as { minValues: { s?: string }; maxValues: { s?: string } };
  return { min: json.minValues.s, max: json.maxValues.s };
}

/** Code point order is UTF-8 byte order. */
const utf8Compare = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

it('a cut string maximum is >= the value in UTF-8 byte order, whatever character was cut', () => {
  const prefix = 'x'.repeat(32);
  for (const rest of ['a', 'zz', '\u007f', 'é', '\uffee', '😀', '😀😀', '\u{10ffff}b']) {
    const value = prefix + rest;
    const { min, max } = stats(prefix, value);
    assert.equal(min, prefix);
    assert.ok(max !== undefined, rest);
    assert.ok(utf8Compare(max, value) >= 0, `max ${JSON.stringify(max)} < value ${JSON.stringify(value)}`);
    assert.ok(compareCodePoints(max, value) >= 0);
    assert.ok([...max].length <= 34, 'stays short');
  }
  // Delta's tie-breakers: U+007F after an ASCII character below it, U+10FFFF otherwise.
  assert.equal(stats(prefix, `${prefix}abc`).max, `${prefix}\u007f`);
  assert.equal(stats(prefix, `${prefix}😀`).max, `${prefix}\u{10ffff}`);
  // Short strings are kept whole.
  assert.deepEqual(stats('a', 'b😀'), { min: 'a', max: 'b😀' });
});
