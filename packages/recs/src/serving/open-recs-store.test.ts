import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RecsConfig } from '@lens/protocol';
import { KvOptions } from '../kv/create-key-value-store.js';
import { kvOptionsFromConfig } from './open-recs-store.js';

describe('recs.kv from the configuration', () => {
  it('defaults to SQLite under the data directory', () => {
    assert.deepEqual(kvOptionsFromConfig(RecsConfig.parse({}), '/data'), {
      backend: 'sqlite',
      path: join('/data', 'recs', 'kv.sqlite'),
    });
  });

  it('passes every DynamoDB setting the configuration accepts on to the adapter, static credentials included', () => {
    const config = RecsConfig.parse({
      kv: {
        backend: 'dynamodb',
        table: 'recs',
        endpoint: 'http://127.0.0.1:4567',
        consistentRead: true,
        requestTimeoutMs: 750,
        credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'token' },
      },
    });
    const options = kvOptionsFromConfig(config, '/data');
    assert.deepEqual(KvOptions.parse(options), {
      backend: 'dynamodb',
      table: 'recs',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:4567',
      createTable: false,
      consistentRead: true,
      requestTimeoutMs: 750,
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'token' },
    });
    // Half a key pair is a configuration error, not a silent fallback to the default chain.
    assert.throws(
      () => RecsConfig.parse({ kv: { backend: 'dynamodb', credentials: { accessKeyId: 'AKID' } } }),
      /secretAccessKey/,
    );
  });
});
