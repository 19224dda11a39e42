// Answers one recommendations request from the KeyValueStore: the person's list (device ids resolved to the
// person), blended with the context article's neighbours; unknown person ⇒ neighbours of the context ⇒ trending.
// Age limits are applied now, results are topped up from trending, and every served list gets a listId.
import { RecsRequestError } from '../errors.js';
import type { KeyValueStore } from '../kv/key-value-store.js';
import { DEFAULT_AGE_LIMITS, freshUntil, isFresh, type AgeLimits } from './age-limits.js';
import {
  articleKey,
  identityKey,
  personKey,
  readKey,
  trendingKey,
  layersOf,
  type CurrentVersion,
  type StoredItem,
} from './kv-layout.js';
import { readPointer } from './load-recommendations.js';
import { newListId } from './list-id.js';
import { Generations, ParsedListCache } from './parsed-list-cache.js';
import { responseJsonTail } from './response-json.js';
import { noopServedListLog, servedRowRest, servedRowTail, type ServedListLog } from './served-list-log.js';

/** A request, as the HTTP query has it. */
export interface RecommendationRequest {
  userId?: string;
  anonymousId?: string;
  k?: number;
  /** The article being read. */
  context?: string;
  site?: string;
  /** Articles not to return (e.g. read since the last training run). */
  exclude?: readonly string[];
}

/** One recommended article. */
export interface RecommendedItem {
  articleId: string;
  score: number;
  reason: string;
  becauseArticleId?: string;
  section?: string;
  site?: string;
  position: number;
}

/** The response: `listId` identifies this list in `Recommendation Clicked` events. */
export interface RecommendationResponse {
  listId: string;
  /** person (their list), context (neighbours of the article), trending (fallback). */
  source: 'person' | 'context' | 'person+context' | 'trending';
  personId?: string;
  modelVersion: string;
  items: RecommendedItem[];
}

/** Options of `createRecommendationService`. */
export interface RecommendationServiceOptions {
  store: KeyValueStore;
  ageLimits?: AgeLimits;
  defaultK?: number;
  maxK?: number;
  /** How long the served-version pointer is reused before it is read again (default 1000 ms). */
  pointerTtlMs?: number;
  servedLog?: ServedListLog;
  /** Parsed lists kept in process (default 20,000; versioned keys never change, so this is safe); identity links
   *  and keys that hold nothing are kept apart, up to 10 × as many; and as many computed answers (0: none). */
  parsedCacheEntries?: number;
  now?: () => number;
}

/** The recommendations use case, independent of HTTP. */
export interface RecommendationService {
  recommend(request: RecommendationRequest): Promise<RecommendationResponse>;
  /**
   * `responseJson(await recommend(request))` as UTF-8 (the same answer, logged the same way), without building the
   * response: an answer computed before is served again with only its listId new. Optional: endpoints over a
   * service without it call `recommend`.
   */
  recommendJson?(request: RecommendationRequest): Promise<Buffer>;
  /**
   * `recommendJson` without waiting, when it has nothing to look up: the body (the request served, logged) if the
   * answer last served for this request object is still valid, else undefined (call `recommendJson`). Optional.
   */
  recommendJsonNow?(request: RecommendationRequest): Buffer | undefined;
}

/**
 * One computed answer, served again to the same (person, context, site, k, exclude) while it stays what
 * computing it anew would give: same version, and the data clock within [from, until] — `until` is the first
 * moment one of the articles the answer looked at (and took) ages out; the articles it left out for age stay
 * out as the clock moves on, the other filters do not depend on time.
 */
interface Answer {
  version: string;
  from: number;
  until: number;
  source: RecommendationResponse['source'];
  personId: string | undefined;
  modelVersion: string;
  /** Shared by every response built from this answer: never mutated. */
  items: readonly RecommendedItem[];
  /** `responseJsonTail` of the response, as UTF-8. */
  jsonTail: Buffer;
  /** `servedRowTail` of the request and response. */
  rowTail: string;
}

/** `{"listId":"` + a UUID + `"`: what precedes the tail in every body (ASCII). */
const LIST_ID_OPEN = Buffer.from('{"listId":"', 'latin1');
const LIST_ID_BYTES = LIST_ID_OPEN.length + 36 + 1;

/**
 * Serves recommendations from a store loaded by `loadRecommendations`.
 * @example const service = createRecommendationService({ store }); await service.recommend({ anonymousId: 'a1', k: 10 });
 */
