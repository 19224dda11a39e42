// A DuckDB session for a time-based split: silver tables as of the cutoff (events before it; identities and
// content as known then) under their lake names, so the recs pipeline SQL runs on them unchanged and its
// outputs land as gold.* tables in the session, never in the lake.
import { join } from 'node:path';
import { createSpillingDuckDB, DeltaTable, type DuckDBSession } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import type { LoadedDataset } from '@lens/prism';
import { RecsTrainingError } from '../errors.js';

/**
 * Opens a session with `silver.events|identities|content` cut at `cutoffIso` (views over `full_events`,
 * `full_identities` and `full_content`, held in the session; `cutSplitSession` moves the cut). With `memoryLimitBytes` (`pipelines.memoryLimit`, as the pipelines' own runs) DuckDB spills past it;
 * either way its spills go to a folder of its own under `<dataDir>/tmp/recs`, removed by `close()`.
 */
export async function openSplitSession(
  dataDir: string,
  cutoffIso: string,
  memoryLimitBytes?: number,
): Promise<DuckDBSession> {
  const db = await createSpillingDuckDB({
    spillUnder: join(dataDir, 'tmp', 'recs'),
    ...(memoryLimitBytes === undefined ? {} : { memoryLimitBytes }),
  });
  const scan = async (table: string): Promise<string> => {
    try {
      return (await (await DeltaTable.open(lakeTablePath(dataDir, table), { sql: db })).scan()).sql;
    } catch (cause) {
      db.close();
      throw new RecsTrainingError(`cannot read ${table} in ${dataDir} (run the pipelines first)`, {
        cause,
        context: { step: 'evaluate', table },
      });
    }
  };
  const [events, identities, content] = [
    await scan('silver.events'),
    await scan('silver.identities'),
    await scan('silver.content'),
  ];
  await db.run('CREATE SCHEMA IF NOT EXISTS silver; CREATE SCHEMA IF NOT EXISTS gold');
  await db.run(`CREATE TABLE full_events AS SELECT * FROM (${events})`);
  await db.run(`CREATE TABLE full_identities AS SELECT * FROM (${identities})`);
  await db.run(`CREATE TABLE full_content AS SELECT * FROM (${content})`);
  await cutSplitSession(db, cutoffIso);
  return db;
}

/**
 * Moves the split of a session from `openSplitSession` to `cutoffIso`: silver.* show what was known before it. The
 * events stay in the session, so each fold of a rolling evaluation costs its training, not another copy.
 */
export async function cutSplitSession(db: DuckDBSession, cutoffIso: string): Promise<void> {
  const cut = `TIMESTAMPTZ '${cutoffIso}'`;
  await db.run(`CREATE OR REPLACE VIEW silver.events AS SELECT * FROM full_events WHERE timestamp < ${cut}`);
  await db.run(
    `CREATE OR REPLACE VIEW silver.identities AS SELECT * FROM full_identities WHERE first_linked_at < ${cut}`,
  );
  await db.run(`CREATE OR REPLACE VIEW silver.content AS SELECT * FROM full_content WHERE first_seen_at < ${cut}`);
}

/**
 * Runs definitions' SQL transforms, in order, into tables of the session named after them, as a full refresh
 * does: every input row is `incoming` (and `changed`), none `removed`, `this` (the output) is empty, and
 * `affected` is computed from them.
 */
export async function runDefinitionsInSession(
  db: DuckDBSession,
  datasets: readonly LoadedDataset[],
): Promise<Record<string, number>> {
  const timings: Record<string, number> = {};
  for (const d of datasets) {
    if (!('sql' in d.transform))
      throw new RecsTrainingError(`${d.name}: only SQL transforms can run in an evaluation session`, {
        context: { step: 'evaluate' },
      });
    const started = Date.now();
    if (d.affected !== undefined) {
      await db.run(
        'CREATE SCHEMA IF NOT EXISTS changed; CREATE SCHEMA IF NOT EXISTS incoming; CREATE SCHEMA IF NOT EXISTS removed',
      );
      for (const input of d.inputs) {
        const view = input.replace('.', '_');
        await db.run(`CREATE OR REPLACE VIEW changed.${view} AS SELECT * FROM ${input}`);
        await db.run(`CREATE OR REPLACE VIEW incoming.${view} AS SELECT * FROM ${input}`);
        await db.run(`CREATE OR REPLACE VIEW removed.${view} AS SELECT * FROM ${input} WHERE FALSE`);
      }
      const columns = Object.entries(d.columns ?? {});
      await db.run(
        `CREATE OR REPLACE VIEW this AS SELECT ${columns.length === 0 ? 'NULL AS __none' : columns.map(([c, t]) => `CAST(NULL AS ${t}) AS "${c}"`).join(', ')} WHERE FALSE`,
      );
      await db.run(`CREATE OR REPLACE TABLE affected AS ${d.affected}`);
    }
    await db.run(`CREATE OR REPLACE TABLE ${d.name} AS ${d.transform.sql}`);
    timings[d.name] = Date.now() - started;
  }
  return timings;
}
