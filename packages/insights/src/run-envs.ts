// The environments a kind runs in: the lake (views over the tables' snapshots, registered per statement) or a warm
// copy of the events (its table, its name codes and, with kernels, typed-array scans). Statements run one at a time
// on the engine's query connection; a warm statement reading columns the copy lacks throws NEEDS_LAKE, and the
// engine runs the kind again on the lake.
import { prepareLakeQuery, type LakeCatalog } from '@lens/lake';
import type { DuckDBRunner } from './duckdb-runner.js';
import type { RunEnv } from './kinds/insight-kind.js';
import { copyCovers, type WarmCopy } from './warm-build.js';

/** Thrown by a warm environment for a statement the copy cannot answer. */
export const NEEDS_LAKE = Symbol('needs-lake');

/** Statements on the lake's tables as they are now. */
export function lakeRunEnv(runner: DuckDBRunner, catalog: LakeCatalog, hasIdentities: boolean, now: Date): RunEnv {
  return {
    ctx: { hasIdentities },
    now,
    query: (sql) =>
      runner.exclusive(async () => {
        await prepareLakeQuery(catalog, runner.db, sql);
        return runner.all(sql);
      }),
  };
}

/** Statements on `copy` (which the caller holds for the whole run); `kernels` adds typed-array scans. */
export function warmRunEnv(
  runner: DuckDBRunner,
  catalog: LakeCatalog,
  copy: WarmCopy,
  now: Date,
  kernels: boolean,
): RunEnv {
  const covered = async (sql: string): Promise<void> => {
    if (!copyCovers(copy, sql)) throw NEEDS_LAKE;
    await prepareLakeQuery(catalog, runner.db, sql);
  };
  const env: RunEnv = {
    ctx: { hasIdentities: copy.versions['silver.identities'] >= 0, warm: copy.table },
    now,
    query: (sql) =>
      runner.exclusive(async () => {
        await covered(sql);
        return runner.all(sql);
      }),
    nameCodes: () => Promise.resolve(copy.nameCodes),
  };
  if (kernels)
    env.columns = (sql) =>
      runner.exclusive(async () => {
        await covered(sql);
        return runner.columns(sql);
      });
  return env;
}
