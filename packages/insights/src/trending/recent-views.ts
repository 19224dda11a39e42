// Recent article views held in JS typed arrays, sorted by time: a trending request reads only the rows of its
// window and baseline (found by binary search) and ranks in a few hundred microseconds — a SQL query on a
// small DuckDB table costs several milliseconds of planning and scheduling alone, which is most of a request.

/** Strings as dense codes (−1 = null). */
class Dictionary {
  readonly values: string[] = [];
  readonly #codes = new Map<string, number>();

  code(value: string | null): number {
    if (value === null) return -1;
    let c = this.#codes.get(value);
    if (c === undefined) {
      c = this.values.length;
      this.values.push(value);
      this.#codes.set(value, c);
    }
    return c;
  }

  /** The code of `value` if known, −2 (matching no row) if not. */
  find(value: string): number {
    return this.#codes.get(value) ?? -2;
  }
}

/** One view as loaded: time in µs since the epoch. */
export interface ViewRow {
  tsUs: number;
  articleId: string | null;
  section: string | null;
  site: string | null;
}

/** Per-article figures of one ranking. */
export interface RankedArticle {
  articleId: string;
  site: string | null;
  section: string | null;
  views: number;
  score: number;
  baseline: number;
}

/** The ranking's parameters (times in µs since the epoch). */
export interface RankWindow {
  nowUs: number;
  windowStartUs: number;
  baselineStartUs: number;
  halfLifeMinutes: number;
  site?: string;
  section?: string;
  limit: number;
}

/** Views sorted by time, column-wise. */
export class RecentViews {
  #ts = new Float64Array(1024);
  #article = new Int32Array(1024);
  #section = new Int32Array(1024);
  #site = new Int32Array(1024);
  #length = 0;
  #articles = new Dictionary();
  readonly #sections = new Dictionary();
  readonly #sites = new Dictionary();

  get length(): number {
    return this.#length;
  }

  clear(): void {
    this.#length = 0;
    this.#articles = new Dictionary();
  }

  /** Adds views (any order); the arrays stay sorted by time. */
  add(rows: readonly ViewRow[]): void {
    if (rows.length === 0) return;
    const sorted = [...rows].sort((a, b) => a.tsUs - b.tsUs);
    this.#reserve(this.#length + sorted.length);
    const from = this.#length;
    for (const r of sorted) {
      const i = this.#length++;
      this.#ts[i] = r.tsUs;
      this.#article[i] = this.#articles.code(r.articleId);
      this.#section[i] = this.#sections.code(r.section);
      this.#site[i] = this.#sites.code(r.site);
    }
    // Late events (older than what is held) are rare: merge by re-sorting the whole table only then.
    if (from > 0 && this.#ts[from]! < this.#ts[from - 1]!) this.#resort();
  }

  /**
   * Drops views at or before `us` when there are at least `atLeast` of them (memory stays bounded on a
   * long-running server; dropping in chunks keeps the shift of the remaining rows off most requests) and
   * renumbers the articles still held. Returns whether it dropped.
   */
  dropUntil(us: number, atLeast = 1): boolean {
    const cut = this.#upper(us);
    if (cut === 0 || cut < atLeast) return false;
    for (const col of [this.#ts, this.#article, this.#section, this.#site]) col.copyWithin(0, cut, this.#length);
    this.#length -= cut;
    const old = this.#articles.values;
    this.#articles = new Dictionary();
    for (let i = 0; i < this.#length; i++) {
      const a = this.#article[i]!;
      if (a >= 0) this.#article[i] = this.#articles.code(old[a]!);
    }
    return true;
  }

  /** Articles viewed in (windowStart, now], ranked by time-decayed views, with their baseline view counts. */
  rank(w: RankWindow): RankedArticle[] {
    const site = w.site === undefined ? undefined : this.#sites.find(w.site);
    const section = w.section === undefined ? undefined : this.#sections.find(w.section);
    const keep = (i: number): boolean =>
      (site === undefined || this.#site[i] === site) && (section === undefined || this.#section[i] === section);
    // Per-article tallies indexed by article code (a few typed arrays, no per-row map lookups).
    const articles = this.#articles.values.length;
    const views = new Int32Array(articles);
    const baseline = new Int32Array(articles);
    const score = new Float64Array(articles);
    const first = new Int32Array(articles);
    const seen: number[] = [];
    const decayPerSecond = 1 / 60 / w.halfLifeMinutes;
    for (let i = this.#upper(w.windowStartUs), end = this.#upper(w.nowUs); i < end; i++) {
      const a = this.#article[i]!;
      if (a < 0 || !keep(i)) continue;
      if (views[a] === 0) {
        first[a] = i;
        seen.push(a);
      }
      views[a] = views[a]! + 1;
      score[a] = score[a]! + Math.pow(2, -((w.nowUs - this.#ts[i]!) / 1e6) * decayPerSecond);
    }
    for (let i = this.#upper(w.baselineStartUs), end = this.#upper(w.windowStartUs); i < end; i++) {
      const a = this.#article[i]!;
      if (a >= 0 && views[a]! > 0 && keep(i)) baseline[a] = baseline[a]! + 1;
    }
    const out: RankedArticle[] = seen.map((a) => ({
      articleId: this.#articles.values[a]!,
      site: this.#sites.values[this.#site[first[a]!]!] ?? null,
      section: this.#sections.values[this.#section[first[a]!]!] ?? null,
      views: views[a]!,
      score: score[a]!,
      baseline: baseline[a]!,
    }));
    out.sort((p, q) => q.score - p.score || (p.articleId < q.articleId ? -1 : p.articleId > q.articleId ? 1 : 0));
    return out.slice(0, w.limit);
  }

  /** First index with a time > us. */
  #upper(us: number): number {
    let lo = 0;
    let hi = this.#length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#ts[mid]! <= us) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #reserve(n: number): void {
    if (n <= this.#ts.length) return;
    const size = Math.max(n, this.#ts.length * 2);
    const grow = <T extends Float64Array | Int32Array>(a: T, make: (k: number) => T): T => {
      const b = make(size);
      b.set(a.subarray(0, this.#length));
      return b;
    };
    this.#ts = grow(this.#ts, (k) => new Float64Array(k));
    this.#article = grow(this.#article, (k) => new Int32Array(k));
    this.#section = grow(this.#section, (k) => new Int32Array(k));
    this.#site = grow(this.#site, (k) => new Int32Array(k));
  }

  #resort(): void {
    const n = this.#length;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.#ts[a]! - this.#ts[b]! || a - b);
    for (const col of [this.#ts, this.#article, this.#section, this.#site]) {
      const copy = order.map((i) => col[i]!);
      col.set(copy);
    }
  }
}
