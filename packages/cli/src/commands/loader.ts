// `lens loader`: just the loader (log → bronze.events / bronze.quarantine), on the data directory's embedded
// log and lake. Several can run on one data directory: they share the log's partitions through leases.
import type { Command } from 'commander';
import { resolveConfig, withCommonOptions, type CommonOptions } from '../common-options.js';
import { createLogger } from '../logger.js';

interface LoaderFlags extends CommonOptions {
  once?: boolean;
}

export function registerLoaderCommand(program: Command): void {
  withCommonOptions(
    program
      .command('loader')
      .description('run the loader: micro-batches from the durable log into the bronze Delta tables, exactly once'),
  )
    .option('--once', 'load everything the log holds now, then exit')
    .action(async (flags: LoaderFlags) => {
      const config = resolveConfig(flags);
      const logger = createLogger('loader', config.logLevel);
      const { runLoaderRole } = await import('../roles/loader-role.js');
      await runLoaderRole(config, logger, { once: flags.once === true });
    });
}
