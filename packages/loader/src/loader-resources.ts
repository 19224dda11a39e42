// What one loader instance opens and closes: its DuckDB (writes serialised), both bronze tables, the dedup
// index, the lease store, a private temp directory, metrics and the tables' compactors.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createDuckDB, type DuckDBSession } from '@lens/lake';
import type { EventLog } from '@lens/log';
import type { LoaderConfig } from '@lens/protocol';
import { MapPool } from './map-pool.js';
import { BronzeTable, serialSql } from './bronze-table.js';
import type { BronzeTableKey } from './bronze-schema.js';
import { Compactor } from './compactor.js';
import { openDedupService, type DedupService } from './dedup-service.js';
import { lakeTablePath } from './lake-table-path.js';
import { LoaderMetrics } from './loader-metrics.js';
import type { Logger } from './logger.js';
import { PartitionLeases } from './partition-leases.js';
import type { PartitionLoaderDeps } from './partition-loader.js';

/** Opened resources of a loader instance. */
export interface LoaderResources {
  leases: PartitionLeases;
  metrics: LoaderMetrics;
  compactors: Record<BronzeTableKey, Compactor>;
  dedup: DedupService;
  stateDir: string;
  deps(partition: number): PartitionLoaderDeps;
  close(): Promise<void>;
}

/** Opens everything; bronze tables are created on first use. */
export async function openLoaderResources(
  config: LoaderConfig,
  dataDir: string,
  log: EventLog,
  logger: Logger,
  metrics = new LoaderMetrics({ processMetrics: config.port !== 0 }),
): Promise<LoaderResources> {
  const stateDir = join(dataDir, 'loader');
  const leases = new PartitionLeases(join(stateDir, 'leases'), config.leaseTtlMs);
  const tmpRoot = join(stateDir, 'tmp');
  await removeDeadTempDirs(tmpRoot);
  const tmpDir = join(tmpRoot, `${process.pid}-${leases.owner.slice(-8)}`);
  await mkdir(tmpDir, { recursive: true });
  const session: DuckDBSession = await createDuckDB();
  // The loader's own threads (main, map workers, dedup worker) are busy while a batch commits: a DuckDB thread per
  // core on top of them contends (2 cores, alternated runs under load: 23.0-26.5 µs CPU per event with 1 thread,
  // 24.0-29.3 with 2).
  await session.run(`SET threads = ${config.duckdbThreads || Math.max(1, availableParallelism() - 2)}`);
  // DuckDB's allocator keeps freed memory for reuse up to these thresholds, and hands the rest back to the
  // system after each task. A commit is one big spike (a whole batch): handed back at 16 MB, the next commit
  // faulted it all in again — the kernel zeroing pages was ~4 % of the loader's CPU (perf). At 256 MB
  // (bench/loader.mjs data, 1M events, six alternated pairs): 18.1 vs 19.3 µs CPU per event, 10.3 vs 11.2 s,
  // peak RSS 656-736 MiB instead of 460-483 (782 MiB at 3M events; the loader's bound is 1 GB).
  await session.run(`SET allocator_flush_threshold = '256MB'`);
  await session.run(`SET allocator_bulk_deallocation_flush_threshold = '256MB'`);
  const sql = serialSql(session);
  let dedup: DedupService | undefined;
  try {
    const tables: Record<BronzeTableKey, BronzeTable> = {
      events: await BronzeTable.open(dataDir, 'events', sql),
      quarantine: await BronzeTable.open(dataDir, 'quarantine', sql),
    };
    dedup = openDedupService(join(stateDir, 'dedup.sqlite'), config.dedupWindowHours * 3_600_000);
    // bronze.quarantine too: bad input arrives as steadily as good, and without compaction every commit with a
    // rejected event left one more small file for good (~1,800 an hour at one a second).
    const compactorOf = (table: BronzeTableKey): Compactor =>
      new Compactor(
        table,
        lakeTablePath(dataDir, `bronze.${table}`),
        config.compactEveryCommits,
        config.compactTargetFileBytes,
        metrics,
        logger,
      );
    const compactors: Record<BronzeTableKey, Compactor> = {
      events: compactorOf('events'),
      quarantine: compactorOf('quarantine'),
    };
    const pool = new MapPool(Math.max(1, Math.min(4, availableParallelism() - 1)), config.quality);
    const index = dedup;
    return {
      leases,
      metrics,
      compactors,
      stateDir,
      dedup: index,
      deps: (partition) => ({
        partition,
        log,
        tables,
        dedup: index,
        pool,
        config,
        tmpDir,
        metrics,
        logger,
        owns: () => leases.holds(partition),
        onCommitWithRows: (table) => compactors[table].onCommit(),
      }),
      async close() {
        await Promise.all(Object.values(compactors).map((c) => c.close()));
        await pool.close();
        await index.close();
        session.close();
        await rm(tmpDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await dedup?.close();
    session.close();
    throw error;
  }
}

/** Temp directories are named `<pid>-…`; those of processes that are gone hold only abandoned batch files. */
async function removeDeadTempDirs(root: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.split('-')[0]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (error) {
      alive = (error as NodeJS.ErrnoException).code !== 'ESRCH';
    }
    if (!alive) await rm(join(root, name), { recursive: true, force: true });
  }
}
