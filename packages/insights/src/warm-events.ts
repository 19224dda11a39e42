// Which warm copy of the events (warm-build.ts) a query reads, and when a new one is built. Stale-while-revalidate:
// a copy behind the lake answers at once — the answer reports the copy's versions — and the newest versions are
// built in the background on a second connection of the same DuckDB, so queries keep running on theirs; a query
// waits for a build only when there is no copy yet or the copy lacks a commit made more than `maxLagMs` ago. Each
// copy is its own table (`__warm_events_<n>`): a query pins the copy it started with for all of its statements
// (a kind may run several, e.g. name codes then a scan), the newest finished copy replaces the current one
// between queries, and a replaced copy is dropped once no query holds it.
import type { LakeCatalog } from '@lens/lake';
import type { DuckDBRunner } from './duckdb-runner.js';
import type { Logger } from './logger.js';
import { commitTime } from './table-version.js';
import { WARM_SOURCES, buildWarmCopy, type WarmCopy, type WarmVersions } from './warm-build.js';

/** A copy held by one query; `release()` when the query is done with it. */
export interface WarmLease {
  readonly copy: WarmCopy;
  release(): void;
}

/** Options of the warm copies. */
export interface WarmEventsOptions {
  /** A copy lacking a commit older than this (by commit time) is not answered from: queries wait for a new one. */
  maxLagMs: number;
  logger: Logger;
}

interface Held extends WarmCopy {
  pins: number;
  replaced: boolean;
}

/** Keeps the warm copies of the identity-resolved events. */
export class WarmEvents {
  #current: Held | undefined;
  #build: { versions: WarmVersions; done: Promise<Held> } | undefined;
  /** Replaced copies not dropped yet (held by a query, or their DROP queued). */
  readonly #replaced = new Set<Held>();
  #built = 0;

  /** `builder` runs on its own connection of the engine's DuckDB (not the one queries run on). */
  constructor(
    readonly catalog: LakeCatalog,
    readonly builder: DuckDBRunner,
    readonly options: WarmEventsOptions,
  ) {}

  /**
   * The copy a query on a lake at `latest` reads, pinned until released: the current copy when it is up to date or
   * lacks only commits younger than `maxLagMs` (a build of `latest` is started then, unless one is running), else a
   * copy built now.
   */
  async acquire(latest: WarmVersions): Promise<WarmLease> {
    for (;;) {
      const current = this.#current;
      if (current !== undefined) {
        const lag = await this.#lagMs(current.versions, latest);
        // A build finished while the commit times were read: `current` may be replaced (and dropped) already.
        if (current !== this.#current) continue;
        if (lag === undefined) return this.#lease(current);
        if (lag < this.options.maxLagMs) {
          // Two copies at most: a replaced copy still held by a query is dropped before another build starts.
          if (this.#build === undefined && this.#replaced.size === 0) this.#start(latest);
          return this.#lease(current);
        }
      }
      // No copy, or one too far behind: wait for the build running (then judge again) or for one of `latest`.
      await (this.#build ?? this.#start(latest)).done;
    }
  }

  /** Waits for the build running, if any (close, tests). */
  async idle(): Promise<void> {
    while (this.#build) await this.#build.done.catch(() => undefined);
  }

  /** Interrupts a build running and waits until the builder's connection is free (before closing the database). */
  async close(): Promise<void> {
    if (this.#build) this.builder.db.connection.interrupt();
    await this.idle();
    await this.builder.exclusive(async () => undefined);
  }

  /**
   * Undefined when `copy` holds every commit of `latest`; else how long ago the oldest commit it lacks was made
   * (Infinity when that commit's file is gone, or a table holds fewer versions than the copy: it was recreated).
   */
  async #lagMs(copy: WarmVersions, latest: WarmVersions): Promise<number | undefined> {
    let oldest: number | undefined;
    for (const table of WARM_SOURCES) {
      const path = this.catalog.tablePath(table);
      // A copy ahead of the versions a query read first: another query saw a newer commit and built it.
      if (copy[table] > latest[table] && (await commitTime(path, copy[table])) === undefined) return Infinity;
      if (copy[table] >= latest[table]) continue;
      const missing = await commitTime(path, copy[table] + 1);
      if (missing === undefined) return Infinity;
      oldest = Math.min(oldest ?? missing, missing);
    }
    return oldest === undefined ? undefined : Math.max(0, Date.now() - oldest);
  }

  #start(versions: WarmVersions): { versions: WarmVersions; done: Promise<Held> } {
    const table = `__warm_events_${++this.#built}`;
    const started = performance.now();
    this.options.logger.debug({ versions, table }, 'warm_build_started');
    const done = this.builder
      .exclusive(() => buildWarmCopy(this.catalog, this.builder, versions, table))
      .then((copy): Held => {
        const held: Held = { ...copy, pins: 0, replaced: false };
        const previous = this.#current;
        this.#current = held;
        if (previous) this.#retire(previous);
        this.options.logger.debug({ versions, table, ms: Math.round(performance.now() - started) }, 'warm_built');
        return held;
      })
      .finally(() => {
        if (this.#build?.done === done) this.#build = undefined;
      });
    // A background build has no caller to tell: its failure is logged, and the next query behind starts another.
    done.catch((error: unknown) =>
      this.options.logger.warn(
        { versions, error: error instanceof Error ? error.message : String(error) },
        'warm_build_failed',
      ),
    );
    this.#build = { versions, done };
    return this.#build;
  }

  #lease(held: Held): WarmLease {
    held.pins++;
    let released = false;
    return {
      copy: held,
      release: () => {
        if (released) return;
        released = true;
        held.pins--;
        if (held.replaced && held.pins === 0) this.#drop(held);
      },
    };
  }

  #retire(held: Held): void {
    held.replaced = true;
    this.#replaced.add(held);
    if (held.pins === 0) this.#drop(held);
  }

  #drop(held: Held): void {
    void this.builder
      .exclusive(() => this.builder.db.run(`DROP TABLE IF EXISTS ${held.table}`))
      .catch((error: unknown) =>
        this.options.logger.warn(
          { table: held.table, error: error instanceof Error ? error.message : String(error) },
          'warm_drop_failed',
        ),
      )
      .finally(() => this.#replaced.delete(held));
  }
}
