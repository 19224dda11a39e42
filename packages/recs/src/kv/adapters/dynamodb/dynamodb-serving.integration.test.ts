// The DynamoDB adapter behind the recommendation service (dynalite): a served version written through the
// factory is answered like the embedded store's; and the core package never imports the AWS SDK statically.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { createRecommendationService } from '../../../serving/recommendation-service.js';
import { DYNALITE_CREDENTIALS, dynaliteUnavailable, startDynalite } from '../../../testing/dynalite-server.js';
import { SYNTHETIC_NOW, writeSyntheticVersion } from '../../../testing/synthetic-store.js';
import { createKeyValueStore } from '../../create-key-value-store.js';
import { withLruCache } from '../../lru-cache.js';

const skip = await dynaliteUnavailable();

test('the service answers from DynamoDB (dynalite) behind the LRU cache', { skip }, async () => {
  const dynamo = await startDynalite();
  const store = withLruCache(
    await createKeyValueStore({
      backend: 'dynamodb',
      endpoint: dynamo.endpoint,
      region: 'local',
      table: 'lens-recs-serving',
      createTable: true,
      credentials: DYNALITE_CREDENTIALS,
    }),
    { maxEntries: 100 },
  );
  try {
    await writeSyntheticVersion(store);
    const service = createRecommendationService({ store, now: () => SYNTHETIC_NOW });
    const res = await service.recommend({ anonymousId: 'd1', k: 3 });
    assert.equal(res.personId, 'u1');
    assert.deepEqual(
      res.items.map((i) => i.articleId),
      ['foo-1', 'foo-2', 'mot-1'],
    );
    assert.equal((await service.recommend({ context: 'pol-1', k: 1 })).items[0]!.articleId, 'opi-1');
  } finally {
    await store.close();
    await dynamo.stop();
  }
});

test('with createTable, a table deleted under a running store is created again', { skip }, async () => {
  const dynamo = await startDynalite();
  const options = {
    endpoint: dynamo.endpoint,
    region: 'local',
    table: 'lens-recs-deleted',
    credentials: DYNALITE_CREDENTIALS,
  };
  const store = await createKeyValueStore({ backend: 'dynamodb', ...options, createTable: true });
  const { DynamoDBClient, DeleteTableCommand } = await import('@aws-sdk/client-dynamodb');
  const admin = new DynamoDBClient({ endpoint: options.endpoint, region: 'local', credentials: DYNALITE_CREDENTIALS });
  try {
    await store.putMany([{ key: 'a', value: '1' }]);
    await admin.send(new DeleteTableCommand({ TableName: options.table }));
    // A read fails at once (the API answers 503) while the table is created again in the background …
    const started = Date.now();
    await assert.rejects(
      store.get('a'),
      /DynamoDB GetItem on lens-recs-deleted at http:\/\/.* failed: ResourceNotFoundException/,
    );
    assert.ok(Date.now() - started < 2000, `a read waited ${Date.now() - started} ms`);
    // … and a load (writes) waits for it: the table comes back empty, and filled by the load.
    await store.putMany([{ key: 'b', value: '2' }]);
    assert.deepEqual(await store.getMany(['a', 'b']), [undefined, '2']);
  } finally {
    admin.destroy();
    await store.close();
    await dynamo.stop();
  }
});

test('a DynamoDB that accepts connections and never answers fails a call within the timeout', { skip }, async () => {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => void sockets.push(socket)); // reads nothing, answers nothing
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
  const port = (silent.address() as AddressInfo).port;
  const store = await createKeyValueStore({
    backend: 'dynamodb',
    endpoint: `http://127.0.0.1:${port}`,
    region: 'local',
    table: 'lens-recs-silent',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, // the SDK marks a credentials object it used
    requestTimeoutMs: 300,
  });
  try {
    const started = Date.now();
    await assert.rejects(store.get('a'), /DynamoDB GetItem on lens-recs-silent at http:\/\/127\.0\.0\.1:\d+ failed/);
    const waited = Date.now() - started;
    assert.ok(waited < 5000, `waited ${waited} ms`); // two attempts of 300 ms and the SDK's backoff
  } finally {
    await store.close();
    for (const s of sockets) s.destroy();
    silent.close();
  }
});

test('only the dynamodb adapter folder imports @aws-sdk; the factory loads it dynamically', () => {
  const dist = fileURLToPath(new URL('../../../', import.meta.url));
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (
        p.endsWith('.js') &&
        !p.endsWith('.test.js') &&
        !relative(dist, p).startsWith(join('kv', 'adapters', 'dynamodb'))
      ) {
        const text = readFileSync(p, 'utf8');
        if (
          /from ['"]@aws-sdk|import\(['"]@aws-sdk/.test(text) ||
          /^import .*adapters\/dynamodb\/index\.js/m.test(text)
        )
          offenders.push(relative(dist, p));
      }
    }
  };
  walk(dist);
  assert.deepEqual(offenders, []);
  assert.match(
    readFileSync(join(dist, 'kv', 'create-key-value-store.js'), 'utf8'),
    /await import\('\.\/adapters\/dynamodb\/index\.js'\)/,
  );
});
