// `lens server`: the HTTP API — insights, trending now, locked-down SQL and the lake catalog — on port 3000.
import type { Command } from 'commander';
import { parsePort, resolveConfig, withCommonOptions, type CommonOptions } from '../common-options.js';
import { createLogger } from '../logger.js';

interface ServerFlags extends CommonOptions {
  port?: number;
  host?: string;
}

/** Registers `lens server`. */
export function registerServerCommand(program: Command): void {
  withCommonOptions(
    program
      .command('server')
      .description(
        'run the API server: POST /api/insights/{kind}, GET /api/trending, POST /api/sql, GET /api/tables, /api/openapi.json',
      ),
  )
    .option('-p, --port <port>', 'HTTP port (default: 3000)', parsePort)
    .option('--host <host>', 'interface to listen on (default: 0.0.0.0)')
    .action(async (flags: ServerFlags) => {
      const config = resolveConfig(flags, { 'server.port': flags.port, 'server.host': flags.host });
      const logger = createLogger('server', config.logLevel);
      const [{ runServerRole }, { serverPlugins }] = await Promise.all([
        import('../roles/server-role.js'),
        import('../roles/server-plugins.js'),
      ]);
      await runServerRole(config, logger, await serverPlugins(config, logger));
    });
}
