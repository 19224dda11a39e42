// gold.recommendations' SQL on hand-made silver tables: a newsletter sign-up moves a light reader's taste
// towards what that newsletter's readers open visits with (learned from them, not named anywhere).
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

async function topSections(reads: readonly Read[], signUps: readonly { person: string; newsletter: string }[]) {
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
      loadRecsDefinitions().filter((d) => d.name === 'gold.recommendations'),
    );
    const rows = await db.all(`SELECT person_id, section FROM gold.recommendations WHERE rank = 1`);
    return new Map(rows.map((r) => [String(r['person_id']), String(r['section'])]));
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
  const top = await topSections(reads, [...fans, { person: 'subscriber', newsletter: 'matchday' }]);
  assert.equal(top.get('subscriber'), 'sport');
  assert.equal(top.get('other'), 'politics');
  // Without the sign-up the two are alike; a newsletter with fewer than 20 readers is not used.
  const without = await topSections(reads, fans.slice(0, 18).concat({ person: 'subscriber', newsletter: 'matchday' }));
  assert.equal(without.get('subscriber'), 'politics');
});
