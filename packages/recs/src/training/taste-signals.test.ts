// gold.reader_tastes' and gold.recommendations' SQL on hand-made silver tables: a newsletter sign-up moves a light
// reader's taste towards what that newsletter's readers open visits with (learned from them, not named anywhere),
// and a reader who signed up to nothing is smoothed towards the cohorts their own visits look like.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDuckDB } from '@lens/lake';
import { runDefinitionsInSession } from '../evaluation/split-session.js';
import { loadRecsDefinitions } from './recs-pipelines.js';

const NOW = Date.parse('2025-03-10T12:00:00Z');
const at = (minutesAgo: number): string => new Date(NOW - minutesAgo * 60_000).toISOString();

interface Read {
  person: string;
  article: string;
  section: string;
  minutesAgo: number;
}

interface Learned {
  /** Person → section of their rank-1 recommendation. */
  top: Map<string, string>;
  /** Person → section → [taste, prior]. */
  tastes: Map<string, Map<string, [number, string]>>;
}

async function learn(
  reads: readonly Read[],
  signUps: readonly { person: string; newsletter: string }[],
): Promise<Learned> {
  const db = await createDuckDB();
  try {
    await db.run(`CREATE SCHEMA silver; CREATE SCHEMA gold;
      CREATE TABLE silver.events (event_name VARCHAR, type VARCHAR, anonymous_id VARCHAR, user_id VARCHAR, timestamp TIMESTAMPTZ,
        article_id VARCHAR, section VARCHAR, properties VARCHAR);
      CREATE TABLE silver.identities (anonymous_id VARCHAR, person_id VARCHAR);
      CREATE TABLE silver.content (article_id VARCHAR, section VARCHAR, site VARCHAR, published_at TIMESTAMPTZ, first_seen_at TIMESTAMPTZ);
      CREATE TABLE gold.similar_articles (article_id VARCHAR, similar_article_id VARCHAR, jaccard DOUBLE);`);
    const articles = new Map(reads.map((r) => [r.article, r.section]));
    await db.run(
      `INSERT INTO silver.content VALUES ${[...articles].map(([a, s]) => `('${a}', '${s}', 'site', '${at(600)}', '${at(600)}')`).join(', ')}`,
    );
    await db.run(
      `INSERT INTO silver.events VALUES ${reads
        .map(
          (r) =>
            `('Article Viewed', 'track', '${r.person}', NULL, '${at(r.minutesAgo)}', '${r.article}', '${r.section}', '{}')`,
        )
        .join(', ')}`,
    );
    if (signUps.length > 0)
      await db.run(
        `INSERT INTO silver.events VALUES ${signUps
          .map(
            (s) =>
              `('Newsletter Signed Up', 'track', '${s.person}', NULL, '${at(300)}', NULL, NULL, '{"newsletter":"${s.newsletter}"}')`,
          )
          .join(', ')}`,
      );
    await runDefinitionsInSession(
      db,
      loadRecsDefinitions().filter((d) => d.name === 'gold.reader_tastes' || d.name === 'gold.recommendations'),
    );
    const rows = await db.all(`SELECT person_id, section FROM gold.recommendations WHERE rank = 1`);
    const tastes = new Map<string, Map<string, [number, string]>>();
    for (const r of await db.all(`SELECT person_id, section, taste, prior FROM gold.reader_tastes`)) {
      const person = tastes.get(String(r['person_id'])) ?? new Map<string, [number, string]>();
      person.set(String(r['section']), [Number(r['taste']), String(r['prior'])]);
      tastes.set(String(r['person_id']), person);
    }
    return { top: new Map(rows.map((r) => [String(r['person_id']), String(r['section'])])), tastes };
  } finally {
    db.close();
  }
}

