// The DynamoDB adapter of the KeyValueStore port, published as the subpath `@lens/recs/dynamodb` so the core
// package never loads the AWS SDK unless this backend is configured.
export { createDynamoDbKeyValueStore } from './dynamodb-key-value-store.js';
export { DynamoDbKvOptions } from './dynamodb-options.js';
export type { DynamoDbClientLike } from './dynamodb-client.js';
