// The churn model's training rows are point in time: features only from events up to the cutoff (horizon days
// before the newest event), label 1 when the actor has no event after it, actors first seen after it left out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDuckDB } from '@lens/lake';
import { pointInTimeSql, PROPENSITY_MODELS } from './propensity-models.js';

test('features as of the cutoff, label from after it', async () => {
  const db = await createDuckDB();
  try {
    await db.run(`CREATE TABLE ev AS SELECT actor_id, user_id, ts::TIMESTAMPTZ AS timestamp, ts::DATE AS event_date, event_name, section FROM (VALUES
      ('a', 'u-a', '2025-03-01 00:00:00+00', 'Article Viewed', 'politics'),
      ('a', 'u-a', '2025-03-10 00:00:00+00', 'Article Viewed', 'sport'),
      ('a', 'u-a', '2025-03-20 00:00:00+00', 'Subscription Started', NULL),
      ('b', NULL, '2025-03-05 08:00:00+00', 'Search Performed', NULL),
      ('b', NULL, '2025-03-05 09:00:00+00', 'Article Viewed', 'sport'),
      ('c', NULL, '2025-03-25 00:00:00+00', 'Article Viewed', 'sport'),
      ('d', NULL, '2025-03-31 12:00:00+00', 'Newsletter Signed Up', NULL)
    ) AS t(actor_id, user_id, ts, event_name, section)`);
    const churn = PROPENSITY_MODELS.find((m) => m.name === 'churn')!;
    assert.equal(churn.horizonDays, 14);
    const rows = await db.all(pointInTimeSql({ ...churn, horizonDays: 14 }, 'SELECT * FROM ev', 0.2));
    // Cutoff: 2025-03-31 12:00 − 14 days = 2025-03-17 12:00.
    assert.deepEqual(
      rows.map((r) => [r['actor_id'], r['label']]),
      [
        ['a', 0],
        ['b', 1],
      ],
      'c and d appear only after the cutoff',
    );
    const [a, b] = rows;
    const near = (actual: unknown, expected: number, what: string) =>
      assert.ok(Math.abs(Number(actual) - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);
    near(a!['log_events'], Math.log(3), 'log_events: the subscription after the cutoff is not counted');
    assert.equal(a!['subscribed'], 0);
    assert.equal(a!['recency_days'], 7.5);
    assert.equal(a!['tenure_days'], 16.5);
    assert.equal(a!['sections_read'], 2);
    assert.equal(a!['top_section_share'], 0.5);
    near(b!['log_searches'], Math.log(2), 'log_searches');
    near(b!['log_active_days'], Math.log(2), 'log_active_days');
    near(
      b!['recency_days'],
      (Date.parse('2025-03-17T12:00:00Z') - Date.parse('2025-03-05T09:00:00Z')) / 86_400_000,
      'recency_days',
    );
    assert.equal(new Date(Number(a!['now_ms'])).toISOString(), '2025-03-17T12:00:00.000Z');
  } finally {
    db.close();
  }
});
