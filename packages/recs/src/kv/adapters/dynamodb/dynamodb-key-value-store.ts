// The DynamoDB KeyValueStore: one item per key (`k` hash key, `v` value), batched reads (100) and writes (25)
// with unprocessed items retried under backoff. Tested against dynalite; for scale-out deployments.
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { KeyValueStoreError } from '../../../errors.js';
import { checkEntry, checkKey, type KeyValueStore } from '../../key-value-store.js';
import {
  RETRIABLE_ERRORS,
  type BatchGetOutput,
  type BatchWriteOutput,
  type DynamoDbClientLike,
  type DynamoItem,
  type GetItemOutput,
  type ScanOutput,
} from './dynamodb-client.js';
import { DynamoDbKvOptions } from './dynamodb-options.js';

const chunks = <T>(xs: readonly T[], n: number): T[][] =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ATTEMPTS = 8;

/**
 * A KeyValueStore in a DynamoDB table. Pass `client` to reuse a configured client (or a DAX client).
 * @example const store = await createDynamoDbKeyValueStore({ backend: 'dynamodb', table: 'lens-recs', region: 'eu-west-1' });
 */
export async function createDynamoDbKeyValueStore(
  options: DynamoDbKvOptions,
  client?: DynamoDbClientLike,
): Promise<KeyValueStore> {
  const o = DynamoDbKvOptions.parse(options);
  const c: DynamoDbClientLike =
    client ??
    new DynamoDBClient({
      region: o.region,
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      ...(o.credentials ? { credentials: o.credentials } : {}),
      requestHandler: {
        connectionTimeout: o.requestTimeoutMs,
        requestTimeout: o.requestTimeoutMs,
        throwOnRequestTimeout: true,
      },
      maxAttempts: 2,
    });
  const sendOnce = async <T>(what: string, command: object): Promise<T> => {
    try {
      return (await c.send(command)) as T;
    } catch (cause) {
      const name = cause instanceof Error ? cause.name : '';
      // The name alone ("Error") says nothing of a refused connection or a timeout: the code and message do.
      const code = (cause as { code?: string } | undefined)?.code;
      const detail = [name, code, cause instanceof Error ? cause.message : String(cause)]
        .filter((part, i, all) => part && all.indexOf(part) === i)
        .join(': ');
      throw new KeyValueStoreError(
        `DynamoDB ${what} on ${o.table}${o.endpoint ? ` at ${o.endpoint}` : ''} failed: ${detail}`,
        { cause, retriable: RETRIABLE_ERRORS.has(name), context: { table: o.table } },
      );
    }
  };
  /**
   * With createTable, a table deleted under a running store is created again (empty: the next load fills it).
   * Reads do not wait for it (the API answers 503 at once meanwhile); writes (a load) wait and retry.
   */
  let recreating: Promise<void> | undefined;
  const send = async <T>(what: string, command: object, waitForTable = false): Promise<T> => {
    try {
      return await sendOnce<T>(what, command);
    } catch (error) {
      if (!o.createTable || !isMissingTable(error)) throw error;
      recreating ??= ensureTable(o.table, sendOnce).finally(() => (recreating = undefined));
      recreating.catch(() => undefined); // a read does not wait: a failure shows at the next call
      if (!waitForTable) throw error;
      await recreating;
      return sendOnce<T>(what, command);
    }
  };
  if (o.createTable) await ensureTable(o.table, sendOnce);
  return {
    async get(key) {
      checkKey(key);
      const out = await send<GetItemOutput>(
        'GetItem',
        new GetItemCommand({ TableName: o.table, Key: { k: { S: key } }, ConsistentRead: o.consistentRead }),
      );
      return out.Item?.['v']?.S;
    },
    async getMany(keys) {
      keys.forEach(checkKey);
      const found = new Map<string, string>();
      for (const part of chunks([...new Set(keys)], 100)) {
        let pending: DynamoItem[] = part.map((k) => ({ k: { S: k } }));
        for (let attempt = 0; pending.length > 0; attempt++) {
          if (attempt === ATTEMPTS)
            throw new KeyValueStoreError('DynamoDB BatchGetItem left keys unprocessed', {
              retriable: true,
              context: { table: o.table },
            });
          if (attempt > 0) await sleep(25 * 2 ** attempt);
          const out = await send<BatchGetOutput>(
            'BatchGetItem',
            new BatchGetItemCommand({
              RequestItems: { [o.table]: { Keys: pending, ConsistentRead: o.consistentRead } },
            }),
          );
          for (const item of out.Responses?.[o.table] ?? []) found.set(item['k']!.S, item['v']!.S);
          pending = out.UnprocessedKeys?.[o.table]?.Keys ?? [];
        }
      }
      return keys.map((k) => found.get(k));
    },
    async putMany(entries) {
      entries.forEach(checkEntry);
      const last = new Map(entries.map((e) => [e.key, e.value])); // a batch may not name a key twice
      await writeBatches([...last].map(([k, v]) => ({ PutRequest: { Item: { k: { S: k }, v: { S: v } } } })));
    },
    async deleteMany(keys) {
      keys.forEach(checkKey);
      await writeBatches([...new Set(keys)].map((k) => ({ DeleteRequest: { Key: { k: { S: k } } } })));
    },
    async keys(prefix) {
      const out: string[] = [];
      let start: DynamoItem | undefined;
      do {
        const page: ScanOutput = await send<ScanOutput>(
          'Scan',
          new ScanCommand({
            TableName: o.table,
            ProjectionExpression: 'k',
            ExclusiveStartKey: start,
            ...(prefix
              ? { FilterExpression: 'begins_with(k, :p)', ExpressionAttributeValues: { ':p': { S: prefix } } }
              : {}),
          }),
        );
        for (const item of page.Items ?? []) out.push(item['k']!.S);
        start = page.LastEvaluatedKey;
      } while (start);
      return out.sort();
    },
    async close() {
      if (!client) c.destroy?.();
    },
  };

  async function writeBatches(requests: object[]): Promise<void> {
    for (const part of chunks(requests, 25)) {
      let pending: unknown[] = part;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === ATTEMPTS)
          throw new KeyValueStoreError('DynamoDB BatchWriteItem left items unprocessed', {
            retriable: true,
            context: { table: o.table },
          });
        if (attempt > 0) await sleep(25 * 2 ** attempt);
        const out = await send<BatchWriteOutput>(
          'BatchWriteItem',
          new BatchWriteItemCommand({ RequestItems: { [o.table]: pending as never } }),
          true,
        );
        pending = out.UnprocessedItems?.[o.table] ?? [];
      }
    }
  }
}

function isMissingTable(error: unknown): boolean {
  return (error as { cause?: { name?: string } }).cause?.name === 'ResourceNotFoundException';
}

async function ensureTable(table: string, send: <T>(what: string, command: object) => Promise<T>): Promise<void> {
  const status = async (): Promise<string | undefined> =>
    send<{ Table?: { TableStatus?: string } }>('DescribeTable', new DescribeTableCommand({ TableName: table })).then(
      (d) => d.Table?.TableStatus,
      (e: unknown) => {
        if (isMissingTable(e)) return undefined;
        throw e;
      },
    );
  if ((await status()) === undefined) {
    await send(
      'CreateTable',
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
      }),
    ).catch((e: unknown) => {
      if ((e as { cause?: { name?: string } }).cause?.name !== 'ResourceInUseException') throw e; // created by a racing peer
    });
  }
  for (let i = 0; (await status()) !== 'ACTIVE'; i++) {
    if (i > 120)
      throw new KeyValueStoreError(`DynamoDB table ${table} did not become ACTIVE`, {
        retriable: true,
        context: { table },
      });
    await sleep(250);
  }
}
