// Finds the files that make up a snapshot (PROTOCOL.md "Action Reconciliation"): the newest complete
// checkpoint at or below the target version, then every commit after it, which must be contiguous.
import { DeltaProtocolError, TableNotFoundError, VersionNotFoundError } from '../errors.js';
import type { ObjectStore } from '../storage/object-store.js';
import { readLastCheckpoint, type LastCheckpoint } from './last-checkpoint.js';
import { commitKey, LOG_DIR, pad20, parseLogFile, probeCommits, type LogFile } from './log-files.js';

type Commit = Extract<LogFile, { kind: 'commit' }>;
type Checkpoint = Extract<LogFile, { kind: 'checkpoint' }>;

/** The checkpoint parts (maybe none) and the commits to replay after them, in version order. */
export interface LogSegment {
  readonly version: number;
  readonly checkpoint: { version: number; files: Checkpoint[] } | undefined;
  readonly commits: Commit[];
}

/** Lists `_delta_log` (from the `_last_checkpoint` hint when it helps) and builds the segment for `target`. */
export async function buildLogSegment(store: ObjectStore, target?: number): Promise<LogSegment> {
  const hint = await readLastCheckpoint(store);
  if (hint && (target === undefined || hint.version <= target)) {
    const probed = store.listReadsAll === true ? await probeFromHint(store, hint, target) : undefined;
    if (probed) return probed;
    const files = await listLog(store, hint.version);
    // A stale or corrupt hint (checkpoint missing or incomplete) falls back to a full listing.
    const segment = files.some((f) => f.kind === 'checkpoint' && f.version === hint.version)
      ? tryFromFiles(files, target, store)
      : undefined;
    if (segment?.checkpoint && segment.checkpoint.version >= hint.version) return segment;
  }
  const segment = fromFiles(await listLog(store, 0), target, store);
  if (!segment) throw new TableNotFoundError(store.description);
  return segment;
}

/** Commit files asked for at most when probing; a log further ahead of its checkpoint hint is listed. */
const PROBED_COMMITS_MAX = 1000;

/**
 * The segment from the hint's checkpoint and the commits after it, found by asking for them by name; undefined
 * when that cannot be trusted (the checkpoint is not a classic or multi-part one that is all there, its own commit
 * is gone, or the target is not reached), and the caller lists instead. While the checkpoint's commit is there,
 * every later one is: log clean-up deletes a prefix of the versions.
 */
async function probeFromHint(
  store: ObjectStore,
  hint: LastCheckpoint,
  target: number | undefined,
): Promise<LogSegment | undefined> {
  const parts = hint.parts ?? 1;
  if (!Number.isInteger(parts) || parts < 1) return undefined;
  const names =
    parts === 1
      ? [`${pad20(hint.version)}.checkpoint.parquet`]
      : Array.from(
          { length: parts },
          (_, i) => `${pad20(hint.version)}.checkpoint.${pad10(i + 1)}.${pad10(parts)}.parquet`,
        );
  const metas = await Promise.all([
    ...names.map((n) => store.head(`${LOG_DIR}/${n}`)),
    store.head(commitKey(hint.version)),
  ]);
  if (metas.some((m) => m === undefined)) return undefined;
  const checkpoint = metas
    .slice(0, parts)
    .map((m) => parseLogFile(m!.key, m!.lastModified))
    .filter((f): f is Checkpoint => f?.kind === 'checkpoint');
  if (checkpoint.length !== parts) return undefined;
  const metasAfter = await probeCommits(hint.version + 1, target, (v) => store.head(commitKey(v)), {
    widest: 32,
    max: PROBED_COMMITS_MAX,
  });
  if (metasAfter === undefined) return undefined;
  const commits = metasAfter.map((m) => parseLogFile(m.key, m.lastModified) as Commit);
  return { version: hint.version + commits.length, checkpoint: { version: hint.version, files: checkpoint }, commits };
}

