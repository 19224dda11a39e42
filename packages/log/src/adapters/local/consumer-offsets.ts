// Durable consumer positions: one small JSON file per (consumer, partition), replaced atomically (write temp,
// fsync, rename, fsync dir), so a commit survives a crash and processes committing other partitions never race.
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { LogCorruptionError } from '../../errors.js';
import { layout, readdirOrEmpty, readTextOrUndefined, syncDir } from './segment-files.js';

/** Reads and writes `<dir>/consumers/<consumer>/<partition>.json` = `{"nextOffset": n}`. */
export class ConsumerOffsets {
  readonly #dir: string;
  /** Per-file commit chains, so two commits from this process land in call order. */
  readonly #chains = new Map<string, Promise<void>>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  async commit(consumer: string, partition: number, nextOffset: number): Promise<void> {
    const path = this.#path(consumer, partition);
    const previous = this.#chains.get(path) ?? Promise.resolve();
    const done = previous.then(() => this.#write(consumer, path, nextOffset));
    const settled = done.catch(() => {});
    this.#chains.set(path, settled);
    settled.then(() => {
      if (this.#chains.get(path) === settled) this.#chains.delete(path);
    });
    return done;
  }

  async committed(consumer: string, partition: number): Promise<number | undefined> {
    const path = this.#path(consumer, partition);
    const text = await readTextOrUndefined(path);
    if (text === undefined) return undefined;
    const parsed = safeParse(text) as { nextOffset?: unknown } | undefined;
    if (!Number.isSafeInteger(parsed?.nextOffset)) {
      throw new LogCorruptionError(`consumer offset file ${path} is not {"nextOffset": n}`, { path });
    }
    return parsed!.nextOffset as number;
  }

  /** Names of consumers that ever committed any partition. */
  async consumers(): Promise<string[]> {
    return (await readdirOrEmpty(layout.consumersDir(this.#dir))).filter((n) => !n.startsWith('.')).sort();
  }

  #path(consumer: string, partition: number): string {
    return join(layout.consumerDir(this.#dir, consumer), `${partition}.json`);
  }

  async #write(consumer: string, path: string, nextOffset: number): Promise<void> {
    const cdir = layout.consumerDir(this.#dir, consumer);
    const created = await mkdir(cdir, { recursive: true });
    const tmp = `${path}.${randomUUID()}.tmp`;
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(JSON.stringify({ nextOffset, committedAt: new Date().toISOString() }));
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, path);
    } catch (error) {
      await unlink(tmp).catch(() => {});
      throw error;
    }
    await syncDir(cdir);
    if (created !== undefined) {
      await syncDir(layout.consumersDir(this.#dir));
      await syncDir(this.#dir);
    }
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
