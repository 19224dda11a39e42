// Loads everything the log holds right now, then returns: `lens loader --once`, tests and benchmarks. Takes
// the leases it can (partitions another live instance holds are left to it) and gives them back at the end.
import { LoaderMetrics } from './loader-metrics.js';
import { openLoaderResources } from './loader-resources.js';
import { enforceLogRetention, type LoaderOptions, type LoaderStats } from './loader.js';
import { noopLogger } from './logger.js';
import { PartitionLoader } from './partition-loader.js';

/** How often a partition held by another loader is tried again, and how long past its lease period. */
const LEASE_POLL_MS = 250;
const LEASE_WAIT_SLACK_MS = 500;

/**
 * Runs one pass over every partition: each is loaded up to the end it had when read, flushed, and released.
 * @example const stats = await runLoaderOnce({ config: LoaderConfig.parse({}), dataDir, log });
 */
export async function runLoaderOnce(options: LoaderOptions): Promise<LoaderStats> {
  const logger = options.logger ?? noopLogger;
  const res = await openLoaderResources(
    { ...options.config, compactEveryCommits: 0 },
    options.dataDir,
    options.log,
    logger,
    new LoaderMetrics({ processMetrics: false }), // nothing serves them
  );
  try {
    const mine: number[] = [];
    // The leases must outlive the pass (and the wait below): renewed while partitions load.
    const renew = setInterval(
      () => {
        for (const p of mine) void res.leases.renew(p);
      },
      Math.max(50, Math.floor(options.config.leaseTtlMs / 3)),
    );
    try {
      // A partition another loader holds is waited for, up to one lease period: a loader killed moments ago (a
      // crashed run before this one) holds leases it no longer renews, and they lapse within that time. Skipping
      // them at once made a `--once` right after a crash load nothing and exit as if done. A live holder keeps its
      // lease and loads the partition itself.
      const held: number[] = [];
      for (const p of await options.log.partitions()) ((await res.leases.acquire(p)) ? mine : held).push(p);
      const deadline = Date.now() + options.config.leaseTtlMs + LEASE_WAIT_SLACK_MS;
      while (held.length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, LEASE_POLL_MS));
        for (const p of [...held])
          if (await res.leases.acquire(p)) {
            held.splice(held.indexOf(p), 1);
            mine.push(p);
          }
      }
      for (const p of held) logger.warn({ partition: p }, 'loader_partition_held_elsewhere_skipped');
      const loaders = mine.map((p) => new PartitionLoader(res.deps(p)));
      await Promise.all(loaders.map((l) => l.run(() => false, true)));
      const partitions = loaders.map((l) => l.stats);
      const sum = (k: 'eventsLoaded' | 'quarantined' | 'duplicates'): number =>
        partitions.reduce((n, s) => n + s[k], 0);
      return {
        owner: res.leases.owner,
        owned: mine,
        partitions,
        eventsLoaded: sum('eventsLoaded'),
        quarantined: sum('quarantined'),
        duplicates: sum('duplicates'),
      };
    } finally {
      clearInterval(renew);
      for (const p of mine) await res.leases.release(p);
    }
  } finally {
    await res.close();
    // As the long-running loader does every minute: without it a loader run from cron let the log fill the disk.
    if (options.logRetentionAfterPass !== false) await enforceLogRetention(options.log, logger);
  }
}
