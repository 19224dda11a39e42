// Starts dynalite (an implementation of DynamoDB's API on LevelDB, in memory here) on a loopback port for
// tests and benchmarks. If it cannot load, tests skip loudly — except under CI, where that is a failure.
import type { AddressInfo } from 'node:net';

/** A running dynalite and the adapter options pointing at it. */
export interface DynaliteServer {
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts an in-memory dynalite on 127.0.0.1 and a random port. */
export async function startDynalite(): Promise<DynaliteServer> {
  const { default: dynalite } = await import('dynalite');
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => server.close(() => r())) };
}

/** Why dynalite cannot run here, or undefined when it can. */
export async function dynaliteUnavailable(): Promise<string | undefined> {
  try {
    const s = await startDynalite();
    await s.stop();
    return undefined;
  } catch (error) {
    const reason = `dynalite cannot start: ${(error as Error).message}`;
    if (process.env['CI']) throw new Error(reason, { cause: error });
    process.stderr.write(`\n*** SKIPPING DynamoDB tests: ${reason} ***\n\n`);
    return reason;
  }
}

/** Static credentials dynalite accepts (it does not check them). */
export const DYNALITE_CREDENTIALS = { accessKeyId: 'lens-test', secretAccessKey: 'lens-test' } as const;