function pad10(n: number): string {
  return String(n).padStart(10, '0');
}

/** Every commit file in the log (used for history and timestamp lookups). */
export async function listCommits(store: ObjectStore): Promise<Commit[]> {
  return (await listLog(store, 0)).filter((f): f is Commit => f.kind === 'commit');
}

async function listLog(store: ObjectStore, fromVersion: number): Promise<LogFile[]> {
  // startAfter is exclusive: '~' sorts after every file name of the previous version.
  const startAfter = fromVersion > 0 ? `${LOG_DIR}/${pad20(fromVersion - 1)}~` : undefined;
  const metas = await store.list(`${LOG_DIR}/`, startAfter ? { startAfter } : {});
  return metas.flatMap((m) => parseLogFile(m.key, m.lastModified) ?? []);
}

function tryFromFiles(files: LogFile[], target: number | undefined, store: ObjectStore): LogSegment | undefined {
  try {
    return fromFiles(files, target, store);
  } catch {
    return undefined;
  }
}

function fromFiles(files: LogFile[], target: number | undefined, store: ObjectStore): LogSegment | undefined {
  const commits = files.filter((f): f is Commit => f.kind === 'commit');
  const checkpoints = completeCheckpoints(files.filter((f): f is Checkpoint => f.kind === 'checkpoint'));
  const latestKnown = Math.max(commits.at(-1)?.version ?? -1, checkpoints.at(-1)?.version ?? -1);
  if (latestKnown < 0) return undefined;
  const version = target ?? latestKnown;
  if (version > latestKnown) {
    throw new VersionNotFoundError(`version ${version} does not exist; latest is ${latestKnown}`, {
      version,
      latest: latestKnown,
    });
  }
  const checkpoint = checkpoints.filter((c) => c.version <= version).at(-1);
  const after = commits.filter((c) => c.version > (checkpoint?.version ?? -1) && c.version <= version);
  let expected = (checkpoint?.version ?? -1) + 1;
  for (const c of after) {
    if (c.version !== expected) {
      throw new DeltaProtocolError(`versions are not contiguous: expected ${expected}, found ${c.version}`, {
        table: store.description,
        expected,
        found: c.version,
      });
    }
    expected += 1;
  }
  if (expected - 1 !== version) {
    if (!checkpoint && after.length === 0 && target !== undefined) {
      throw new VersionNotFoundError(
        `cannot reconstruct version ${version}: its commit and earlier checkpoints are gone`,
        { version },
      );
    }
    throw new DeltaProtocolError(`log ends at ${expected - 1} but version ${version} was asked`, { version });
  }
  if (!checkpoint && after[0]?.version !== 0) {
    throw new VersionNotFoundError(`cannot reconstruct version ${version}: no checkpoint and commit 0 is missing`, {
      version,
    });
  }
  return { version, checkpoint, commits: after };
}

/** Groups checkpoint files per version, keeping only versions whose parts are all present (a crash can leave fewer). */
function completeCheckpoints(files: Checkpoint[]): { version: number; files: Checkpoint[] }[] {
  const byVersion = new Map<number, Checkpoint[]>();
  for (const f of files) byVersion.set(f.version, [...(byVersion.get(f.version) ?? []), f]);
  const out: { version: number; files: Checkpoint[] }[] = [];
  for (const [version, all] of [...byVersion.entries()].sort((a, b) => a[0] - b[0])) {
    const single = all.find((f) => f.parts === 1 && f.uuid === undefined) ?? all.find((f) => f.parts === 1);
    if (single) {
      out.push({ version, files: [single] });
      continue;
    }
    const parts = all[0]?.parts ?? 0;
    const set = all.filter((f) => f.parts === parts).sort((a, b) => a.part - b.part);
    if (set.length === parts && set.every((f, i) => f.part === i + 1)) out.push({ version, files: set });
  }
  return out;
}
