// Runs roles (`lens collector`, later `lens loader`, `lens server`) as child processes of `lens up`, so a
// busy loader never slows the collector's answers; restarts a role that dies, with backoff.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';

const LENS_BIN = fileURLToPath(new URL('../../bin/lens.js', import.meta.url));

interface SupervisedRole {
  name: string;
  args: string[];
  child?: ChildProcess;
  restarts: number;
  /** When its current process reported ready. */
  readyAt?: number;
}

/** A role that served this long before it died starts its backoff again from the shortest delay. */
const STABLE_MS = 60_000;

export class RoleSupervisor {
  readonly #logger: Logger;
  readonly #roles: SupervisedRole[] = [];
  #stopping = false;

  readonly #bin: string;

  /** `bin`: the script run as `node <bin> <role> <args>` (the lens CLI; tests pass their own). */
  constructor(logger: Logger, bin = LENS_BIN) {
    this.#logger = logger;
    this.#bin = bin;
  }

  /** The pid of a role's current process (undefined between a death and its restart). */
  pid(name: string): number | undefined {
    const child = this.#roles.find((r) => r.name === name)?.child;
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  /** Starts `lens <name> <args>` and resolves with the URL it reports once it serves. */
  start(name: string, args: string[]): Promise<string | undefined> {
    const role: SupervisedRole = { name, args, restarts: 0 };
    this.#roles.push(role);
    return this.#spawn(role);
  }

  /**
   * Spawns the role. The first start rejects when the role exits before it is ready (`lens up` reports it);
   * once it has served, any exit — a restart's included, however early — is followed by another restart, with
   * backoff, until `lens up` stops.
   */
  #spawn(role: SupervisedRole, restart = false): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [this.#bin, role.name, ...role.args], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      role.child = child;
      let ready = false;
      child.on('message', (message: { type?: string; url?: string }) => {
        if (message.type !== 'lens:ready' || ready) return;
        ready = true;
        role.readyAt = Date.now();
        resolve(message.url);
      });
      child.on('exit', (code, signal) => {
        if (this.#stopping) return;
        if (!ready && !restart)
          return reject(new Error(`lens ${role.name} exited before it was ready (code ${code}, signal ${signal})`));
        if (!ready) resolve(undefined); // a restart that died early: the next one is scheduled below
        // Backoff starts again only after a role served a while: one that crashes soon after each ready report
        // (a bad file it reads at start, a port taken later) was restarted every 500 ms for ever.
        if (ready && Date.now() - (role.readyAt ?? 0) >= STABLE_MS) role.restarts = 0;
        const delay = Math.min(30_000, 500 * 2 ** role.restarts++);
        // `child`: the logger's base already has `role` (this process's, "up").
        this.#logger.error({ child: role.name, code, signal, ready, restartInMs: delay }, 'role_died_restarting');
        setTimeout(() => {
          if (!this.#stopping)
            this.#spawn(role, true).catch((error: unknown) =>
              this.#logger.error({ err: error, child: role.name }, 'role_restart_failed'),
            );
        }, delay);
      });
    });
  }

  /** Asks every role to stop (SIGTERM) and waits for them, killing any still running after `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.#stopping = true;
    await Promise.all(
      this.#roles.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child === undefined || child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}
