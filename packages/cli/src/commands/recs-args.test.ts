// `lens recs` answers bad arguments with an error naming the flag, before touching any data (it leaked DuckDB's
// binder error for `--k abc` and printed NaN metrics for `--k 0`), and `lens recs load` on a directory without a
// lake says so instead of creating the store there.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LENS_BIN } from '../testing/lens-process.js';

const data = join(mkdtempSync(join(tmpdir(), 'lens-recs-args-')), 'data');
const lens = (...args: string[]) =>
  spawnSync(process.execPath, [LENS_BIN, 'recs', ...args, '--data', data], { encoding: 'utf8' });

test('lens recs evaluate names a bad number and exits 1', () => {
  for (const [args, message] of [
    [['--k', 'abc'], '--k: "abc" is not a positive integer'],
    [['--k', '0'], '--k: "0" is not a positive integer'],
    [['--k', '51'], '--k: 51 exceeds recs.maxK (50), the longest list the API serves'],
    [['--test-days', '1.5'], '--test-days: "1.5" is not a positive integer'],
    [['--seed', 'x'], '--seed: "x" is not an integer'],
    [['--folds', '0'], '--folds: "0" is not a positive integer'],
  ] as const) {
    const out = lens('evaluate', ...args);
    assert.equal(out.status, 1, args.join(' '));
    assert.match(out.stderr, new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), args.join(' '));
  }
});

test('lens recs load on a directory without a lake says so and creates nothing', () => {
  const out = lens('load');
  assert.equal(out.status, 1);
  assert.match(out.stderr, /no lake in .*: check --data/);
  assert.equal(existsSync(data), false);
});

test('lens recs evaluate on a split with nothing to train on or nobody to score says so and exits 1 (not all-zero tables)', () => {
  const short = lens('evaluate', '--demo', '--days', '1', '--users', '200');
  assert.equal(short.status, 1, short.stdout);
  assert.match(
    short.stderr,
    /nothing to evaluate: with 1 test period of 1 day\(s\) before the newest read, the first would start at .*, with no read before it to train on/,
  );
  const folds = lens('evaluate', '--demo', '--days', '3', '--users', '200', '--folds', '3');
  assert.equal(folds.status, 1, folds.stdout);
  assert.match(
    folds.stderr,
    /nothing to evaluate: with 3 test periods of 1 day\(s\) .* use fewer folds or shorter test periods/,
  );
  const nobody = lens('evaluate', '--demo', '--days', '3', '--users', '3', '--folds', '1');
  assert.equal(nobody.status, 1, nobody.stdout);
  assert.match(nobody.stderr, /nothing to evaluate: no one read a recommendable article in the test period/);
});

test('lens recs train on a data directory without a lake says so and writes nothing there', () => {
  const out = lens('train');
  assert.equal(out.status, 1);
  assert.match(out.stderr, /no lake in .*: check --data/);
  assert.equal(existsSync(join(data, 'lake')), false);
});

test('the model/popularity ratio is n/a when the baseline scored 0, and flagged on a handful of people', async () => {
  const { ratioText } = await import('./recs.js');
  assert.equal(ratioText(0.5, 0, 2), 'n/a (the baseline scored 0 on 2 people)');
  assert.equal(ratioText(0, 0, 0), 'n/a (nobody to evaluate)');
  assert.match(ratioText(0.2, 0.1, 5), /^2\.00× \(only 5 people: noise/);
  assert.equal(ratioText(0.181, 0.102, 470), '1.77×');
});

test('lens recs evaluate prints each test period and the pooled figures; --json carries the periods', () => {
  const text = lens('evaluate', '--demo', '--users', '300', '--days', '10', '--folds', '2');
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^2 test periods from \S+ to \S+, each trained on the events before it; k=10;/);
  const periods = text.stdout.match(/^\S+Z … \S+Z +\d+ +0\.\d{4} vs 0\.\d{4} +\S+/gm) ?? [];
  assert.equal(periods.length, 2, text.stdout);
  assert.match(text.stdout, /metrics below pooled over the 2 periods/);
  assert.match(text.stdout, /model \/ popularity nDCG: /);
  const json = lens('evaluate', '--demo', '--users', '300', '--days', '10', '--folds', '2', '--json');
  assert.equal(json.status, 0, json.stderr);
  const report = JSON.parse(json.stdout) as { folds: { users: number }[]; methods: { model: { users: number } } };
  assert.equal(report.folds.length, 2);
  assert.equal(report.methods.model.users, report.folds[0]!.users + report.folds[1]!.users);
});
