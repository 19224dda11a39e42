// L2-regularised logistic regression on standardised features, fitted by Newton's method (IRLS), and the
// holdout AUC. Written here because no maintained pure-JS package fits tabular models at this size: ml-random-forest
// took 7 minutes for 5,000 rows × 10 features; ml-logistic-regression has neither regularisation nor scaling.

/** A fitted model: standardisation and coefficients (on standardised features) plus the intercept. */
export interface LogisticModel {
  features: string[];
  means: number[];
  stds: number[];
  weights: number[];
  intercept: number;
  l2: number;
  iterations: number;
}

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/**
 * Fits P(y = 1 | x) = σ(b + w·z), z the standardised x, minimising log-loss + (l2 / 2)·|w|² (intercept not penalised).
 * @example const model = fitLogisticRegression(['visits'], [[1], [5]], [0, 1], { l2: 1 });
 */
export function fitLogisticRegression(
  features: string[],
  X: readonly number[][],
  y: readonly number[],
  options: { l2?: number; maxIterations?: number; tolerance?: number } = {},
): LogisticModel {
  const n = X.length;
  const d = features.length;
  const l2 = options.l2 ?? 1;
  const means = features.map((_, j) => X.reduce((s, r) => s + r[j]!, 0) / Math.max(1, n));
  const stds = features.map(
    (_, j) => Math.sqrt(X.reduce((s, r) => s + (r[j]! - means[j]!) ** 2, 0) / Math.max(1, n)) || 1,
  );
  const Z = X.map((r) => [1, ...r.map((v, j) => (v - means[j]!) / stds[j]!)]);
  const beta = new Array<number>(d + 1).fill(0);
  let iterations = 0;
  for (; iterations < (options.maxIterations ?? 50); iterations++) {
    const grad = new Array<number>(d + 1).fill(0);
    const hess = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    for (let i = 0; i < n; i++) {
      const z = Z[i]!;
      const p = sigmoid(z.reduce((s, v, j) => s + v * beta[j]!, 0));
      const w = Math.max(p * (1 - p), 1e-12);
      for (let a = 0; a <= d; a++) {
        grad[a]! += (p - y[i]!) * z[a]!;
        for (let b = 0; b <= a; b++) hess[a]![b]! += w * z[a]! * z[b]!;
      }
    }
    for (let a = 0; a <= d; a++) {
      for (let b = 0; b < a; b++) hess[b]![a] = hess[a]![b]!;
      if (a > 0) {
        grad[a]! += l2 * beta[a]!;
        hess[a]![a]! += l2;
      }
    }
    const step = solve(hess, grad);
    let change = 0;
    for (let a = 0; a <= d; a++) {
      beta[a]! -= step[a]!;
      change = Math.max(change, Math.abs(step[a]!));
    }
    if (change < (options.tolerance ?? 1e-8)) break;
  }
  return { features, means, stds, weights: beta.slice(1), intercept: beta[0]!, l2, iterations: iterations + 1 };
}

/** P(y = 1) for one row of raw (unstandardised) features. */
export function predictProbability(model: LogisticModel, x: readonly number[]): number {
  return sigmoid(
    model.intercept + model.weights.reduce((s, w, j) => s + w * ((x[j]! - model.means[j]!) / model.stds[j]!), 0),
  );
}

/** Area under the ROC curve (Mann–Whitney U with tied scores counted half); NaN without both classes. */
export function auc(scores: readonly number[], labels: readonly number[]): number {
  const order = scores.map((s, i) => [s, labels[i]!] as const).sort((a, b) => a[0] - b[0]);
  let rankSumPos = 0;
  let pos = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && order[j]![0] === order[i]![0]) j++;
    const midRank = (i + 1 + j) / 2; // ranks i+1..j share their mean
    for (let t = i; t < j; t++)
      if (order[t]![1] === 1) {
        rankSumPos += midRank;
        pos++;
      }
    i = j;
  }
  const neg = order.length - pos;
  return pos === 0 || neg === 0 ? Number.NaN : (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Solves A x = b (A symmetric positive definite here) by Gaussian elimination with partial pivoting. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--)
    x[r] = (M[r]![n]! - M[r]!.slice(r + 1, n).reduce((s, v, k) => s + v * x[r + 1 + k]!, 0)) / M[r]![r]!;
  return x;
}
