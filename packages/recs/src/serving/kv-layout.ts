// How recommendations sit in the KeyValueStore. Every loaded table set is a version; its keys never change
// after loading, so caches may keep them. One pointer key names the version being served; a load writes a new
// version, then swaps the pointer (one put), then deletes the versions no kept pointer reads.
//
// A version is whole, or a layer over the versions served before it: a layer holds the unlayered families whole
// and, of the per-person families (`p`, `r`, `id`), only the keys that changed, with a tombstone (`[]`, or `''` for a
// link) for a key that is gone. The pointer's `layers` lists the versions a per-person key is looked up in, newest
// first; the first that holds the key answers.

/** The pointer: which version is served, and when its data was computed. */
export interface CurrentVersion {
  version: string;
  /** Epoch ms of the training data's "now" (newest event) and of the load. */
  computedAt: number;
  loadedAt: number;
  /** Delta versions of the gold tables loaded. */
  tables: Record<string, number>;
  /** Versions the per-person keys are read from, newest first (`version` itself first); absent: `[version]`. */
  layers?: string[];
  /** Delta table ids of the tables loaded: a layer is only diffed against the same tables. */
  tableIds?: Record<string, string>;
  /** `tables` of the oldest layer (the whole version the layers sit on). */
  baseTables?: Record<string, number>;
}

/** The versions a per-person key of `pointer` is looked up in, newest first. */
export const layersOf = (pointer: CurrentVersion): readonly string[] => pointer.layers ?? [pointer.version];

/** One stored recommendation: article, score, reason, because-article, section, site, published (epoch ms). */
export interface StoredItem {
  a: string;
  s: number;
  r: string;
  b?: string | null;
  sec?: string | null;
  site?: string | null;
  pub?: number | null;
}

export const POINTER_KEY = 'recs:current';
export const VERSIONS_KEY = 'recs:versions';
/**
 * Versions being written, with when their load started (a JSON array of { version, startedAt }): a load that
 * never finishes (its process killed, its worker aborted) leaves its keys behind, and a later load deletes them.
 */
export const LOADING_KEY = 'recs:loading';
/** Prefix of every key of a version. */
export const versionPrefix = (version: string): string => `recs:v:${version}:`;
/** Person → their list. */
export const personKey = (version: string, personId: string): string => `${versionPrefix(version)}p:${personId}`;
/** Article → similar articles. */
export const articleKey = (version: string, articleId: string): string => `${versionPrefix(version)}a:${articleId}`;
/** Site (or `*` for all) → trending articles. */
export const trendingKey = (version: string, site: string): string => `${versionPrefix(version)}t:${site}`;
/** Person → the top-up candidates (trending, neighbours) they have read: a JSON array of article ids. */
export const readKey = (version: string, personId: string): string => `${versionPrefix(version)}r:${personId}`;
/** Device or secondary user id → person id (only where they differ). */
export const identityKey = (version: string, id: string): string => `${versionPrefix(version)}id:${id}`;

/** Parses a stored list; a corrupt value reads as empty rather than failing the request. */
export function parseItems(value: string | undefined): StoredItem[] {
  if (value === undefined) return [];
  try {
    const parsed = JSON.parse(value) as unknown;
    return Array.isArray(parsed) ? (parsed as StoredItem[]) : [];
  } catch {
    return [];
  }
}
