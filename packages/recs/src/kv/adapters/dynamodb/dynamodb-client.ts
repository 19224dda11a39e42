// The subset of the AWS SDK's DynamoDBClient this adapter uses, as our own structural type (so a caller may
// pass any client with `send` — a DAX client, an instrumented one — and our types never leak the SDK's).

/** An item attribute as DynamoDB's wire format has it; we only use strings. */
export interface StringAttribute {
  S: string;
}
/** An item as `{ name: { S: value } }`. */
export type DynamoItem = Record<string, StringAttribute>;

/** What the adapter needs from a DynamoDB client: send a command, and release sockets. */
export interface DynamoDbClientLike {
  send(command: object): Promise<unknown>;
  destroy?(): void;
}

/** The response shapes read by the adapter (subsets of the SDK's outputs). */
export interface GetItemOutput {
  Item?: DynamoItem;
}
export interface BatchGetOutput {
  Responses?: Record<string, DynamoItem[]>;
  UnprocessedKeys?: Record<string, { Keys?: DynamoItem[] }>;
}
export interface BatchWriteOutput {
  UnprocessedItems?: Record<string, unknown[]>;
}
export interface ScanOutput {
  Items?: DynamoItem[];
  LastEvaluatedKey?: DynamoItem;
}

/** Error names DynamoDB uses for throttling and transient faults (worth a retry). */
export const RETRIABLE_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
]);
