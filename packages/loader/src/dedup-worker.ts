// Worker thread owning the dedup index's SQLite connection (one per index file per process, see
// dedup-service.ts): checks a chunk's keys in log order, commits/fsyncs on request, expires old entries.
// Moving it off the main thread lets the duplicate check overlap reading, mapping and committing.
import { parentPort, workerData } from 'node:worker_threads';
import { openDedupIndex } from './dedup-index.js';
import type { DedupReply, DedupRequest } from './dedup-service.js';

const { path, windowMs } = workerData as { path: string; windowMs: number };
const index = openDedupIndex(path, windowMs);
const VERDICT = { new: 1, replay: 2, duplicate: 3 } as const;
/** The open write transaction is committed within a second when no further check or sync comes. */
let idle: NodeJS.Timeout | undefined;

parentPort!.on('message', (req: DedupRequest) => {
  void handle(req).then(
    (reply) => parentPort!.postMessage(reply, reply.verdicts ? [reply.verdicts.buffer as ArrayBuffer] : []),
    (error: unknown) =>
      parentPort!.postMessage({
        id: req.id,
        error: error instanceof Error ? error.message : String(error),
      } satisfies DedupReply),
  );
});

async function handle(req: DedupRequest): Promise<DedupReply> {
  switch (req.op) {
    case 'check': {
      const { partition, offsets, keyEnds, keys, hasKey, receivedMs, skipBelow } = req;
      const verdicts = new Uint8Array(offsets.length);
      index.batch(() => {
        for (let i = 0, at = 0; i < offsets.length; i++) {
          const sourceEnd = keyEnds[2 * i]!;
          const end = keyEnds[2 * i + 1]!;
          const offset = offsets[i]!;
          if (hasKey[i] === 1 && offset >= skipBelow) {
            verdicts[i] =
              VERDICT[
                index.check(
                  keys.slice(at, sourceEnd),
                  keys.slice(sourceEnd, end),
                  { partition, offset },
                  receivedMs[i]!,
                )
              ];
          }
          at = end;
        }
      });
      // Under load check() itself commits every second; this covers a second without checks.
      clearTimeout(idle);
      idle = setTimeout(() => {
        idle = undefined;
        void index.sync();
      }, 1000);
      return { id: req.id, verdicts };
    }
    case 'sync':
      await index.sync();
      return { id: req.id };
    case 'expire':
      return { id: req.id, n: index.expire(req.beforeMs, req.limit) };
    case 'close':
      clearTimeout(idle);
      index.close();
      return { id: req.id };
  }
}
