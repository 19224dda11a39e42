// The logistic regression recovers known coefficients, shrinks them under L2, stays finite on separable
// data, and its AUC matches hand-computed values (ties included).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auc, fitLogisticRegression, predictProbability } from './logistic-regression.js';

function synthetic(n: number, seed: number): { X: number[][]; y: number[] } {
  let s = seed;
  const rnd = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
  const normal = (): number => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = [normal(), 10 + 5 * normal(), normal()]; // x1 on another scale: standardisation must handle it
    const z = -0.5 + 1.5 * x[0]! - 2 * ((x[1]! - 10) / 5) + 0 * x[2]!;
    X.push(x);
    y.push(rnd() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
  }
  return { X, y };
}

test('recovers the generating coefficients (on standardised features) with a weak penalty', () => {
  const { X, y } = synthetic(20_000, 7);
  const m = fitLogisticRegression(['a', 'b', 'c'], X, y, { l2: 0.01 });
  const raw = m.weights.map((w, j) => w / m.stds[j]!); // back to the raw scale
  assert.ok(Math.abs(raw[0]! - 1.5) < 0.1, `a: ${raw[0]}`);
  assert.ok(Math.abs(raw[1]! * 5 - -2) < 0.15, `b: ${raw[1]! * 5}`);
  assert.ok(Math.abs(raw[2]!) < 0.06, `c: ${raw[2]}`);
  assert.ok(m.iterations < 15);
  const holdout = synthetic(5000, 99);
  const score = auc(
    holdout.X.map((x) => predictProbability(m, x)),
    holdout.y,
  );
  assert.ok(score > 0.8 && score < 0.95, `auc ${score}`);
});

test('a strong L2 penalty shrinks the weights; separable data stays finite', () => {
  const { X, y } = synthetic(3000, 3);
  const weak = fitLogisticRegression(['a', 'b', 'c'], X, y, { l2: 0.01 });
  const strong = fitLogisticRegression(['a', 'b', 'c'], X, y, { l2: 3000 });
  assert.ok(Math.abs(strong.weights[0]!) < Math.abs(weak.weights[0]!) / 1.5);
  const sep = fitLogisticRegression(['x'], [[0], [1], [2], [3]], [0, 0, 1, 1], { l2: 1 });
  assert.ok(Number.isFinite(sep.weights[0]!) && sep.weights[0]! > 0);
  assert.ok(predictProbability(sep, [3]) > 0.5 && predictProbability(sep, [0]) < 0.5);
});

test('auc: perfect, reversed, all tied, hand-computed with ties, one class', () => {
  assert.equal(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1);
  assert.equal(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), 0);
  assert.equal(auc([0.5, 0.5, 0.5], [0, 1, 0]), 0.5);
  // positives 0.4, 0.6; negatives 0.4, 0.2: pairs (0.4 vs 0.4 tie = ½, 0.4 > 0.2, 0.6 > both) = 3.5 / 4
  assert.equal(auc([0.4, 0.6, 0.4, 0.2], [1, 1, 0, 0]), 0.875);
  assert.ok(Number.isNaN(auc([0.1, 0.2], [1, 1])));
});
