// `lens collector`: just the collector (the tracking API), on the embedded log in the data directory.
import type { Command } from 'commander';
import { parsePort, parseWorkers, resolveConfig, withCommonOptions, type CommonOptions } from '../common-options.js';
import { devSourceBanner, sourcesOrDevSource } from '../dev-source.js';
import { createLogger } from '../logger.js';

interface CollectorFlags extends CommonOptions {
  port?: number;
  host?: string;
  workers?: number;
}

export function registerCollectorCommand(program: Command): void {
  withCommonOptions(
    program
      .command('collector')
      .description('run the collector: the Segment/RudderStack-compatible tracking API, appending to the durable log'),
  )
    .option('-p, --port <port>', 'HTTP port (default: 8080)', parsePort)
    .option('--host <host>', 'interface to listen on (default: 0.0.0.0)')
    .option(
      '-w, --workers <n>',
      'collector processes, each with its own log partition; 0 = one per core (default: 1)',
      parseWorkers,
    )
    .action(async (flags: CollectorFlags) => {
      const config = resolveConfig(flags, {
        'collector.port': flags.port,
        'collector.host': flags.host,
        'collector.workers': flags.workers,
      });
      const logger = createLogger('collector', config.logLevel);
      const { sources, devSource } = sourcesOrDevSource(config);
      if (devSource !== undefined && process.send === undefined) {
        process.stdout.write(`${devSourceBanner(devSource, `http://localhost:${config.collector.port}`)}\n`);
      }
      const { runCollectorRole } = await import('../roles/collector-role.js');
      await runCollectorRole(config, sources, logger);
    });
}
