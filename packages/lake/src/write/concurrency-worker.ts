// Child-process worker for the concurrency test: one role (appender, optimizer, deleter) against a shared
// table directory, so commits race through the file system exactly as separate writer processes do.
import { DeltaTable } from '../delta-table.js';
import { where } from '../scan/predicate.js';

const [role, dir, idText] = process.argv.slice(2);
const table = await DeltaTable.open(dir as string);
const id = Number(idText ?? 0);
const out: unknown[] = [];

if (role === 'append') {
  for (let batch = 0; batch < 8; batch++) {
    const sql = `SELECT DATE '2024-01-01' + (range % 3)::INT AS day, ${id * 1000 + batch * 10} + range AS n FROM range(10)`;
    out.push(await table.append({ sql }, { txn: { appId: `writer-${id}`, version: batch } }));
    // A retried batch (as after a crash between commit and ack) must commit nothing.
    if (batch % 3 === 0) out.push(await table.append({ sql }, { txn: { appId: `writer-${id}`, version: batch } }));
  }
} else if (role === 'optimize') {
  // At least 4 rounds, and on until one compacted something: on a slow machine the first rounds may all run
  // before any appender has committed (with one file per partition there is nothing to compact yet).
  const deadline = Date.now() + 60_000;
  for (let i = 0; i < 4 || (!out.some((r) => (r as { removed: number }).removed > 0) && Date.now() < deadline); i++) {
    const r = await table.optimize();
    out.push({ removed: r.filesRemoved, added: r.filesAdded });
    await new Promise((res) => setTimeout(res, 50));
  }
} else if (role === 'delete') {
  await new Promise((res) => setTimeout(res, 100));
  out.push(await table.delete(where.lt('n', -50)));
}
process.stdout.write(JSON.stringify(out, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
