// The quarantine table of a dataset (`<layer>.<name>_quarantine`): rows an expectation with action
// `quarantine` kept out of the output, with the expectation's name, the batch and the row as JSON.
import { DeltaTable, STREAMING_TABLE_PROPERTIES, type Sql } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';

/** Name of the quarantine table of a dataset. */
export const quarantineTableName = (dataset: string): string => `${dataset}_quarantine`;

/** Appends __prism_quarantine exactly once per batch (txn), overwriting on a full refresh. */
export async function writeQuarantine(
  dataDir: string,
  db: Sql,
  dataset: string,
  batch: number,
  overwrite: boolean,
): Promise<void> {
  const table = await DeltaTable.open(lakeTablePath(dataDir, quarantineTableName(dataset)), {
    sql: db,
    maintenance: 'background',
  });
  // A table created before Lens chose them gets the streaming properties.
  await table.ensureCreated({
    columns: [
      { name: 'expectation', type: 'string', nullable: false },
      { name: 'batch', type: 'long' },
      { name: 'quarantined_at', type: 'timestamp' },
      { name: 'row', type: 'string' },
    ],
    name: quarantineTableName(dataset),
    properties: STREAMING_TABLE_PROPERTIES,
  });
  await table.append(
    { sql: `SELECT expectation, ${batch}::BIGINT AS batch, now() AS quarantined_at, "row" FROM __prism_quarantine` },
    { txn: { appId: `prism:${dataset}:quarantine`, version: batch }, mode: overwrite ? 'overwrite' : 'append' },
  );
}
