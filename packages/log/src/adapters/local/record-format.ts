// On-disk framing of one record: a 24-byte header then the payload. The CRC covers the rest of the header
// and the payload, so a torn write, a zero-filled tail or stray bytes all fail verification on recovery.
import { crc32 } from 'node:zlib';
import { MAX_RECORD_BYTES } from '../../event-log.js';

/**
 * Header layout (big-endian): crc32 u32 | payload length u32 | offset u64 | timestamp ms u64.
 * Offsets and timestamps stay below 2^53, so they are stored as two u32 halves without BigInt.
 */
export const HEADER_BYTES = 24;
const TWO_32 = 0x1_0000_0000;

/** Fills `header` (HEADER_BYTES long) for `payload` at `offset`. */
export function writeHeader(header: Buffer, payload: Buffer, offset: number, timestamp: number): void {
  header.writeUInt32BE(payload.length, 4);
  header.writeUInt32BE(Math.floor(offset / TWO_32), 8);
  header.writeUInt32BE(offset % TWO_32, 12);
  header.writeUInt32BE(Math.floor(timestamp / TWO_32), 16);
  header.writeUInt32BE(timestamp % TWO_32, 20);
  header.writeUInt32BE(crc32(payload, crc32(header.subarray(4, HEADER_BYTES))), 0);
}

/** A parsed header: where its payload sits in the buffer it was parsed from. */
export interface FrameHeader {
  crc: number;
  length: number;
  offset: number;
  timestamp: number;
}

/** Parses the header at `pos`, or returns undefined when its length field is impossible. */
export function readHeader(buf: Buffer, pos: number): FrameHeader | undefined {
  const length = buf.readUInt32BE(pos + 4);
  if (length > MAX_RECORD_BYTES) return undefined;
  return {
    crc: buf.readUInt32BE(pos),
    length,
    offset: buf.readUInt32BE(pos + 8) * TWO_32 + buf.readUInt32BE(pos + 12),
    timestamp: buf.readUInt32BE(pos + 16) * TWO_32 + buf.readUInt32BE(pos + 20),
  };
}

/** True when the frame at `pos` (header + payload, all inside `buf`) has a matching checksum. */
export function verifyFrame(buf: Buffer, pos: number, header: FrameHeader): boolean {
  const fields = crc32(buf.subarray(pos + 4, pos + HEADER_BYTES));
  const payloadStart = pos + HEADER_BYTES;
  return crc32(buf.subarray(payloadStart, payloadStart + header.length), fields) === header.crc;
}
