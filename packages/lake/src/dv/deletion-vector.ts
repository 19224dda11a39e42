// Loads the deleted row indexes of a data file from its deletion-vector descriptor: inline (`i`), relative
// UUID path with random prefix (`u`), or absolute path (`p`), checking the file format's size and CRC-32.
import { crc32 } from 'node:zlib';
import { DeltaProtocolError } from '../errors.js';
import type { DeletionVectorDescriptor } from '../log/actions.js';
import type { ObjectStore } from '../storage/object-store.js';
import { decodeDeletionBitmap } from './roaring-bitmap.js';
import { bytesToUuid, z85Decode } from './z85.js';

/** The unique id the spec uses, with the path, to key a logical file (PROTOCOL.md "Derived Fields"). */
export function deletionVectorId(dv: DeletionVectorDescriptor | null | undefined): string {
  if (!dv) return '';
  return `${dv.storageType}${dv.pathOrInlineDv}${dv.offset != null ? `@${dv.offset}` : ''}`;
}

/** Key (relative to the table root) of the file holding an on-disk `u` deletion vector. */
export function deletionVectorKey(dv: DeletionVectorDescriptor): string {
  const prefix = dv.pathOrInlineDv.slice(0, -20);
  const uuid = bytesToUuid(z85Decode(dv.pathOrInlineDv.slice(-20)));
  return `${prefix === '' ? '' : `${prefix}/`}deletion_vector_${uuid}.bin`;
}

/** Reads the sorted row indexes a deletion vector marks as deleted. */
export async function readDeletionVector(store: ObjectStore, dv: DeletionVectorDescriptor): Promise<number[]> {
  let rows: number[];
  if (dv.storageType === 'i') {
    rows = decodeDeletionBitmap(z85Decode(dv.pathOrInlineDv).subarray(0, dv.sizeInBytes));
  } else {
    const key = dv.storageType === 'u' ? deletionVectorKey(dv) : absoluteToKey(dv.pathOrInlineDv);
    const file = await store.get(key);
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
    const offset = dv.offset ?? 1;
    const size = view.getUint32(offset, false);
    if (size !== dv.sizeInBytes) {
      throw new DeltaProtocolError(`deletion vector size ${size} != descriptor ${dv.sizeInBytes}`, { key, offset });
    }
    const data = file.subarray(offset + 4, offset + 4 + size);
    const expected = view.getUint32(offset + 4 + size, false);
    if (typeof crc32 === 'function' && crc32(data) >>> 0 !== expected) {
      throw new DeltaProtocolError('deletion vector checksum mismatch', { key, offset });
    }
    rows = decodeDeletionBitmap(data);
  }
  if (rows.length !== dv.cardinality) {
    throw new DeltaProtocolError(`deletion vector holds ${rows.length} rows, descriptor says ${dv.cardinality}`);
  }
  return rows;
}

function absoluteToKey(path: string): string {
  // `p` paths are absolute URIs; a local-store key is the decoded file path.
  return decodeURIComponent(path.replace(/^file:(\/\/)?/, ''));
}
