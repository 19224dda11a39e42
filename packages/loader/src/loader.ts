// The loader instance: keeps leases on a fair share of the log's partitions (renewed every third of the TTL),
// runs one PartitionLoader per held partition, expires old dedup entries, serves /health and /metrics.
import { join } from 'node:path';
import { maintenanceIdle } from '@lens/lake';
import type { EventLog } from '@lens/log';
import type { LoaderConfig } from '@lens/protocol';
import { PartitionOwnershipLostError } from './errors.js';
import { openLoaderResources, type LoaderResources } from './loader-resources.js';
import { heartbeat, leave } from './loader-members.js';
import { noopLogger, type Logger } from './logger.js';
import { startOpsServer, type OpsServer } from './ops-server.js';
import { PartitionLoader, type PartitionStats } from './partition-loader.js';

/** What `startLoader` and `runLoaderOnce` need. */
export interface LoaderOptions {
  config: LoaderConfig;
  /** The data directory: the lake is `<dataDir>/lake`, loader state `<dataDir>/loader`. */
  dataDir: string;
  /** The event log to load (the caller opens and closes it). */
  log: EventLog;
  logger?: Logger;
  /** How often passed log segments are deleted (default every minute; tests shorten it). */
  logRetentionMs?: number;
  /**
   * `runLoaderOnce` only: delete the log segments every consumer has passed at the end of the pass (default true;
   * the throughput benchmark turns it off to time loading alone, and times the deletion apart).
   */
  logRetentionAfterPass?: boolean;
}

/** Totals of a loader instance. */
export interface LoaderStats {
  owner: string;
  owned: number[];
  partitions: PartitionStats[];
  eventsLoaded: number;
  quarantined: number;
  duplicates: number;
}

/** A running loader. */
export interface RunningLoader {
  /** The ops server's port, when it is on. */
  readonly port: number | undefined;
  /** Flushes what each partition holds, releases leases, closes everything. */
  stop(): Promise<void>;
  stats(): LoaderStats;
}

interface Runner {
  loader: PartitionLoader;
  stop: boolean;
  done: Promise<void>;
  /** The last failure of this partition's loading, until the retry commits a batch (then `loader` is a new one). */
  failure?: { error: string; since: string };
}

/**
 * Starts loading in the background until `stop()`.
 * @example
 * const log = await createEventLog({ backend: 'local', dir: join(dataDir, 'log') });
 * const loader = await startLoader({ config: LoaderConfig.parse({}), dataDir, log, logger });
 * // … later
 * await loader.stop();
 */
