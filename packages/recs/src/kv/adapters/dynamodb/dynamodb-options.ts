// Options of the DynamoDB adapter: table, region, endpoint (dynalite or DynamoDB Local in tests), and whether
// to create the table. Credentials come from the AWS SDK's default chain unless given.
import { z } from 'zod';

/** One table with a string hash key `k` and a string attribute `v`. */
export const DynamoDbKvOptions = z
  .object({
    backend: z.literal('dynamodb'),
    table: z.string().min(3).max(255).default('lens-recs'),
    region: z.string().min(1).default('eu-west-1'),
    /** e.g. http://127.0.0.1:4567 for dynalite; the AWS endpoint when absent. */
    endpoint: z.string().url().optional(),
    /** Create the table (on-demand billing) if it does not exist. */
    createTable: z.boolean().default(false),
    /** Strongly consistent reads (twice the read cost); serving is fine without, as versioned keys never change. */
    consistentRead: z.boolean().default(false),
    /**
     * A call DynamoDB has not answered in this time fails (then the API answers 503) — the SDK waits forever by
     * default, so a store that accepts connections and never answers hung every request. Two attempts per call.
     */
    requestTimeoutMs: z.number().int().min(50).max(60_000).default(2000),
    /** Static credentials (tests, dynalite); the SDK's default provider chain when absent. */
    credentials: z
      .object({ accessKeyId: z.string(), secretAccessKey: z.string(), sessionToken: z.string().optional() })
      .strict()
      .optional(),
  })
  .strict();
export type DynamoDbKvOptions = z.input<typeof DynamoDbKvOptions>;
