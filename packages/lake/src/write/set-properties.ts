// Table properties set after creation (ALTER TABLE … SET TBLPROPERTIES): a new metaData action with the merged
// configuration. Values Lens itself reads are checked first, so a bad one fails here rather than at every commit.
import { InvalidInputError } from '../errors.js';
import { checkWritable } from '../log/protocol-check.js';
import type { Snapshot } from '../snapshot.js';
import type { ObjectStore } from '../storage/object-store.js';
import { commitInfo } from './commit-support.js';
import { parseInterval } from './interval.js';
import { commit, type CommitResult } from './transaction.js';

const INTERVAL_PROPERTIES = new Set(['delta.logRetentionDuration', 'delta.deletedFileRetentionDuration']);

/** Sets (adds or replaces) table properties. */
export async function setProperties(
  store: ObjectStore,
  snapshot: Snapshot,
  properties: Readonly<Record<string, string>>,
): Promise<CommitResult> {
  checkWritable(snapshot.protocol, snapshot.metadata);
  for (const [key, value] of Object.entries(properties)) {
    if (typeof value !== 'string')
      throw new InvalidInputError(`table property ${key}: the value must be a string`, { property: key });
    if (key === 'delta.checkpointInterval' && !/^[1-9]\d*$/.test(value))
      throw new InvalidInputError(`table property ${key}: ${JSON.stringify(value)} is not a positive integer`, {
        property: key,
      });
    if (INTERVAL_PROPERTIES.has(key)) parseInterval(value); // throws naming the value
  }
  const metaData = {
    ...snapshot.metadata,
    configuration: { ...snapshot.metadata.configuration, ...properties },
  };
  return commit(
    store,
    snapshot.version,
    [{ metaData }],
    { files: new Set(), predicate: 'all', fields: [], partitionColumns: [] },
    () => commitInfo('SET TBLPROPERTIES', { properties }, snapshot.version, false, {}),
  );
}
