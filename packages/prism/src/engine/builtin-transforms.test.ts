// The sessionize built-in on a handful of events: a session's entry attributes are its first event's, NULL
// included, and events sharing a timestamp are ordered by message_id as the session split is.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createDuckDB } from '@lens/lake';
import { BUILTIN_TRANSFORMS } from './builtin-transforms.js';

it("sessionize takes the entry referrer, campaign, site and platform from the session's first event", async () => {
  const db = await createDuckDB();
  try {
    await db.run('CREATE SCHEMA silver');
    await db.run(`CREATE TABLE silver.events AS SELECT * FROM (VALUES
      -- a direct visit (no referrer, no campaign), then an internal click: the entry referrer is NULL
      ('m1', 'a1', TIMESTAMPTZ '2026-01-05 10:00:00+00', 'page', 'daily', 'web', NULL, NULL),
      ('m2', 'a1', TIMESTAMPTZ '2026-01-05 10:05:00+00', 'page', 'daily', 'web', 'www.northwind-daily.example', 'newsletter'),
      -- two events at the same instant: m3 comes first (message_id), as in the session split
      ('m4', 'a2', TIMESTAMPTZ '2026-01-05 11:00:00+00', 'track', 'pitchside', 'ios', 'www.facebook.com', 'fb'),
      ('m3', 'a2', TIMESTAMPTZ '2026-01-05 11:00:00+00', 'page', 'hearth', 'web', 'www.google.com', 'google'),
      ('m5', 'a2', TIMESTAMPTZ '2026-01-05 11:01:00+00', 'page', 'daily', 'web', 'www.bing.com', 'bing')
    ) AS t(message_id, actor_id, timestamp, type, site, platform, referrer_host, campaign_source)`);
    await db.run(
      `CREATE TABLE affected AS SELECT DISTINCT actor_id AS aff_actor, TIMESTAMPTZ '2026-01-01 00:00:00+00' AS aff_from FROM silver.events`,
    );
    await db.run(`ALTER TABLE silver.events ADD COLUMN user_id VARCHAR`);
    const sql = BUILTIN_TRANSFORMS['sessionize']!({ events: 'silver.events', gap_minutes: 30 });
    const rows = await db.all(
      `SELECT actor_id, events, site, platform, entry_referrer_host, campaign_source FROM (${sql}) ORDER BY actor_id`,
    );
    assert.deepEqual(
      rows.map((r) => ({ ...r, events: Number(r['events']) })),
      [
        {
          actor_id: 'a1',
          events: 2,
          site: 'daily',
          platform: 'web',
          entry_referrer_host: null,
          campaign_source: null,
        },
        {
          actor_id: 'a2',
          events: 3,
          site: 'hearth',
          platform: 'web',
          entry_referrer_host: 'www.google.com',
          campaign_source: 'google',
        },
      ],
    );
  } finally {
    db.close();
  }
});
