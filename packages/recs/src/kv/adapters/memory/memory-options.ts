// Options of the memory adapter (none yet; here so every adapter has the same file set and the factory one shape).
import { z } from 'zod';

/** The memory backend takes no options. */
export const MemoryKvOptions = z.object({ backend: z.literal('memory') }).strict();
export type MemoryKvOptions = z.infer<typeof MemoryKvOptions>;
