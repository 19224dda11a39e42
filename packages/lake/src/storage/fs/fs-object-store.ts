// Local file-system adapter of the ObjectStore port. Exclusive creation writes a temp file, fsyncs it and
// `link()`s it into place (link fails with EEXIST atomically, unlike rename), then fsyncs the directory.
import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, readdir, rename, stat, unlink, copyFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { ObjectNotFoundError } from '../../errors.js';
import { mapBounded } from '../map-bounded.js';
import type { ObjectMeta, ObjectStore } from '../object-store.js';

const TMP_MARK = '.lens-tmp-';

/** Creates an ObjectStore over a local directory (created on first write). */
export function createFsObjectStore(root: string): ObjectStore {
  return new FsObjectStore(root);
}

class FsObjectStore implements ObjectStore {
  readonly description: string;
  /** `readdir` has no "start after": a listing reads the whole directory. */
  readonly listReadsAll = true;
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
    this.description = root;
  }

  #path(key: string): string {
    return join(this.#root, ...key.split('/'));
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      return await readFile(this.#path(key));
    } catch (error) {
      if (isCode(error, 'ENOENT') || isCode(error, 'EISDIR')) throw new ObjectNotFoundError(key, { cause: error });
      throw error;
    }
  }

  async head(key: string): Promise<ObjectMeta | undefined> {
    try {
      const s = await stat(this.#path(key));
      return s.isFile() ? { key, size: s.size, lastModified: s.mtimeMs } : undefined;
    } catch (error) {
      if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return undefined;
      throw error;
    }
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const target = this.#path(key);
    const tmp = await writeTemp(target, data);
    await rename(tmp, target);
    await fsyncDir(dirname(target));
  }

  async putIfAbsent(key: string, data: Uint8Array): Promise<boolean> {
    const target = this.#path(key);
    const tmp = await writeTemp(target, data);
    try {
      await link(tmp, target);
      await fsyncDir(dirname(target));
      return true;
    } catch (error) {
      if (isCode(error, 'EEXIST')) return false;
      throw error;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  async putFile(key: string, localPath: string): Promise<void> {
    const target = this.#path(key);
    await mkdir(dirname(target), { recursive: true });
    const fh = await open(localPath, 'r+');
    await fh.sync().finally(() => fh.close());
    try {
      await rename(localPath, target);
    } catch (error) {
      if (!isCode(error, 'EXDEV')) throw error;
      await copyFile(localPath, target);
      await unlink(localPath);
    }
    await fsyncDir(dirname(target));
  }

  async list(prefix: string, options: { startAfter?: string } = {}): Promise<ObjectMeta[]> {
    const slash = prefix.lastIndexOf('/');
    const base = slash < 0 ? '' : prefix.slice(0, slash);
    const out: ObjectMeta[] = [];
    await walk(this.#root, base, prefix, options.startAfter ?? '', out, true);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async listKeys(prefix: string): Promise<string[]> {
    const slash = prefix.lastIndexOf('/');
    const out: ObjectMeta[] = [];
    await walk(this.#root, slash < 0 ? '' : prefix.slice(0, slash), prefix, '', out, false);
    return out.map((m) => m.key).sort();
  }

  async delete(key: string): Promise<void> {
    await unlink(this.#path(key)).catch((error: unknown) => {
      if (!isCode(error, 'ENOENT')) throw error;
    });
  }

  readableLocation(key: string): string {
    return this.#path(key);
  }
}

/** Collects the files under `dir` whose keys start with `prefix` and sort after `after`; with `stats`, their size and time. */
async function walk(
  root: string,
  dir: string,
  prefix: string,
  after: string,
  out: ObjectMeta[],
  stats: boolean,
): Promise<void> {
  let entries;
  try {
    entries = await readdir(join(root, ...dir.split('/')), { withFileTypes: true });
  } catch (error) {
    if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return;
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.includes(TMP_MARK)) continue;
    const key = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) await walk(root, key, prefix, after, out, stats);
    } else if (entry.isFile() && key.startsWith(prefix) && key > after) {
      files.push(key);
    }
  }
  if (!stats) {
    for (const key of files) out.push({ key, size: NaN, lastModified: NaN });
    return;
  }
  // Several stats in flight: a table's directory holds every file removed in the last 7 days until VACUUM.
  const metas = await mapBounded(files, async (key) => {
    const s = await stat(join(root, ...key.split('/'))).catch(() => undefined);
    return s ? { key, size: s.size, lastModified: s.mtimeMs } : undefined;
  });
  for (const meta of metas) if (meta) out.push(meta);
}

async function writeTemp(target: string, data: Uint8Array): Promise<string> {
  await mkdir(dirname(target), { recursive: true });
  const tmp = `${dirname(target)}${sep}${TMP_MARK}${randomUUID()}`;
  const fh = await open(tmp, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return tmp;
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