export function createRecommendationService(options: RecommendationServiceOptions): RecommendationService {
  const { store } = options;
  const now = options.now ?? Date.now;
  const limits = options.ageLimits ?? DEFAULT_AGE_LIMITS;
  const maxK = options.maxK ?? 50;
  const log = options.servedLog ?? noopServedListLog;
  const cacheEntries = options.parsedCacheEntries ?? 20_000;
  const cache = new ParsedListCache(store, cacheEntries);
  /** Answers of the version being served, by `answerKey` (dropped whole when the version changes). */
  let answers = new Generations<Answer>(cacheEntries);
  let answersOf = '';
  let pointer: { value: CurrentVersion | undefined; at: number } | undefined;
  const current = async (): Promise<CurrentVersion> => {
    if (!pointer || now() - pointer.at > (options.pointerTtlMs ?? 1000))
      pointer = { value: await readPointer(store), at: now() };
    if (!pointer.value) throw new RecsRequestError('no recommendations are loaded yet (run `lens recs load`)', 503);
    return pointer.value;
  };
  const answer = async (request: RecommendationRequest): Promise<Answer> => {
    const k = request.k ?? options.defaultK ?? 10;
    if (!Number.isInteger(k) || k < 1 || k > maxK)
      throw new RecsRequestError(`k must be an integer from 1 to ${maxK}`, 400, { k });
    const v = await current();
    if (v.version !== answersOf) {
      answers = new Generations<Answer>(cacheEntries);
      answersOf = v.version;
    }
    const ids = [request.userId, request.anonymousId].filter((x): x is string => !!x);
    const layers = layersOf(v);
    const links =
      ids.length === 0
        ? []
        : await lookUp(
            cache,
            layers,
            ids.map((id) => (version) => identityKey(version, id)),
            [],
            false,
          );
    // The person each id links to, then the ids themselves: identities load at their newest version, the lists at
    // the trained one, so a device linked after training still finds its own list and reads under its own id. (An
    // empty link is a layer's tombstone: the link was removed.)
    const people = [
      ...new Set([...ids.map((id, i) => (typeof links[i] === 'string' && links[i] !== '' ? links[i] : id)), ...ids]),
    ];
    const found = await lookUp(
      cache,
      layers,
      [
        ...people.map((p) => (version: string) => personKey(version, p)),
        ...people.map((p) => (version: string) => readKey(version, p)),
      ],
      [
        ...(request.context ? [articleKey(v.version, request.context)] : []),
        trendingKey(v.version, request.site ?? '*'),
      ],
      true,
    );
    // people's lists, the context's neighbours, people's reads, trending.
    const n = people.length;
    const values = [
      ...found.slice(0, n),
      ...(request.context ? [found[2 * n]] : []),
      ...found.slice(n, 2 * n),
      found[found.length - 1],
    ].map((x) => (Array.isArray(x) ? x : undefined));
    // Every site with articles read lately has its trending list: without one the site id is not one Lens knows
    // (an empty 200 would look like "nothing to recommend").
    if (request.site !== undefined && values[values.length - 1] === undefined)
      throw new RecsRequestError(
        `unknown site "${request.site}": no article of that site is in the served recommendations (site ids are the articles' site, as in gold.trending_articles.site)`,
        400,
        { site: request.site },
      );
    const personIndex = people.findIndex((_, i) => values[i] !== undefined && values[i]!.length > 0);
    // What the person read of the top-up candidates (trending, neighbours): stored as article ids.
    const readsAt = people.length + (request.context ? 1 : 0);
    let read: Set<string> | undefined;
    for (let i = 0; i < people.length; i++)
      for (const a of (values[readsAt + i] ?? []) as unknown as readonly string[]) (read ??= new Set()).add(a);
    // Article ages are measured on the data's clock, advanced by the time since the load (= wall clock when live).
    const at = v.computedAt + (now() - v.loadedAt);
    // An answer depends on the person when they have a list or reads to leave out.
    const dependsOn = people.filter((_, i) => i === personIndex || (values[readsAt + i]?.length ?? 0) > 0);
    const keyPerson = dependsOn.length === 0 ? undefined : dependsOn.join('\u0001');
    const key = answerKey(k, keyPerson, request);
    const known = cacheEntries > 0 ? answers.get(key) : undefined;
    if (known !== undefined && at >= known.from && at < known.until) return known;
    const personal = personIndex >= 0 ? values[personIndex]! : [];
    const similar = request.context ? (values[people.length] ?? []) : [];
    const trending = values[values.length - 1] ?? [];
    const context = request.context;
    const skip = request.exclude && request.exclude.length > 0 ? new Set(request.exclude) : undefined;
    let until = Infinity;
    const ok = (i: StoredItem): boolean => {
      if (
        i.a === context ||
        skip?.has(i.a) ||
        read?.has(i.a) ||
        (request.site && i.site && i.site !== request.site) ||
        !isFresh(i.sec, i.pub, at, limits)
      )
        return false;
      until = Math.min(until, freshUntil(i.sec, i.pub, limits));
      return true;
    };
    const source =
      personal.length > 0
        ? similar.length > 0
          ? 'person+context'
          : 'person'
        : similar.length > 0
          ? 'context'
          : 'trending';
    const chosen = new Map<string, StoredItem>();
    // Walk the lists lazily up to k: most requests stop early, so most items are never filtered or copied.
    const take = (list: readonly StoredItem[]): void => {
      for (const i of list) {
        if (chosen.size >= k) return;
        if (!chosen.has(i.a) && ok(i)) chosen.set(i.a, i);
      }
    };
    take(
      personal.length > 0 && similar.length > 0
        ? blend(personal.filter(ok), similar.filter(ok))
        : personal.length > 0
          ? personal
          : similar,
    );
    const primary = chosen.size;
    take(trending);
    const items: RecommendedItem[] = [];
    // Top-ups after a person's or an article's list keep their trending order on the list's scale, below its last
    // item: their raw trending scores (views, tens) put the filler first for a client that sorts by score.
    const last = primary > 0 ? [...chosen.values()][primary - 1]!.s : 0;
    let firstTopUp: number | undefined;
    for (const i of chosen.values()) {
      let score = i.s;
      if (primary > 0 && items.length >= primary) {
        firstTopUp ??= i.s;
        score = round6(last * 0.5 * (firstTopUp > 0 ? i.s / firstTopUp : 1));
      }
      const item: RecommendedItem = { articleId: i.a, score, reason: i.r, position: items.length + 1 };
      if (i.b) item.becauseArticleId = i.b;
      if (i.sec) item.section = i.sec;
      if (i.site) item.site = i.site;
      items.push(item);
    }
    const shape = {
      source,
      modelVersion: v.version,
      items,
      ...(personIndex >= 0 ? { personId: people[personIndex]! } : {}),
    } as const;
    const computed: Answer = {
      version: v.version,
      from: at,
      until,
      source,
      personId: shape.personId,
      modelVersion: v.version,
      items,
      jsonTail: Buffer.from(responseJsonTail(shape)),
      rowTail: servedRowTail(request, { listId: '', ...shape }),
    };
    if (cacheEntries > 0) answers.set(key, computed);
    return computed;
  };
  /**
   * The answer last served for a request object (a server that reuses the request of a query it has seen
   * before skips resolving ids and lists), while its version is served and the clock is within its window.
   */
  const byRequest = new WeakMap<RecommendationRequest, { answer: Answer; rowRest: Buffer }>();
  const reusable = (a: Answer | undefined): a is Answer => {
    if (a === undefined || pointer?.value?.version !== a.version) return false;
    const t = now();
    if (t - pointer.at > (options.pointerTtlMs ?? 1000)) return false;
    const at = pointer.value.computedAt + (t - pointer.value.loadedAt);
    return at >= a.from && at < a.until;
  };
  /** The response of an answer under a new listId, logged as served. */
  const serve = (
    request: RecommendationRequest,
    a: Answer,
    items: RecommendedItem[],
    rowRest?: Buffer,
  ): RecommendationResponse => {
    const response: RecommendationResponse = {
      listId: newListId(),
      source: a.source,
      modelVersion: a.modelVersion,
      items,
    };
    if (a.personId !== undefined) response.personId = a.personId;
    log.record({
      listId: response.listId,
      servedAt: now(),
      request,
      response,
      rowTail: a.rowTail,
      rowRest,
    });
    return response;
  };
  /** The body of an answer under a new listId (logged as served). */
  const body = (request: RecommendationRequest, served: { answer: Answer; rowRest: Buffer }): Buffer => {
    const a = served.answer;
    const response = serve(request, a, a.items as RecommendedItem[], served.rowRest);
    // Written into one buffer (from Node's pool): no string of the body is built, copied or encoded per request.
    const out = Buffer.allocUnsafe(LIST_ID_BYTES + a.jsonTail.length);
    LIST_ID_OPEN.copy(out, 0);
    out.write(response.listId, LIST_ID_OPEN.length, 'latin1');
    out[LIST_ID_BYTES - 1] = 0x22; // '"'
    a.jsonTail.copy(out, LIST_ID_BYTES);
    return out;
  };
  return {
    async recommend(request) {
      const a = await answer(request);
      return serve(
        request,
        a,
        a.items.map((i) => ({ ...i })), // the caller's to keep or change; the answer's own stay as they are
      );
    },
    async recommendJson(request) {
      let served = byRequest.get(request);
      if (!reusable(served?.answer)) {
        const fresh = await answer(request);
        if (served?.answer !== fresh) {
          // The served row's bytes after its list id and time, kept with the answer for this request object.
          served = { answer: fresh, rowRest: Buffer.from(servedRowRest(request, fresh.rowTail)) };
          byRequest.set(request, served);
        }
      }
      return body(request, served!);
    },
    recommendJsonNow(request) {
      const served = byRequest.get(request);
      return served !== undefined && reusable(served.answer) ? body(request, served) : undefined;
    },
  };
}

