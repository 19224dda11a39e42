// Decides whether this library may read or write a table under its protocol action (PROTOCOL.md "Table
// Features", "Reader/Writer Version Requirements"); refusals name the feature so the user knows why.
import { UnsupportedFeatureError } from '../errors.js';
import type { MetadataAction, ProtocolAction } from './actions.js';

/** Reader features whose semantics this library implements. */
export const SUPPORTED_READER_FEATURES: ReadonlySet<string> = new Set([
  'columnMapping',
  'deletionVectors',
  'timestampNtz',
  'v2Checkpoint',
  'vacuumProtocolCheck',
  'typeWidening',
  'typeWidening-preview',
]);

/** Writer features this library honours when it commits (others make the table read-only here). */
export const SUPPORTED_WRITER_FEATURES: ReadonlySet<string> = new Set([
  'appendOnly',
  'invariants',
  'timestampNtz',
  'domainMetadata',
  'vacuumProtocolCheck',
]);

/** Throws UnsupportedFeatureError unless every reader requirement is met. */
export function checkReadable(protocol: ProtocolAction): void {
  const v = protocol.minReaderVersion;
  if (!Number.isInteger(v) || v < 1 || v > 3) {
    throw new UnsupportedFeatureError(`readerVersion ${v}`, 'this library reads reader versions 1 to 3', {
      minReaderVersion: v,
    });
  }
  if (v === 3) {
    for (const feature of protocol.readerFeatures ?? []) {
      if (!SUPPORTED_READER_FEATURES.has(feature))
        throw new UnsupportedFeatureError(feature, 'reader feature not supported by Lens');
    }
  }
}

/** Throws UnsupportedFeatureError unless this library can write the table without breaking a feature. */
export function checkWritable(protocol: ProtocolAction, metadata: MetadataAction): void {
  checkReadable(protocol);
  const w = protocol.minWriterVersion;
  if (w === 7) {
    for (const feature of protocol.writerFeatures ?? []) {
      if (!SUPPORTED_WRITER_FEATURES.has(feature))
        throw new UnsupportedFeatureError(feature, 'writer feature not supported by Lens');
    }
  } else if (w > 2) {
    const legacy = [
      '',
      '',
      '',
      'checkConstraints',
      'changeDataFeed/generatedColumns',
      'columnMapping',
      'identityColumns',
    ];
    throw new UnsupportedFeatureError(legacy[w] ?? `writerVersion ${w}`, `writer version ${w}`);
  }
  if (metadata.schemaString.includes('"delta.invariants"')) {
    throw new UnsupportedFeatureError('invariants', 'column invariants are not enforced by this writer');
  }
}

/** True when the table forbids removing data (`delta.appendOnly`). */
export function isAppendOnly(metadata: MetadataAction): boolean {
  return metadata.configuration['delta.appendOnly'] === 'true';
}
