// bench/compaction-memory.mjs: the loader's memory around one background compaction, as the loader runs it (a
// Compactor with tiered OPTIMIZE, then VACUUM at the table's retention), on a COPY of a bronze table: it commits.
//   node bench/compaction-memory.mjs <table dir> [loader dist dir, default packages/loader/dist]
// Prints the compaction's log lines, then VmHWM (peak RSS) and VmRSS 2 s after it (/proc/self/status, Linux).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const table = process.argv[2];
if (!table) throw new Error('usage: node bench/compaction-memory.mjs <table dir> [loader dist dir]');
const dist = pathToFileURL(resolve(process.argv[3] ?? 'packages/loader/dist')).href;
const { Compactor } = await import(`${dist}/compactor.js`);
const { LoaderMetrics } = await import(`${dist}/loader-metrics.js`);

const status = () => {
  const text = readFileSync('/proc/self/status', 'utf8');
  const mb = (key) => Math.round(Number(new RegExp(`${key}:\\s+(\\d+)`).exec(text)[1]) / 1024);
  return `VmRSS ${mb('VmRSS')} MB, VmHWM ${mb('VmHWM')} MB`;
};
let finished;
const done = new Promise((r) => (finished = r));
const log = (fields, msg) => {
  console.log(msg, JSON.stringify(fields));
  if (/vacuum|failed/.test(msg)) finished(); // the compaction's last step
};
const logger = { debug() {}, info: log, warn: log, error: log };
const compactor = new Compactor('events', resolve(table), 1, 128 * 1024 * 1024, new LoaderMetrics(), logger);
console.log('start', status());
compactor.onCommit();
await done;
await new Promise((r) => setTimeout(r, 2000));
console.log('2 s after the compaction', status()); // before close(): a loader keeps running
await compactor.close();
