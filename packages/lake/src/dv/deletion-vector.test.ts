// Deletion-vector decoding: Z85 round trips (UUIDs of on-disk DVs), inline DVs built from the portable
// RoaringBitmap layout (array, bitmap and run containers), and the spec's derived file name.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createMemoryObjectStore } from '../storage/memory/memory-object-store.js';
import { deletionVectorKey, readDeletionVector } from './deletion-vector.js';
import { DV_MAGIC, decodeDeletionBitmap } from './roaring-bitmap.js';
import { z85Decode, z85Encode } from './z85.js';

/** Serialises rows < 2^32 as Delta's RoaringBitmapArray with array containers and one run container. */
function encode(rows: number[], runsForKey?: number): Uint8Array {
  const byKey = new Map<number, number[]>();
  for (const r of rows) byKey.set(r >>> 16, [...(byKey.get(r >>> 16) ?? []), r & 0xffff]);
  const keys = [...byKey.keys()].sort((a, b) => a - b);
  const parts: number[] = [];
  const u16 = (v: number) => parts.push(v & 0xff, v >>> 8);
  const u32 = (v: number) => {
    u16(v & 0xffff);
    u16(v >>> 16);
  };
  u32(DV_MAGIC);
  u32(1);
  u32(0);
  u32(0); // magic, 1 bucket (u64), bucket key 0
  u32(((keys.length - 1) << 16) | 12347); // SERIAL_COOKIE with run flags
  let flags = 0;
  keys.forEach((k, i) => {
    if (k === runsForKey) flags |= 1 << i;
  });
  parts.push(flags);
  for (const k of keys) {
    u16(k);
    u16(byKey.get(k)!.length - 1);
  }
  if (keys.length >= 4) for (const _ of keys) u32(0);
  for (const k of keys) {
    const vals = byKey.get(k)!;
    if (k === runsForKey) {
      u16(1);
      u16(vals[0]!);
      u16(vals.length - 1);
    } else vals.forEach(u16);
  }
  while (parts.length % 4) parts.push(0);
  return Uint8Array.from(parts);
}

it('z85 round-trips and decodes the spec example UUID prefix', () => {
  const bytes = Uint8Array.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]);
  assert.equal(z85Encode(bytes), 'HelloWorld');
  assert.deepEqual(z85Decode('HelloWorld'), bytes);
  const key = deletionVectorKey({
    storageType: 'u',
    pathOrInlineDv: 'ab^-aqEH.-t@S}K{vb[*k^',
    sizeInBytes: 1,
    cardinality: 1,
  });
  assert.equal(key, 'ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin');
});

it('decodes array and run containers across 16-bit keys; inline DVs read through the descriptor', async () => {
  const rows = [0, 3, 65535, 65536 + 7, 2 * 65536 + 1, 2 * 65536 + 2, 2 * 65536 + 3];
  assert.deepEqual(decodeDeletionBitmap(encode(rows, 2)), rows);
  const inline = z85Encode(encode([1, 5, 9]));
  const got = await readDeletionVector(createMemoryObjectStore(), {
    storageType: 'i',
    pathOrInlineDv: inline,
    sizeInBytes: encode([1, 5, 9]).length,
    cardinality: 3,
  });
  assert.deepEqual(got, [1, 5, 9]);
  const size = encode([1, 5, 9]).length;
  await assert.rejects(
    readDeletionVector(createMemoryObjectStore(), {
      storageType: 'i',
      pathOrInlineDv: inline,
      sizeInBytes: size,
      cardinality: 2,
    }),
    /descriptor says 2/,
  );
  await assert.rejects(
    readDeletionVector(createMemoryObjectStore(), {
      storageType: 'i',
      pathOrInlineDv: inline,
      sizeInBytes: 20,
      cardinality: 3,
    }),
    /truncated/,
  );
});
