// Z85 (ZeroMQ RFC 32) codec: Delta encodes deletion-vector UUIDs and inline bitmaps with it
// (PROTOCOL.md "Deletion Vector Descriptor Schema"). Every 5 characters carry 4 big-endian bytes.
import { DeltaProtocolError } from '../errors.js';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const DECODE = new Map([...ALPHABET].map((ch, i) => [ch, i]));

/** Decodes Z85 text (length a multiple of 5) into bytes. */
export function z85Decode(text: string): Uint8Array {
  if (text.length % 5 !== 0) throw new DeltaProtocolError(`z85 text length ${text.length} is not a multiple of 5`);
  const out = new Uint8Array((text.length / 5) * 4);
  const view = new DataView(out.buffer);
  for (let i = 0, o = 0; i < text.length; i += 5, o += 4) {
    let value = 0;
    for (let j = 0; j < 5; j++) {
      const digit = DECODE.get(text[i + j] as string);
      if (digit === undefined) throw new DeltaProtocolError(`invalid z85 character ${JSON.stringify(text[i + j])}`);
      value = value * 85 + digit;
    }
    view.setUint32(o, value >>> 0, false);
  }
  return out;
}

/** Encodes bytes (length a multiple of 4) as Z85 text. */
export function z85Encode(bytes: Uint8Array): string {
  if (bytes.length % 4 !== 0) throw new DeltaProtocolError(`z85 input length ${bytes.length} is not a multiple of 4`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let out = '';
  for (let i = 0; i < bytes.length; i += 4) {
    let value = view.getUint32(i, false);
    const chunk: string[] = [];
    for (let j = 0; j < 5; j++) {
      chunk.unshift(ALPHABET[value % 85] as string);
      value = Math.floor(value / 85);
    }
    out += chunk.join('');
  }
  return out;
}

/** Formats 16 bytes as a canonical lowercase UUID string. */
export function bytesToUuid(bytes: Uint8Array): string {
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