export async function startLoader(options: LoaderOptions): Promise<RunningLoader> {
  const logger = options.logger ?? noopLogger;
  const res = await openLoaderResources(options.config, options.dataDir, options.log, logger);
  const runners = new Map<number, Runner>();
  const finished: PartitionStats[] = [];
  const membersDir = join(res.stateDir, 'members');
  let stopping = false;

  const startRunner = (partition: number): void => {
    const runner: Runner = { loader: new PartitionLoader(res.deps(partition)), stop: false, done: Promise.resolve() };
    runner.done = (async () => {
      while (!runner.stop && !stopping) {
        try {
          await runner.loader.run(() => runner.stop || stopping);
          break;
        } catch (error) {
          if (error instanceof PartitionOwnershipLostError) {
            res.metrics.ownershipLost.inc();
            logger.warn({ partition, reason: error.message }, 'loader_partition_lost');
            await res.leases.release(partition);
            break;
          }
          logger.error({ partition, err: error }, 'loader_partition_failed_retrying');
          runner.failure = {
            error: error instanceof Error ? error.message : String(error),
            // Since the first failure of the ones in a row (no batch committed in between).
            since:
              runner.failure !== undefined && runner.loader.stats.batches === 0
                ? runner.failure.since
                : new Date().toISOString(),
          };
          await new Promise((r) => setTimeout(r, 1000));
          runner.loader = new PartitionLoader(res.deps(partition)); // resume from the tables' markers
        }
      }
      finished.push(runner.loader.stats);
      runners.delete(partition);
    })();
    runners.set(partition, runner);
  };

  const tick = async (): Promise<void> => {
    const members = await heartbeat(membersDir, res.leases.owner, options.config.leaseTtlMs);
    const partitions = await options.log.partitions();
    const fair = Math.ceil(partitions.length / members);
    for (const p of res.leases.held()) {
      if (!(await res.leases.renew(p))) {
        const r = runners.get(p);
        if (r) r.stop = true;
      }
    }
    const held = res.leases.held();
    for (const p of held.slice(fair)) {
      const r = runners.get(p);
      if (r) {
        r.stop = true;
        await r.done;
      }
      await res.leases.release(p);
      logger.info({ partition: p, members }, 'loader_partition_released_for_balance');
    }
    for (const p of partitions) {
      if (res.leases.held().length >= fair || runners.has(p) || stopping) continue;
      if (await res.leases.acquire(p)) {
        logger.info({ partition: p }, 'loader_partition_acquired');
        startRunner(p);
      }
    }
    res.metrics.partitionsOwned.set(res.leases.held().length);
    res.leases
      .held()
      .filter((p) => !runners.has(p))
      .forEach((p) => startRunner(p));
  };

  // The ops port first: a loader that cannot serve its metrics fails before it takes any partition (it used to
  // start loading, then hold its leases with its log closed under it).
  let ops: OpsServer | undefined;
  try {
    ops =
      options.config.port === 0
        ? undefined
        : await startOpsServer(options.config.host, options.config.port, res.metrics.registry, () => {
            // Not ready while a partition's loading fails (its retries have not committed since): acknowledged
            // events are not reaching bronze, whatever the process's liveness.
            const failing = [...runners.entries()]
              .filter(([, r]) => r.failure !== undefined && r.loader.stats.batches === 0)
              .map(([partition, r]) => ({ partition, ...r.failure }));
            return {
              ready: failing.length === 0,
              owner: res.leases.owner,
              partitions: res.leases.held(),
              ...(failing.length > 0 ? { failing } : {}),
            };
          });
  } catch (error) {
    await res.close();
    throw error;
  }
  let ticking: Promise<void> = tick();
  await ticking;
  const timer = setInterval(
    () => {
      ticking = ticking.then(tick).catch((error: unknown) => logger.error({ err: error }, 'loader_lease_tick_failed'));
    },
    Math.max(50, Math.floor(options.config.leaseTtlMs / 3)),
  );
  const expiry = setInterval(() => void expireDedup(res, options.config, logger), 60_000);
  // The log keeps what its consumer has not passed: deleting the rest is the consumer's to ask for.
  const retention = setInterval(
    () => void enforceLogRetention(options.log, logger),
    options.logRetentionMs ?? LOG_RETENTION_MS,
  );

  const stats = (): LoaderStats => {
    const partitions = [...finished, ...[...runners.values()].map((r) => r.loader.stats)];
    const sum = (k: 'eventsLoaded' | 'quarantined' | 'duplicates'): number => partitions.reduce((n, p) => n + p[k], 0);
    return {
      owner: res.leases.owner,
      owned: res.leases.held(),
      partitions,
      eventsLoaded: sum('eventsLoaded'),
      quarantined: sum('quarantined'),
      duplicates: sum('duplicates'),
    };
  };
  logger.info({ owner: res.leases.owner, partitions: res.leases.held(), port: ops?.port }, 'loader_started');
  return {
    port: ops?.port,
    stats,
    async stop() {
      stopping = true;
      clearInterval(timer);
      clearInterval(expiry);
      clearInterval(retention);
      await ticking;
      await Promise.all([...runners.values()].map((r) => r.done));
      await maintenanceIdle(); // a checkpoint being written finishes (one cut short is only redone later)
      for (const p of res.leases.held()) await res.leases.release(p);
      await leave(membersDir, res.leases.owner);
      await ops?.close();
      await res.close();
      logger.info({ owner: res.leases.owner }, 'loader_stopped');
    },
  };
}

/** How often the loader asks the log to delete the segments its consumers have passed. */
const LOG_RETENTION_MS = 60_000;

/** Deletes the log segments every consumer has passed (the log logs what it deleted). */
export async function enforceLogRetention(log: EventLog, logger: Logger): Promise<void> {
  try {
    await log.enforceRetention();
  } catch (error) {
    logger.warn({ err: error }, 'loader_log_retention_failed');
  }
}

/** Deletes expired dedup entries (in the dedup worker), at most 100 000 per call so checks are not held up for long. */
export async function expireDedup(res: LoaderResources, config: LoaderConfig, logger: Logger): Promise<void> {
  // Entries are kept an hour past the window so a replay shortly after expiry still sees its own entry.
  const before = Date.now() - config.dedupWindowHours * 3_600_000 - 3_600_000;
  try {
    let total = 0;
    for (let n = await res.dedup.expire(before); n > 0 && total < 100_000; n = await res.dedup.expire(before))
      total += n;
    if (total > 0) logger.info({ deleted: total }, 'loader_dedup_expired');
  } catch (error) {
    logger.warn({ err: error }, 'loader_dedup_expire_failed');
  }
}
