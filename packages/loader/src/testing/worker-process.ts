// Parent side of loader-worker: start a loader child, wait for its messages, ask for stats, SIGKILL or stop it.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoaderStats } from '../loader.js';

const WORKER = fileURLToPath(new URL('./loader-worker.js', import.meta.url));

/** A loader running in a child process. */
export class WorkerProcess {
  static readonly #all = new Set<WorkerProcess>();
  private constructor(readonly child: ChildProcess) {
    WorkerProcess.#all.add(this);
    child.once('exit', () => WorkerProcess.#all.delete(this));
  }

  /** SIGKILLs every worker still running (an `after` hook, so a failed test leaves no child behind). */
  static async killAll(): Promise<void> {
    await Promise.all([...WorkerProcess.#all].map((w) => w.kill()));
  }

  /** Forks a loader on `dataDir` and waits until it runs. */
  static async start(dataDir: string, config: object): Promise<WorkerProcess> {
    const child = fork(WORKER, [dataDir, JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const worker = new WorkerProcess(child);
    await worker.#next('ready', 30_000);
    return worker;
  }

  #next(type: string, timeoutMs: number): Promise<{ stats: LoaderStats }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`worker: no ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (m: { type: string; stats: LoaderStats }): void => {
        if (m.type === type) {
          cleanup();
          resolve(m);
        }
      };
      const onExit = (code: number | null): void => {
        cleanup();
        reject(new Error(`worker exited (${code}) before ${type}`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
    });
  }

  async stats(): Promise<LoaderStats> {
    const reply = this.#next('stats', 10_000);
    this.child.send({ type: 'stats' });
    return (await reply).stats;
  }

  /** SIGKILL, then wait for the exit. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
  }

  /** Graceful stop (flush, release leases), then wait for the exit. */
  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ type: 'stop' });
    await exited;
  }
}