/**
 * The values of per-person keys (`layeredKeys`, each a key per version), each from the newest of `layers` that
 * holds it, then those of `plainKeys` (of the newest version): one lookup, so layers cost no extra round trip.
 */
async function lookUp(
  cache: ParsedListCache,
  layers: readonly string[],
  layeredKeys: readonly ((version: string) => string)[],
  plainKeys: readonly string[],
  lists: boolean,
): Promise<(StoredItem[] | string | undefined)[]> {
  const keys: string[] = [];
  for (const keyOf of layeredKeys) for (const version of layers) keys.push(keyOf(version));
  keys.push(...plainKeys);
  const values = await cache.getMany(
    keys,
    keys.map(() => lists),
  );
  if (layers.length === 1) return values;
  const out: (StoredItem[] | string | undefined)[] = new Array(layeredKeys.length + plainKeys.length);
  for (let i = 0; i < layeredKeys.length; i++)
    for (let j = 0; j < layers.length; j++) {
      const value = values[i * layers.length + j];
      if (value !== undefined) {
        out[i] = value;
        break;
      }
    }
  for (let i = 0; i < plainKeys.length; i++)
    out[layeredKeys.length + i] = values[layeredKeys.length * layers.length + i];
  return out;
}

/**
 * What an answer depends on besides the version and the clock: k, the person whose list is used (none: the
 * context's neighbours or trending), context, site and the articles excluded. Lengths keep the parts apart.
 */
