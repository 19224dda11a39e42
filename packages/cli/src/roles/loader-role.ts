// The loader role: opens the embedded log in the data directory and runs the loader on it (log → bronze
// Delta tables, exactly once) until SIGINT/SIGTERM, or once over what the log holds with `once`.
import { join } from 'node:path';
import { runLoaderOnce, startLoader } from '@lens/loader';
import { createEventLog } from '@lens/log';
import type { LensConfig } from '@lens/protocol';
import type { Logger } from 'pino';
import { roleUrl } from './role-url.js';
import { untilSignal } from './until-signal.js';

/** Runs the loader in this process; resolves once stopped (or, with `once`, once everything is loaded). */
export async function runLoaderRole(
  config: LensConfig,
  logger: Logger,
  options: { once?: boolean } = {},
): Promise<void> {
  const log = await createEventLog({ ...config.log, dir: join(config.dataDir, 'log'), logger });
  try {
    const loaderOptions = { config: config.loader, dataDir: config.dataDir, log, logger };
    if (options.once) {
      const stats = await runLoaderOnce(loaderOptions);
      logger.info(
        {
          eventsLoaded: stats.eventsLoaded,
          quarantined: stats.quarantined,
          duplicates: stats.duplicates,
          partitions: stats.owned,
        },
        'loader_once_done',
      );
      return;
    }
    const loader = await startLoader(loaderOptions);
    // Tells a supervising parent (`lens up`) that this process runs.
    process.send?.({
      type: 'lens:ready',
      ...(loader.port === undefined ? {} : { url: roleUrl(config.loader.host, loader.port) }),
    });
    await untilSignal();
    logger.info({}, 'loader_stopping');
    await loader.stop();
  } finally {
    await log.close();
  }
}
