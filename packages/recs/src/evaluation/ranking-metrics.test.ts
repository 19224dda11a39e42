// Ranking metrics against values worked out by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rankingMetrics, scoreList } from './ranking-metrics.js';

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);

test('scoreList: hits at ranks 1 and 3 of k=3 with 2 relevant items', () => {
  const s = scoreList(['a', 'x', 'b', 'c'], new Set(['a', 'b']), 3);
  close(s.precision, 2 / 3);
  close(s.recall, 1);
  close(s.ndcg, (1 + 1 / Math.log2(4)) / (1 + 1 / Math.log2(3)));
  close(s.ap, (1 / 1 + 2 / 3) / 2);
});

test('scoreList: no hits is zero everywhere; a perfect list is one', () => {
  assert.deepEqual(scoreList(['x', 'y'], new Set(['a']), 2), { precision: 0, recall: 0, ndcg: 0, ap: 0 });
  const p = scoreList(['a', 'b'], new Set(['a', 'b']), 2);
  close(p.ndcg, 1);
  close(p.ap, 1);
});

test('rankingMetrics averages over people with relevant items; missing lists count as empty; coverage', () => {
  const lists = new Map([
    ['p1', ['a', 'b']],
    ['p3', ['c', 'd']],
  ]);
  const relevant = new Map([
    ['p1', new Set(['a'])],
    ['p2', new Set(['a'])],
    ['p3', new Set<string>()],
  ]);
  const m = rankingMetrics(lists, relevant, 2, 10);
  assert.equal(m.users, 2);
  close(m.precision, (1 / 2 + 0) / 2);
  close(m.recall, 0.5);
  close(m.ndcg, 0.5);
  close(m.coverage, 2 / 10); // p3 has no relevant items, so its list is not counted
});
