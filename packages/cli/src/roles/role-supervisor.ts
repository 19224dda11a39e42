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
}

export class RoleSupervisor {
  readonly #logger: Logger;
  readonly #roles: SupervisedRole[] = [];
  #stopping = false;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Starts `lens <name> <args>` and resolves with the URL it reports once it serves. */
  start(name: string, args: string[]): Promise<string | undefined> {
    const role: SupervisedRole = { name, args, restarts: 0 };
    this.#roles.push(role);
    return this.#spawn(role);
  }

  #spawn(role: SupervisedRole): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [LENS_BIN, role.name, ...role.args], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      role.child = child;
      let ready = false;
      child.on('message', (message: { type?: string; url?: string }) => {
        if (message.type !== 'lens:ready' || ready) return;
        ready = true;
        role.restarts = 0;
        resolve(message.url);
      });
      child.on('exit', (code, signal) => {
        if (this.#stopping) return;
        if (!ready)
          return reject(new Error(`lens ${role.name} exited before it was ready (code ${code}, signal ${signal})`));
        const delay = Math.min(30_000, 500 * 2 ** role.restarts++);
        this.#logger.error({ role: role.name, code, signal, restartInMs: delay }, 'role_died_restarting');
        setTimeout(() => {
          if (!this.#stopping)
            this.#spawn(role).catch((error: unknown) =>
              this.#logger.error({ err: error, role: role.name }, 'role_restart_failed'),
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
