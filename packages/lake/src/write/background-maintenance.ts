// Post-commit maintenance off the commit path, for tables committed to every second (DeltaTable.open with
// `maintenance: 'background'`). After a week such a table's checkpoint holds ~600,000 tombstones: writing it takes
// seconds, and log clean-up reads every name in `_delta_log`. Inline, both ran inside the commit that fell due —
// under the loader's commit lock, every 100 commits — so events waited seconds to become visible. Here a due
// commit only records the work; one job at a time per process runs it on its own single-threaded DuckDB (the
// writer's session stays free for the next batch), always for the newest version, so work that falls due while
// one runs is folded into the next. A checkpoint or a clean-up is optional to the protocol: one that fails or is
// cut short by the process's end is written by a later one; files are put atomically, so none is left torn.
import { createDuckDB, type DuckDBSession } from '../duckdb/sql.js';
import type { MetadataAction } from '../log/actions.js';
import { loadSnapshot } from '../snapshot.js';
import type { ObjectStore } from '../storage/object-store.js';
import { writeCheckpoint } from './checkpoint-writer.js';
import { cleanupExpiredLogs } from './log-cleanup.js';

/** How a table's post-commit maintenance (checkpoint, expired-log clean-up) runs. */
export type Maintenance = 'inline' | 'background';

/** Work due on one table: a checkpoint, and a clean-up when one of the due commits asked for it. */
interface DueWork {
  store: ObjectStore;
  metadata: MetadataAction;
  cleanup: boolean;
}

/** Due work per table location, in the order it fell due. */
const due = new Map<string, DueWork>();
let running: Promise<void> | undefined;
let session: Promise<DuckDBSession> | undefined;
/** Failures of background work since the process started (a test or a metric can read them). */
let failures = 0;

/** The maintenance session: one thread, so a checkpoint never takes both cores from the writer. */
const maintenanceSql = (): Promise<DuckDBSession> =>
  (session ??= createDuckDB()
    .then(async (s) => {
      await s.run('SET threads = 1');
      return s;
    })
    .catch((error: unknown) => {
      session = undefined; // the next job tries again
      throw error;
    }));

/** Records that `store`'s table needs a checkpoint (and a clean-up when `cleanup`), and starts the worker. */
export function scheduleMaintenance(store: ObjectStore, metadata: MetadataAction, cleanup: boolean): void {
  const key = store.description;
  const before = due.get(key);
  due.set(key, { store, metadata, cleanup: cleanup || (before?.cleanup ?? false) });
  startWorker();
}

function startWorker(): void {
  if (running) return;
  running = drain().finally(() => {
    running = undefined;
    if (due.size > 0) startWorker(); // scheduled after the loop found nothing, before this ran
  });
}

async function drain(): Promise<void> {
  for (;;) {
    const next = due.entries().next();
    if (next.done) return;
    const [key, work] = next.value;
    due.delete(key);
    try {
      const sql = await maintenanceSql();
      // The newest version, not the one that fell due: what is due meanwhile is folded into this checkpoint.
      const snapshot = await loadSnapshot(work.store, sql);
      await writeCheckpoint(work.store, sql, snapshot);
      if (work.cleanup && work.metadata.configuration['delta.enableExpiredLogCleanup'] !== 'false')
        await cleanupExpiredLogs(work.store, work.metadata);
    } catch {
      failures++; // optional work: the next due commit schedules it again
    }
  }
}

/** Resolves once no background maintenance is due or running (for a clean shutdown, and tests). */
export async function maintenanceIdle(): Promise<void> {
  while (running) await running;
}

/** How many background maintenance jobs failed in this process. */
export function maintenanceFailures(): number {
  return failures;
}
