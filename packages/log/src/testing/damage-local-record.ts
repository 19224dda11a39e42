// Test kit: damages one stored record of a local log in place, as bit rot would (its checksum fails from then
// on), so tests of the log and of its consumers can meet damage below the durable end.
import { open, readFile } from 'node:fs/promises';
import { HEADER_BYTES, readHeader } from '../adapters/local/record-format.js';
import { layout, listSegments } from '../adapters/local/segment-files.js';

/**
 * Flips the last byte of the record at `offset` in a local log's partition (the last header byte for an empty
 * payload). Frames are walked by their length fields, not verified, so records already damaged are passed over.
 * @example await damageLocalRecord(join(dataDir, 'log'), 0, 5);
 */
export async function damageLocalRecord(dir: string, partition: number, offset: number): Promise<void> {
  const segments = (await listSegments(dir, partition)).filter((base) => base <= offset);
  const base = segments.at(-1);
  if (base === undefined) throw new RangeError(`partition ${partition} has no segment holding offset ${offset}`);
  const path = layout.segmentPath(dir, partition, base);
  const data = await readFile(path);
  for (let pos = 0; pos + HEADER_BYTES <= data.length;) {
    const header = readHeader(data, pos);
    if (header === undefined) break;
    if (header.offset === offset) {
      const at = pos + HEADER_BYTES + header.length - 1; // the last payload byte, or the header's last
      const fh = await open(path, 'r+');
      try {
        await fh.write(Buffer.from([data[at]! ^ 0xff]), 0, 1, at);
      } finally {
        await fh.close();
      }
      return;
    }
    pos += HEADER_BYTES + header.length;
  }
  throw new RangeError(`segment ${path} holds no record at offset ${offset}`);
}
