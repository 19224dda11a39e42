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
