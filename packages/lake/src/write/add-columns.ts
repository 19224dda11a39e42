// Schema evolution by adding nullable columns (ALTER TABLE ADD COLUMNS): a new metaData action with the
// extended schema. Old files simply lack the column; readers fill NULL.
import { InvalidInputError } from '../errors.js';
import { checkWritable } from '../log/protocol-check.js';
import { toDuckDBType } from '../schema/delta-schema.js';
import type { Snapshot } from '../snapshot.js';
import type { ObjectStore } from '../storage/object-store.js';
import { commitInfo } from './commit-support.js';
import { protocolFor, type ColumnSpec } from './create-table.js';
import { commit, type CommitResult } from './transaction.js';

/** Appends nullable top-level columns to the schema. */
export async function addColumns(
  store: ObjectStore,
  snapshot: Snapshot,
  columns: readonly ColumnSpec[],
): Promise<CommitResult> {
  checkWritable(snapshot.protocol, snapshot.metadata);
  const schema = snapshot.schema;
  for (const c of columns) {
    if (c.nullable === false)
      throw new InvalidInputError(`added column ${c.name} must be nullable`, { column: c.name });
    if (schema.fields.some((f) => f.name.toLowerCase() === c.name.toLowerCase()))
      throw new InvalidInputError(`column ${c.name} already exists`, { column: c.name });
    toDuckDBType(c.type);
  }
  const next = {
    ...schema,
    fields: [...schema.fields, ...columns.map((c) => ({ name: c.name, type: c.type, nullable: true, metadata: {} }))],
  };
  const needed = protocolFor(next);
  const upgrade = needed.minWriterVersion > snapshot.protocol.minWriterVersion;
  const actions = [
    // Writer version 2 implied appendOnly and invariants; as table features they must be listed explicitly.
    ...(upgrade
      ? [{ protocol: { ...needed, writerFeatures: ['appendOnly', 'invariants', ...(needed.writerFeatures ?? [])] } }]
      : []),
    { metaData: { ...snapshot.metadata, schemaString: JSON.stringify(next) } },
  ];
  return commit(
    store,
    snapshot.version,
    actions,
    { files: new Set(), predicate: 'all', fields: [], partitionColumns: [] },
    () => commitInfo('ADD COLUMNS', { columns: columns.map((c) => ({ column: c.name })) }, snapshot.version, false, {}),
  );
}
