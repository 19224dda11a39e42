// Measures damage a reader ran into inside a segment: what kind it is, where the next checksum-verified frame
// starts (as recovery's search does for the active segment), and the damaged bytes in between, capped.
import type { FileHandle } from 'node:fs/promises';
import type { LogDamageReason } from '../../errors.js';
import { HEADER_BYTES, readHeader, verifyFrame } from './record-format.js';
import { writtenEnd } from './segment-files.js';

/** Bytes searched per read while looking for the next intact frame. */
const SEARCH_CHUNK_BYTES = 1024 * 1024;

/** Damage found at byte `pos` of a segment. */
export interface SegmentDamage {
  reason: LogDamageReason;
  /** The first verified frame after the damage whose offset can follow it, if any. */
  resume: { pos: number; offset: number } | undefined;
  /** Where the damaged bytes end: the resume frame, else the end of the file's written bytes. */
  bytesEnd: number;
  /** The damaged bytes, at most `cap` of them. */
  bytes: Buffer;
}

/**
 * Describes the damage at byte `pos` of segment `base`, where the frame of offset `damaged` should start. Only
 * frames whose offset lies after `damaged` and below the next segment's base (`following`; for the last segment,
 * below the most offsets its size could hold — a bound random bytes pass with negligible odds) count as intact
 * records resuming, and only once their checksum verifies.
 */
export async function measureDamage(
  fh: FileHandle,
  base: number,
  pos: number,
  damaged: number,
  following: number | undefined,
  cap: number,
): Promise<SegmentDamage> {
  // Zeros the writer put ahead of its data are not damage: the search and the damaged bytes end where they start.
  const fileSize = await writtenEnd(fh, (await fh.stat()).size);
  const maxOffset = following ?? base + Math.floor(fileSize / HEADER_BYTES) + 1;
  const reason = pos >= fileSize ? 'missing_records' : await damageReason(fh, pos, fileSize);
  const resume = await nextIntactFrame(fh, pos + 1, fileSize, damaged, maxOffset);
  const bytesEnd = resume?.pos ?? fileSize;
  const bytes = Buffer.alloc(Math.max(0, Math.min(cap, bytesEnd - pos)));
  if (bytes.length > 0) await fh.read(bytes, 0, bytes.length, pos);
  return { reason, resume, bytesEnd, bytes };
}

/** A frame whose header parses and fits in the file but fails its checksum, or one that is not a frame at all. */
async function damageReason(fh: FileHandle, pos: number, fileSize: number): Promise<LogDamageReason> {
  if (pos + HEADER_BYTES > fileSize) return 'unreadable_frame';
  const head = Buffer.alloc(HEADER_BYTES);
  await fh.read(head, 0, HEADER_BYTES, pos);
  const header = readHeader(head, 0);
  return header !== undefined && pos + HEADER_BYTES + header.length <= fileSize
    ? 'checksum_mismatch'
    : 'unreadable_frame';
}

/** The first checksum-verified frame at or after byte `from` whose offset lies in (`after`, `maxOffset`). */
async function nextIntactFrame(
  fh: FileHandle,
  from: number,
  fileSize: number,
  after: number,
  maxOffset: number,
): Promise<{ pos: number; offset: number } | undefined> {
  const chunk = Buffer.allocUnsafe(Math.min(SEARCH_CHUNK_BYTES, Math.max(HEADER_BYTES, fileSize - from)));
  for (let base = from; base + HEADER_BYTES <= fileSize;) {
    const { bytesRead } = await fh.read(chunk, 0, chunk.length, base);
    if (bytesRead < HEADER_BYTES) return undefined;
    const last = bytesRead - HEADER_BYTES;
    for (let at = 0; at <= last; at++) {
      // Most positions fail the offset bound: test it before building a header.
      const offset = chunk.readUInt32BE(at + 8) * 0x1_0000_0000 + chunk.readUInt32BE(at + 12);
      if (offset <= after || offset >= maxOffset) continue;
      const header = readHeader(chunk, at);
      if (header === undefined || header.offset <= after || header.offset >= maxOffset) continue;
      const frameBytes = HEADER_BYTES + header.length;
      if (base + at + frameBytes > fileSize) continue;
      if (at + frameBytes <= bytesRead) {
        if (verifyFrame(chunk, at, header)) return { pos: base + at, offset: header.offset };
        continue;
      }
      const frame = Buffer.allocUnsafe(frameBytes); // runs past this chunk: read it whole
      const whole = await fh.read(frame, 0, frameBytes, base + at);
      if (whole.bytesRead === frameBytes && verifyFrame(frame, 0, header))
        return { pos: base + at, offset: header.offset };
    }
    if (bytesRead < chunk.length) return undefined;
    base += last + 1;
  }
  return undefined;
}
