// The per-partition durable-end marker: the offset after the last fsynced record, rewritten in place after
// every data fsync. Readers in any process trust it, so they never see a torn or un-fsynced tail.
import type { FileHandle } from 'node:fs/promises';
import { constants, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { LogCorruptionError } from '../../errors.js';

/** Marker layout: end offset as two u32 halves, crc32 of those 8 bytes, 4 zero bytes (one 16-byte pwrite). */
const MARKER_BYTES = 16;
const TWO_32 = 0x1_0000_0000;

/** Encodes `end` into a fresh 16-byte marker image. */
export function encodeMarker(end: number, into: Buffer = Buffer.alloc(MARKER_BYTES)): Buffer {
  into.writeUInt32BE(Math.floor(end / TWO_32), 0);
  into.writeUInt32BE(end % TWO_32, 4);
  into.writeUInt32BE(crc32(into.subarray(0, 8)), 8);
  into.writeUInt32BE(0, 12);
  return into;
}

function decodeMarker(buf: Buffer, bytesRead: number): number | undefined {
  if (bytesRead < 12 || buf.readUInt32BE(8) !== crc32(buf.subarray(0, 8))) return undefined;
  return buf.readUInt32BE(0) * TWO_32 + buf.readUInt32BE(4);
}

/** Writes the marker in place. The data it points at must already be fsynced; `sync` makes the marker durable too. */
export async function writeMarker(fh: FileHandle, end: number, sync: boolean, scratch?: Buffer): Promise<void> {
  const image = encodeMarker(end, scratch);
  await fh.write(image, 0, MARKER_BYTES, 0);
  if (sync) await fh.datasync();
}

/**
 * Writes the marker in place, synchronously: a 16-byte write into the page cache costs a few microseconds, less
 * than a round trip through the thread pool, and it sits between every group commit and its acknowledgements.
 */
export function writeMarkerNow(fh: FileHandle, end: number, scratch?: Buffer): void {
  writeSync(fh.fd, encodeMarker(end, scratch), 0, MARKER_BYTES, 0);
}

/** Opens (creating if needed) the marker file read-write without O_APPEND, so pwrite at 0 works. */
export async function openMarkerForWrite(path: string): Promise<FileHandle> {
  return open(path, constants.O_RDWR | constants.O_CREAT, 0o644);
}

/**
 * Reads the durable end through an open handle; undefined when the marker was never written. A checksum
 * mismatch (a read racing the in-place write) is retried; a persistent one is corruption.
 */
export async function readMarker(fh: FileHandle, path: string): Promise<number | undefined> {
  const buf = Buffer.alloc(MARKER_BYTES);
  for (let attempt = 0; attempt < 5; attempt++) {
    const { bytesRead } = await fh.read(buf, 0, MARKER_BYTES, 0);
    if (bytesRead === 0) return undefined;
    const end = decodeMarker(buf, bytesRead);
    if (end !== undefined) return end;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new LogCorruptionError(`durable marker ${path} fails its checksum`, { path });
}
