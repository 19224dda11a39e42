// `lens up`: every role in one go on the embedded defaults — the collector (and, as they land, the loader,
// the API server and the dashboard) as supervised child processes, optionally with demo traffic.
import type { Command } from 'commander';
import { childArgs, parsePort, resolveConfig, withCommonOptions, type CommonOptions } from '../common-options.js';
import { devSourceBanner, sourcesOrDevSource } from '../dev-source.js';
import { createLogger } from '../logger.js';
import { untilSignal } from '../roles/collector-role.js';
import { RoleSupervisor } from '../roles/role-supervisor.js';

interface UpFlags extends CommonOptions {
  port?: number;
  workers?: string;
  demo?: boolean;
}

export function registerUpCommand(program: Command): void {
  withCommonOptions(program.command('up').description('run every Lens role on this machine with the embedded defaults (no external services)'))
    .option('-p, --port <port>', 'collector HTTP port (default: 8080)', parsePort)
    .option('-w, --workers <n>', 'collector processes; 0 = one per core (default: 1)')
    .option('--demo', 'also send demo traffic so there is data to look at at once')
    .action(async (flags: UpFlags) => {
      const config = resolveConfig(flags, {
        'collector.port': flags.port,
        'collector.workers': flags.workers === undefined ? undefined : Number(flags.workers),
      });
      const logger = createLogger('up', config.logLevel);
      const { sources, devSource } = sourcesOrDevSource(config);
      const supervisor = new RoleSupervisor(logger);
      const stopAll = async (): Promise<void> => {
        await supervisor.stop();
      };
      try {
        const collectorUrl = await supervisor.start('collector', [...childArgs(flags, config), '--port', String(config.collector.port), '--workers', String(config.collector.workers)]);
        const url = collectorUrl ?? `http://localhost:${config.collector.port}`;
        process.stdout.write(`\nLens is up. Data directory: ${config.dataDir}\n  collector: ${url}  (health: ${url}/health, metrics: ${url}/metrics)\n`);
        if (devSource !== undefined) process.stdout.write(`\n${devSourceBanner(devSource, url)}\n`);
        if (flags.demo) {
          process.stdout.write(`\nDemo traffic is not available yet; send events with the curl line above (source "${sources[0]?.id}").\n`);
        }
        process.stdout.write('\nPress Ctrl+C to stop.\n');
      } catch (error) {
        await stopAll();
        throw error;
      }
      await untilSignal();
      process.stdout.write('Stopping Lens…\n');
      await stopAll();
    });
}
