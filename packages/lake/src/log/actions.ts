// The Delta log's action model (PROTOCOL.md "Actions"): one type per action, as they appear in JSON commits
// and in checkpoint rows. Field names follow the spec exactly because they are written back verbatim.

/** Reader/writer versions and, for 3/7, the table features (PROTOCOL.md "Protocol Evolution"). */
export interface ProtocolAction {
  minReaderVersion: number;
  minWriterVersion: number;
  readerFeatures?: string[];
  writerFeatures?: string[];
}

/** Table metadata (PROTOCOL.md "Change Metadata"); `schemaString` is Spark's JSON schema. */
export interface MetadataAction {
  id: string;
  name?: string | null;
  description?: string | null;
  format: { provider: string; options?: Record<string, string> };
  schemaString: string;
  partitionColumns: string[];
  createdTime?: number | null;
  configuration: Record<string, string>;
}

/** Deletion vector descriptor (PROTOCOL.md "Deletion Vector Descriptor Schema"). */
export interface DeletionVectorDescriptor {
  storageType: 'u' | 'i' | 'p';
  pathOrInlineDv: string;
  offset?: number | null;
  sizeInBytes: number;
  cardinality: number;
}

/** A data file that is part of the table (PROTOCOL.md "Add File and Remove File"). */
export interface AddAction {
  path: string;
  partitionValues: Record<string, string | null>;
  size: number;
  modificationTime: number;
  dataChange: boolean;
  stats?: string | null;
  tags?: Record<string, string> | null;
  deletionVector?: DeletionVectorDescriptor | null;
  baseRowId?: number | null;
  defaultRowCommitVersion?: number | null;
  clusteringProvider?: string | null;
}

/** A logical deletion of a file; kept as a tombstone until retention passes. */
export interface RemoveAction {
  path: string;
  deletionTimestamp?: number | null;
  dataChange: boolean;
  extendedFileMetadata?: boolean | null;
  partitionValues?: Record<string, string | null> | null;
  size?: number | null;
  stats?: string | null;
  tags?: Record<string, string> | null;
  deletionVector?: DeletionVectorDescriptor | null;
  baseRowId?: number | null;
  defaultRowCommitVersion?: number | null;
}

/** Application transaction watermark, the basis of idempotent writes. */
export interface TxnAction {
  appId: string;
  version: number;
  lastUpdated?: number | null;
}

/** Change-data file (read for completeness; not part of the snapshot's files). */
export interface CdcAction {
  path: string;
  partitionValues: Record<string, string | null>;
  size: number;
  dataChange: boolean;
  tags?: Record<string, string> | null;
}

/** Named metadata domain (PROTOCOL.md "Domain Metadata"). */
export interface DomainMetadataAction {
  domain: string;
  configuration: string;
  removed: boolean;
}

/** First action of a v2 checkpoint. */
export interface CheckpointMetadataAction {
  version: number;
  tags?: Record<string, string> | null;
}

/** Pointer from a v2 checkpoint to a file of its add/remove actions under `_delta_log/_sidecars/`. */
export interface SidecarAction {
  path: string;
  sizeInBytes: number;
  modificationTime: number;
  tags?: Record<string, string> | null;
}

/** Free-form provenance of a commit; only a few fields are interpreted. */
export type CommitInfoAction = Record<string, unknown> & {
  timestamp?: number;
  inCommitTimestamp?: number;
  operation?: string;
};

/** One line of a commit file or one row of a checkpoint: exactly one key is set. */
export interface Action {
  protocol?: ProtocolAction;
  metaData?: MetadataAction;
  add?: AddAction;
  remove?: RemoveAction;
  txn?: TxnAction;
  commitInfo?: CommitInfoAction;
  cdc?: CdcAction;
  domainMetadata?: DomainMetadataAction;
  checkpointMetadata?: CheckpointMetadataAction;
  sidecar?: SidecarAction;
}

/** Parses one newline-delimited JSON commit file into its actions, skipping blank lines. */
export function parseCommit(text: string): Action[] {
  const out: Action[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() !== '') out.push(JSON.parse(line) as Action);
  }
  return out;
}

/** Serialises actions as a commit file: one JSON object per line, newline-terminated. */
export function serializeCommit(actions: readonly Action[]): string {
  return actions.map((a) => JSON.stringify(a)).join('\n') + '\n';
}