function answerKey(k: number, person: string | undefined, r: RecommendationRequest): string {
  const p = person ?? '';
  const c = r.context ?? '';
  const s = r.site ?? '';
  const x = r.exclude && r.exclude.length > 0 ? r.exclude.join(',') : '';
  return k + ':' + (person === undefined ? '-' : p.length + ':' + p) + c.length + ':' + c + s.length + ':' + s + x;
}
/** Scores as the stored lists have them (list-queries.ts: `round(score, 6)`). */
const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Person and context lists blended on scores normalised to each list's best; either alone is itself. */
function blend(personal: StoredItem[], similar: StoredItem[]): StoredItem[] {
  if (personal.length === 0 || similar.length === 0) return personal.length > 0 ? personal : similar;
  const top = (l: StoredItem[]): number => Math.max(...l.map((i) => i.s), 1e-12);
  const [tp, ts] = [top(personal), top(similar)];
  const merged = new Map<string, StoredItem>();
  for (const [list, t] of [
    [personal, tp],
    [similar, ts],
  ] as const) {
    for (const i of list) {
      const prev = merged.get(i.a);
      const s = i.s / t;
      merged.set(i.a, prev ? { ...(prev.s >= s ? prev : i), s: prev.s + s } : { ...i, s });
    }
  }
  return [...merged.values()]
    .sort((a, b) => b.s - a.s || a.a.localeCompare(b.a))
    .map((i) => ({ ...i, s: round6(i.s) }));
}
