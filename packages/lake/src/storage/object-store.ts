// The object-storage port: the few operations a Delta table needs from a file system or bucket.
// Kept small on purpose (each method pins every adapter); `putIfAbsent` is what makes Delta commits atomic.

/** What a listing knows about one object. */
export interface ObjectMeta {
  /** Key relative to the store root, `/`-separated (e.g. `_delta_log/00000000000000000000.json`). */
  readonly key: string;
  readonly size: number;
  /** Last modification time, milliseconds since the epoch. */
  readonly lastModified: number;
}

/**
 * A flat key/value store of immutable-ish objects, rooted at one directory or bucket prefix.
 *
 * Contract (checked by `object-store.contract.ts` against every adapter):
 * - `putIfAbsent` is atomic and exclusive: of concurrent callers for one key exactly one gets `true`,
 *   and readers never see a partial object (an S3 adapter maps it to `PUT` with `If-None-Match: *`).
 * - `put` replaces atomically (readers see the old or the new bytes, never a mix).
 * - `list` returns every object whose key starts with `prefix`, sorted by key, recursively.
 */
export interface ObjectStore {
  /** Reads a whole object; throws `ObjectNotFoundError` when absent. */
  get(key: string): Promise<Uint8Array>;
  /** Size and mtime of an object, or `undefined` when absent. */
  head(key: string): Promise<ObjectMeta | undefined>;
  /** Writes (or replaces) an object atomically. */
  put(key: string, data: Uint8Array): Promise<void>;
  /** Creates an object only if no object has that key; returns false when one already exists. */
  putIfAbsent(key: string, data: Uint8Array): Promise<boolean>;
  /** Moves a local file (written by DuckDB) into the store under `key`, replacing nothing; the file is consumed. */
  putFile(key: string, localPath: string): Promise<void>;
  /** Objects under a key prefix, sorted by key; `startAfter` skips keys <= it (S3's `start-after`). */
  list(prefix: string, options?: { startAfter?: string }): Promise<ObjectMeta[]>;
  /**
   * The keys `list` would return, without their size and time: a file system then reads the directory without a
   * stat per file (a `_delta_log` holds one per commit).
   */
  listKeys(prefix: string): Promise<string[]>;
  /** Removes an object; absent objects are not an error. */
  delete(key: string): Promise<void>;
  /**
   * A location DuckDB can read directly (a local path, later an `s3://` URL), or undefined when the store
   * is not reachable by DuckDB (the in-memory adapter), in which case readers stage a local copy.
   */
  readableLocation(key: string): string | undefined;
  /** Human-readable root, for error messages. */
  readonly description: string;
  /**
   * True when `list` reads every entry under the prefix whatever `startAfter` says (a directory): readers then
   * ask for the newest log files by name rather than list a `_delta_log` that holds a file per commit.
   */
  readonly listReadsAll?: boolean;
}

/** Joins key segments with `/`, dropping empty ones. */
export function joinKey(...parts: string[]): string {
  return parts
    .filter((p) => p !== '')
    .join('/')
    .replace(/\/{2,}/g, '/');
}
