// Top-k ranking metrics with binary relevance, as in the recommender-systems literature (and Microsoft's
// recommenders, whose SAR the training follows): precision, recall, nDCG, MAP, plus catalogue coverage.

/** Mean metrics over the evaluated people. */
export interface RankingMetrics {
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  /** Distinct recommended items / items recommendable (the catalogue at the split time). */
  coverage: number;
  /** People evaluated (with at least one relevant item). */
  users: number;
}

/** Metrics of one person's ranked list against the set of items they went on to read. */
export function scoreList(
  ranked: readonly string[],
  relevant: ReadonlySet<string>,
  k: number,
): { precision: number; recall: number; ndcg: number; ap: number } {
  const top = ranked.slice(0, k);
  let hits = 0;
  let dcg = 0;
  let apSum = 0;
  top.forEach((item, i) => {
    if (!relevant.has(item)) return;
    hits++;
    dcg += 1 / Math.log2(i + 2);
    apSum += hits / (i + 1);
  });
  let idcg = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) idcg += 1 / Math.log2(i + 2);
  return {
    precision: hits / k,
    recall: relevant.size === 0 ? 0 : hits / relevant.size,
    ndcg: idcg === 0 ? 0 : dcg / idcg,
    ap: relevant.size === 0 ? 0 : apSum / Math.min(k, relevant.size),
  };
}

/**
 * Mean metrics of `lists` (person → ranked items) over the people in `relevant` (person → items read in the
 * test period). A person without a list counts with an empty one. `catalogueSize` is the coverage denominator.
 */
export function rankingMetrics(
  lists: ReadonlyMap<string, readonly string[]>,
  relevant: ReadonlyMap<string, ReadonlySet<string>>,
  k: number,
  catalogueSize: number,
): RankingMetrics {
  const sum = { precision: 0, recall: 0, ndcg: 0, map: 0 };
  const recommended = new Set<string>();
  let users = 0;
  for (const [person, items] of relevant) {
    if (items.size === 0) continue;
    users++;
    const list = lists.get(person) ?? [];
    list.slice(0, k).forEach((a) => recommended.add(a));
    const s = scoreList(list, items, k);
    sum.precision += s.precision;
    sum.recall += s.recall;
    sum.ndcg += s.ndcg;
    sum.map += s.ap;
  }
  const mean = (x: number): number => (users === 0 ? 0 : x / users);
  return {
    precision: mean(sum.precision),
    recall: mean(sum.recall),
    ndcg: mean(sum.ndcg),
    map: mean(sum.map),
    coverage: catalogueSize === 0 ? 0 : recommended.size / catalogueSize,
    users,
  };
}
