// `npm run bench`: runs every benchmark (or those named: `npm run bench -- collector lake`), one after the other
// so they do not compete for the two cores.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
// compaction-memory.mjs is a tool run on a copy of a table (it takes the table's path), not a benchmark.
const SKIP = new Set(['run.mjs', 'bare-http-server.mjs', 'compaction-memory.mjs']);
const benches = readdirSync(here).filter((f) => f.endsWith('.mjs') && !SKIP.has(f) && !f.startsWith('_')).filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.mjs$/, '')));
let failed = 0;
for (const bench of benches) {
  console.log(`\n=== bench/${bench} ===`);
  const result = spawnSync(process.execPath, [join(here, bench)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
