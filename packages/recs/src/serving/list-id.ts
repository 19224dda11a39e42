// Served lists' ids: random (version 4) UUIDs, as crypto.randomUUID makes them, built as one flat string from a
// pool of random bytes (randomUUID joins 20 pieces per id: a chain of strings for the GC on every request).
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 16 * 256;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;
const HEX = Buffer.from('0123456789abcdef', 'latin1');
const scratch = Buffer.alloc(36);

/**
 * A new random UUID (version 4, RFC 9562), lowercase: `xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`.
 * @example const listId = newListId();
 */
export function newListId(): string {
  if (used === POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  let o = 0;
  for (let i = 0; i < 16; i++) {
    let b = pool[used + i]!;
    if (i === 6)
      b = (b & 0x0f) | 0x40; // version 4
    else if (i === 8) b = (b & 0x3f) | 0x80; // variant 10xx
    scratch[o++] = HEX[b >> 4]!;
    scratch[o++] = HEX[b & 15]!;
    if (i === 3 || i === 5 || i === 7 || i === 9) scratch[o++] = 45; // '-'
  }
  used += 16;
  return scratch.toString('latin1', 0, 36);
}
