// The server role: `lens server` (and the server inside `lens up`) — the read API over the lake on
// config.server.port, with any plugins other packages mount (recommendations, dashboard), until a signal.
import { createServer, type ServerPlugin } from '@lens/server';
import type { LensConfig } from '@lens/protocol';
import type { Logger } from 'pino';
import { untilSignal } from './until-signal.js';

/** Serves until SIGINT/SIGTERM; tells a supervising `lens up` when it listens. */
export async function runServerRole(
  config: LensConfig,
  logger: Logger,
  plugins: readonly ServerPlugin[] = [],
): Promise<void> {
  const server = await createServer({ config: config.server, dataDir: config.dataDir, logger, plugins });
  let url: string;
  try {
    ({ url } = await server.listen());
  } catch (error) {
    await server.close();
    throw new Error(`cannot listen on ${config.server.host}:${config.server.port}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (config.server.readTokens.length === 0)
    logger.warn({}, 'server_without_read_tokens: /api/* is open to anyone who can reach the port');
  process.send?.({ type: 'lens:ready', url });
  await untilSignal();
  logger.info({}, 'server_stopping');
  await server.close();
}
