// The churn model's training rows are point in time: features only from events up to the cutoff (horizon days
// before the newest event), label 1 when the person has no event after it, people first seen after it left out;
// one row per person (the devices silver.identities links).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDuckDB } from '@lens/lake';
import { featureSql, pointInTimeSql, PROPENSITY_MODELS } from './propensity-models.js';

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
    const rows = await db.all(pointInTimeSql({ ...churn, horizonDays: 14 }, 'SELECT * FROM ev', undefined, 0.2));
    // Cutoff: 2025-03-31 12:00 − 14 days = 2025-03-17 12:00. Without identities a person is the user id, else the actor.
    assert.deepEqual(
      rows.map((r) => [r['person_id'], r['label']]),
      [
        ['b', 1],
        ['u-a', 0],
      ],
      'c and d appear only after the cutoff',
    );
    const [b, a] = rows;
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

test("one row per person: the devices silver.identities links are summed, point in time and from today's features", async () => {
  const db = await createDuckDB();
  try {
    // Device b (anonymous) and device a (logged in as u-a) are one person: identities link b to u-a.
    await db.run(`CREATE TABLE ev AS SELECT actor_id, user_id, ts::TIMESTAMPTZ AS timestamp, ts::DATE AS event_date, event_name, section FROM (VALUES
      ('a', 'u-a', '2025-03-01 00:00:00+00', 'Article Viewed', 'politics'),
      ('b', NULL, '2025-03-05 09:00:00+00', 'Article Viewed', 'sport'),
      ('b', NULL, '2025-03-06 09:00:00+00', 'Article Viewed', 'sport'),
      ('b', NULL, '2025-03-20 00:00:00+00', 'Search Performed', NULL),
      ('z', NULL, '2025-03-02 00:00:00+00', 'Article Viewed', 'sport'),
      ('y', NULL, '2025-03-31 12:00:00+00', 'Article Viewed', 'sport')
    ) AS t(actor_id, user_id, ts, event_name, section)`);
    await db.run(`CREATE TABLE ids AS SELECT * FROM (VALUES ('b', 'u-a')) AS t(anonymous_id, person_id)`);
    const churn = PROPENSITY_MODELS.find((m) => m.name === 'churn')!;
    const pit = await db.all(
      pointInTimeSql({ ...churn, horizonDays: 14 }, 'SELECT * FROM ev', 'SELECT * FROM ids', 0.2),
    );
    assert.deepEqual(
      pit.map((r) => [r['person_id'], r['label'], r['log_events']]),
      [
        ['u-a', 0, Math.log(1 + 3)], // back after the cutoff on device b; 3 events before it on both devices
        ['z', 1, Math.log(1 + 1)],
      ],
    );
    assert.equal(pit[0]!['sections_read'], 2);
    assert.ok(Math.abs(Number(pit[0]!['top_section_share']) - 0.667) < 1e-9);

    // Today's features: gold.user_features' per-device rows summed per person.
    await db.run(`CREATE TABLE uf AS SELECT * FROM (VALUES
      ('a', 'u-a', '2025-03-01 00:00:00+00'::TIMESTAMPTZ, '2025-03-01 00:00:00+00'::TIMESTAMPTZ, 1, 1, 1, 0, 'politics:1.0', false, true),
      ('b', NULL, '2025-03-05 09:00:00+00'::TIMESTAMPTZ, '2025-03-20 00:00:00+00'::TIMESTAMPTZ, 3, 3, 2, 1, 'sport:1.0', true, false),
      ('z', NULL, '2025-03-02 00:00:00+00'::TIMESTAMPTZ, '2025-03-31 12:00:00+00'::TIMESTAMPTZ, 1, 1, 1, 0, 'sport:1.0', false, false)
    ) AS t(actor_id, user_id, first_seen_at, last_seen_at, events, active_days, article_views, searches, section_affinities, subscribed, newsletter)`);
    const subscription = PROPENSITY_MODELS.find((m) => m.name === 'subscription')!;
    const today = await db.all(featureSql(subscription, 'SELECT * FROM uf', 'SELECT * FROM ids', 0.2));
    const ua = today.find((r) => r['person_id'] === 'u-a')!;
    assert.equal(today.length, 2);
    assert.equal(ua['user_id'], 'u-a');
    assert.equal(ua['label'], 1, 'subscribed on one device: the person is a subscriber');
    assert.equal(ua['log_events'], Math.log(1 + 4));
    assert.equal(ua['newsletter'], 1);
    assert.equal(ua['sections_read'], 2);
    assert.ok(Math.abs(Number(ua['top_section_share']) - 0.667) < 1e-9, 'sport: 2 of the 3 article views');
    assert.equal(ua['tenure_days'], 30.5);
    assert.equal(ua['recency_days'], 11.5);
  } finally {
    db.close();
  }
});
