// Decoder of Delta's deletion-vector bitmap: a magic number, then a 64-bit RoaringBitmap in the portable
// format (buckets of 32-bit Roaring bitmaps, RoaringFormatSpec), all little endian (PROTOCOL.md Appendix).
import { DeltaProtocolError } from '../errors.js';

/** Magic number that prefixes Delta's serialised RoaringBitmapArray. */
export const DV_MAGIC = 1681511377;
const SERIAL_COOKIE = 12347;
const SERIAL_COOKIE_NO_RUN = 12346;

/** Decodes the row indexes (sorted) held by a serialised Delta deletion-vector bitmap. */
export function decodeDeletionBitmap(bytes: Uint8Array): number[] {
  try {
    return decode(bytes);
  } catch (error) {
    if (error instanceof RangeError)
      throw new DeltaProtocolError('deletion vector bitmap is truncated', { bytes: bytes.length }, { cause: error });
    throw error;
  }
}

function decode(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  if (magic !== DV_MAGIC) throw new DeltaProtocolError(`deletion vector has magic ${magic}, expected ${DV_MAGIC}`);
  const buckets = Number(view.getBigUint64(4, true));
  let pos = 12;
  const out: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const high = view.getUint32(pos, true);
    pos = read32(view, pos + 4, high * 2 ** 32, out);
  }
  return out;
}

/** Reads one portable 32-bit RoaringBitmap at `pos`, pushing `base + value`; returns the position after it. */
function read32(view: DataView, pos: number, base: number, out: number[]): number {
  const cookie = view.getUint32(pos, true);
  pos += 4;
  let size: number;
  let runFlags: Uint8Array | undefined;
  if ((cookie & 0xffff) === SERIAL_COOKIE) {
    size = (cookie >>> 16) + 1;
    const len = Math.ceil(size / 8);
    runFlags = new Uint8Array(view.buffer, view.byteOffset + pos, len);
    pos += len;
  } else if (cookie === SERIAL_COOKIE_NO_RUN) {
    size = view.getUint32(pos, true);
    pos += 4;
  } else {
    throw new DeltaProtocolError(`unknown RoaringBitmap cookie ${cookie}`);
  }
  const keys: number[] = [];
  const cards: number[] = [];
  for (let i = 0; i < size; i++) {
    keys.push(view.getUint16(pos, true));
    cards.push(view.getUint16(pos + 2, true) + 1);
    pos += 4;
  }
  // The offset header is present unless the bitmap has run containers and fewer than 4 containers.
  if (!runFlags || size >= 4) pos += 4 * size;
  for (let i = 0; i < size; i++) {
    const hi = base + (keys[i] as number) * 65536;
    const isRun = runFlags !== undefined && ((runFlags[i >> 3] as number) & (1 << (i & 7))) !== 0;
    if (isRun) {
      const runs = view.getUint16(pos, true);
      pos += 2;
      for (let r = 0; r < runs; r++) {
        const start = view.getUint16(pos, true);
        const length = view.getUint16(pos + 2, true);
        pos += 4;
        for (let v = start; v <= start + length; v++) out.push(hi + v);
      }
    } else if ((cards[i] as number) <= 4096) {
      for (let j = 0; j < (cards[i] as number); j++, pos += 2) out.push(hi + view.getUint16(pos, true));
    } else {
      for (let w = 0; w < 2048; w++, pos += 4) {
        const word = view.getUint32(pos, true);
        for (let bit = 0; bit < 32; bit++) if ((word >>> bit) & 1) out.push(hi + w * 32 + bit);
      }
    }
  }
  return pos;
}
