// Names of the files in `_delta_log` (PROTOCOL.md "Delta Log Entries", "Checkpoint Naming Scheme"):
// 20-digit commit versions, classic / multi-part / UUID-named (v2) checkpoints. Anything else is ignored.

/** A commit or checkpoint file found by listing `_delta_log`. */
export type LogFile =
  | { kind: 'commit'; version: number; key: string; lastModified: number }
  | {
      kind: 'checkpoint';
      version: number;
      key: string;
      lastModified: number;
      part: number;
      parts: number;
      format: 'parquet' | 'json';
      uuid?: string;
    };

const COMMIT = /^(\d{20})\.json$/;
const CLASSIC = /^(\d{20})\.checkpoint\.parquet$/;
const MULTI = /^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$/;
const UUID = /^(\d{20})\.checkpoint\.([0-9a-fA-F-]{36})\.(json|parquet)$/;

/** The log directory key prefix of a table. */
export const LOG_DIR = '_delta_log';

/** Key of the commit file for a version. */
export function commitKey(version: number): string {
  return `${LOG_DIR}/${pad20(version)}.json`;
}

/**
 * What `read` gives for the commits from `from` on, in version order, asked for by name in probes of 1, 2, 4… up to
 * `widest` files at once (the usual case, no new commit or one, costs one or two requests), up to the first missing
 * version or to `target`. Undefined when `target` is not reached, or when more than `max` commits would be read
 * (listing, or a checkpoint, is then the cheaper way).
 */
export async function probeCommits<T>(
  from: number,
  target: number | undefined,
  read: (version: number) => Promise<T | undefined>,
  limits: { widest: number; max: number },
): Promise<T[] | undefined> {
  const found: T[] = [];
  let next = from;
  for (let width = 1; target === undefined || next <= target; width = Math.min(width * 2, limits.widest)) {
    if (found.length >= limits.max) return undefined;
    const versions = Array.from({ length: Math.min(width, (target ?? Infinity) - next + 1) }, (_, i) => next + i);
    const probe = await Promise.all(versions.map(read));
    const missing = probe.findIndex((item) => item === undefined);
    for (const item of missing < 0 ? probe : probe.slice(0, missing)) found.push(item as T);
    next += missing < 0 ? probe.length : missing;
    if (missing >= 0) break;
  }
  return target !== undefined && next - 1 < target ? undefined : found;
}

/** Zero-pads a version to the 20 digits the spec requires. */
export function pad20(version: number): string {
  return String(version).padStart(20, '0');
}

/** Classifies a key under `_delta_log/`; returns undefined for files that are not commits or checkpoints. */
export function parseLogFile(key: string, lastModified: number): LogFile | undefined {
  if (!key.startsWith(`${LOG_DIR}/`)) return undefined;
  const name = key.slice(LOG_DIR.length + 1);
  if (name.includes('/')) return undefined;
  let m = COMMIT.exec(name);
  if (m) return { kind: 'commit', version: Number(m[1]), key, lastModified };
  m = CLASSIC.exec(name);
  if (m) return { kind: 'checkpoint', version: Number(m[1]), key, lastModified, part: 1, parts: 1, format: 'parquet' };
  m = MULTI.exec(name);
  if (m)
    return {
      kind: 'checkpoint',
      version: Number(m[1]),
      key,
      lastModified,
      part: Number(m[2]),
      parts: Number(m[3]),
      format: 'parquet',
    };
  m = UUID.exec(name);
  if (m)
    return {
      kind: 'checkpoint',
      version: Number(m[1]),
      key,
      lastModified,
      part: 1,
      parts: 1,
      format: m[3] as 'json' | 'parquet',
      uuid: m[2],
    };
  return undefined;
}
