// How a role waits to be stopped: the first SIGINT or SIGTERM, or its supervisor gone. A module of its own so that
// `lens up` and every role can wait without loading another role's dependencies.
/**
 * A repeat of the first signal this soon after it is the same stop request delivered twice, not a second one: a
 * signal sent to the whole process group (`timeout`, a terminal's Ctrl-C, a service manager) reaches a wrapper
 * too (`npx`), which forwards it again.
 */
const SAME_REQUEST_MS = 500;

/**
 * Resolves on the first SIGINT or SIGTERM. While the process then shuts down, the other signal is ignored: Ctrl-C
 * under `lens up` reaches every role as SIGINT and `lens up` follows with SIGTERM, which would otherwise kill a
 * role mid-close (its log writer lock left behind). The same signal again, SAME_REQUEST_MS or more after the
 * first, exits at once (a second Ctrl-C) — except SIGTERM in a process a supervisor started (`lens up`, with an
 * IPC channel): that repeat is the supervisor's own stop request following the process group's SIGTERM
 * (`timeout 60 npx lens up` signals them all), and the supervisor kills a role that does not stop in time. A
 * supervised role also stops when that channel closes: its parent is gone (killed, crashed), and nobody would
 * ever stop it.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let first: NodeJS.Signals | undefined;
    let firstAt = 0;
    const supervised = process.send !== undefined;
    // A 'disconnect' listener keeps the IPC channel, and so the process, alive: it goes once stopping starts.
    const parentGone = (): void => on('SIGHUP');
    const on = (signal: NodeJS.Signals): void => {
      process.removeListener('disconnect', parentGone);
      if (first === undefined) {
        first = signal;
        firstAt = Date.now();
        resolve(signal);
      } else if (signal === first && Date.now() - firstAt >= SAME_REQUEST_MS && !(supervised && signal === 'SIGTERM'))
        process.exit(130);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
    if (process.send !== undefined) {
      if (!process.connected) on('SIGHUP');
      else process.once('disconnect', parentGone);
    }
  });
}
