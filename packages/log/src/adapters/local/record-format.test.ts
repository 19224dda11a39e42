// The frame checksum is zlib's CRC-32 of the header fields then the payload, whichever way it is computed: the
// JS table walk for the header must chain exactly like zlib's own, or logs written before would fail recovery.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { crc32Small, HEADER_BYTES, readHeader, verifyFrame, writeHeader } from './record-format.js';

describe('record format checksums', () => {
  it('crc32Small equals zlib crc32, alone and chained', () => {
    for (let n = 1; n < 200; n++) {
      const bytes = randomBytes(n);
      const seed = crc32(randomBytes(7));
      assert.equal(crc32Small(bytes, 0, n), crc32(bytes));
      assert.equal(crc32Small(bytes, 0, n, seed), crc32(bytes, seed));
      assert.equal(crc32(bytes.subarray(n >> 1), crc32Small(bytes, 0, n >> 1)), crc32(bytes));
    }
  });

  it('a written frame is the CRC-32 of its fields and payload, verifies, and fails on any flipped byte', () => {
    const payload = Buffer.from('{"v":2,"kind":"event"}');
    const frame = Buffer.alloc(HEADER_BYTES + payload.length);
    writeHeader(frame.subarray(0, HEADER_BYTES), payload, 2 ** 40 + 5, 1_764_000_000_123);
    payload.copy(frame, HEADER_BYTES);
    const header = readHeader(frame, 0)!;
    assert.deepEqual(
      { offset: header.offset, timestamp: header.timestamp, length: header.length },
      { offset: 2 ** 40 + 5, timestamp: 1_764_000_000_123, length: payload.length },
    );
    assert.equal(header.crc, crc32(frame.subarray(4)));
    assert.ok(verifyFrame(frame, 0, header));
    for (let i = 4; i < frame.length; i++) {
      const bad = Buffer.from(frame);
      bad[i] = bad[i]! ^ 0x01;
      assert.equal(verifyFrame(bad, 0, { ...header, length: payload.length }), false, `byte ${i}`);
    }
  });
});