test('a newsletter sign-up smooths a light reader towards what that newsletter’s readers open visits with', async () => {
  const reads: Read[] = [];
  // 25 readers of sport who signed up to "matchday", 25 readers of politics who did not: two visits each.
  for (let i = 0; i < 25; i++)
    for (const [v, minutesAgo] of [
      [0, 500],
      [1, 200],
    ] as const) {
      reads.push({ person: `fan${i}`, article: `sport${(i + v) % 4}`, section: 'sport', minutesAgo });
      reads.push({ person: `pol${i}`, article: `politics${(i + v) % 4}`, section: 'politics', minutesAgo });
    }
  // Two light readers with the same single visit, in politics; only one of them signed up to "matchday".
  reads.push({ person: 'subscriber', article: 'politics0', section: 'politics', minutesAgo: 100 });
  reads.push({ person: 'other', article: 'politics0', section: 'politics', minutesAgo: 100 });
  const fans = Array.from({ length: 25 }, (_, i) => ({ person: `fan${i}`, newsletter: 'matchday' }));
  const { top } = await learn(reads, [...fans, { person: 'subscriber', newsletter: 'matchday' }]);
  assert.equal(top.get('subscriber'), 'sport');
  assert.equal(top.get('other'), 'politics');
  // Without the sign-up the two are alike; a newsletter with fewer than 20 readers is not used.
  const without = await learn(reads, fans.slice(0, 18).concat({ person: 'subscriber', newsletter: 'matchday' }));
  assert.equal(without.top.get('subscriber'), 'politics');
});

test('a reader who signed up to nothing is smoothed towards the newsletter cohorts their own visits look like', async () => {
  const reads: Read[] = [];
  // Readers who open two visits with sport and one with motorsport, and readers who open two with politics and one
  // with opinion; in each group, 25 signed up to its newsletter and 25 to nothing. Nobody's favourite section is
  // motorsport.
  for (const group of ['signed', 'unsigned'])
    for (let i = 0; i < 25; i++)
      for (const [v, minutesAgo] of [
        [0, 900],
        [1, 600],
        [2, 300],
      ] as const) {
        const [sport, politics] = v === 2 ? ['motorsport', 'opinion'] : ['sport', 'politics'];
        reads.push({ person: `fan-${group}${i}`, article: `${sport}${(i + v) % 4}`, section: sport, minutesAgo });
        reads.push({ person: `pol-${group}${i}`, article: `${politics}${(i + v) % 4}`, section: politics, minutesAgo });
      }
  // One visit, opened with motorsport: only sport readers open visits there.
  reads.push({ person: 'light', article: 'motorsport0', section: 'motorsport', minutesAgo: 100 });
  const { tastes } = await learn(reads, [
    ...Array.from({ length: 25 }, (_, i) => ({ person: `fan-signed${i}`, newsletter: 'matchday' })),
    ...Array.from({ length: 25 }, (_, i) => ({ person: `pol-signed${i}`, newsletter: 'briefing' })),
  ]);
  const light = tastes.get('light')!;
  const [sport, prior] = light.get('sport')!;
  assert.equal(prior, 'newsletter_mixture');
  // Mostly the "matchday" cohort's sport, which this reader never opened a visit with ((5 × 2/3) / (1 + 5) ≈ 0.56
  // if the cohort alone explained the visit), and next to no politics.
  assert.ok(sport > 0.4 && sport < 0.6, `sport ${sport}`);
  assert.ok(light.get('politics')![0] < 0.05, `politics ${light.get('politics')![0]}`);
  const total = [...light.values()].reduce((sum, [t]) => sum + t, 0);
  assert.ok(Math.abs(total - 1) < 1e-9, `tastes add up to ${total}`);
  // A signer keeps their own newsletter's prior; an unsigned politics reader stays a politics reader.
  assert.equal(tastes.get('fan-signed0')!.get('sport')![1], 'newsletter');
  const pol = tastes.get('pol-unsigned0')!;
  assert.ok(pol.get('politics')![0] > 0.6 && pol.get('sport')![0] < 0.01, JSON.stringify([...pol]));
});
