// A child process for crash and multi-process tests: appends in a loop to a local log and prints one line
// per acknowledged append (`ack <first> <last> <seq>`), so the parent knows exactly what was promised durable.
// Usage: node append-worker.js <dir> <partition|any> <concurrency> [segmentBytes] [maxAppends]
import { createLocalEventLog } from '../adapters/local/local-event-log.js';
import { workerValue } from './worker-harness.js';

const [dir, partitionArg = 'any', concurrencyArg = '8', segmentArg = '65536', maxArg = '0'] = process.argv.slice(2);
if (dir === undefined) {
  process.stderr.write('usage: append-worker <dir> <partition|any> <concurrency> [segmentBytes] [maxAppends]\n');
  process.exit(2);
}
const log = await createLocalEventLog({ dir, segmentBytes: Number(segmentArg), minFreeDiskBytes: 0 });
const writer = await log.openWriter(partitionArg === 'any' ? {} : { partition: Number(partitionArg) });
process.stdout.write(`ready ${writer.partition} ${process.pid}\n`);

const maxAppends = Number(maxArg);
let seq = 0;
let appends = 0;
async function loop(): Promise<void> {
  while (maxAppends === 0 || appends < maxAppends) {
    appends++;
    const count = 1 + (seq % 4);
    const first = seq;
    seq += count;
    const values = Array.from({ length: count }, (_, i) => workerValue(process.pid, first + i));
    const result = await writer.append(values);
    // Synchronous on Linux pipes: a line is either fully out before a SIGKILL or not at all.
    process.stdout.write(`ack ${result.firstOffset} ${result.lastOffset} ${first}\n`);
  }
}
await Promise.all(Array.from({ length: Number(concurrencyArg) }, loop));
await log.close();
process.stdout.write('done\n');
