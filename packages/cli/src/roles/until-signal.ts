// How a role waits to be stopped: the first SIGINT or SIGTERM, or its supervisor gone. A module of its own so that
// `lens up` and every role can wait without loading another role's dependencies.
/**
 * Resolves on the first SIGINT or SIGTERM. While the process then shuts down, the other signal is ignored: Ctrl-C
 * under `lens up` reaches every role as SIGINT and `lens up` follows with SIGTERM, which would otherwise kill a
 * role mid-close (its log writer lock left behind). The same signal twice exits at once. A role started by a
 * supervisor (`lens up`, with an IPC channel) also stops when that channel closes: its parent is gone (killed,
 * crashed), and nobody would ever stop it.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let first: NodeJS.Signals | undefined;
    // A 'disconnect' listener keeps the IPC channel, and so the process, alive: it goes once stopping starts.
    const parentGone = (): void => on('SIGHUP');
    const on = (signal: NodeJS.Signals): void => {
      process.removeListener('disconnect', parentGone);
      if (first === undefined) {
        first = signal;
        resolve(signal);
      } else if (signal === first) process.exit(130);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
    if (process.send !== undefined) {
      if (!process.connected) on('SIGHUP');
      else process.once('disconnect', parentGone);
    }
  });
}
