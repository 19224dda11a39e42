// Runs the whole test suite with node's built-in runner over the compiled tests (packages/*/dist/**/*.test.js).
// Node 20's `--test` takes no globs, so the files are listed here. Extra args filter by path substring.
// The whole suite (no filter) starts with ESLint and Prettier's check: a finding fails the run before the long tests.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const filters = process.argv.slice(2);

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.name.endsWith('.test.js')) yield path;
  }
}

const files = [];
for (const pkg of readdirSync(join(root, 'packages'))) {
  const dist = join(root, 'packages', pkg, 'dist');
  try { if (!statSync(dist).isDirectory()) continue; } catch { continue; }
  for (const file of walk(dist)) {
    const rel = relative(root, file);
    if (filters.length === 0 || filters.some((f) => rel.includes(f))) files.push(rel);
  }
}
if (files.length === 0) {
  process.stderr.write('run-tests: no test files found (is the build done?)\n');
  process.exit(1);
}
files.sort();
if (filters.length === 0) {
  process.stdout.write('run-tests: eslint . && prettier --check\n');
  const lint = spawnSync(process.execPath, [join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '.'], { cwd: root, stdio: 'inherit' });
  if (lint.status !== 0) {
    process.stderr.write('run-tests: ESLint found problems (above); fix them (`npx eslint --fix FILE` fixes some)\n');
    process.exit(lint.status ?? 1);
  }
  const format = spawnSync(process.execPath, [join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs'), '--check', 'packages/*/src/**/*.{ts,tsx}'], { cwd: root, stdio: 'inherit' });
  if (format.status !== 0) {
    process.stderr.write('run-tests: files not formatted by Prettier (above); run `npm run format`\n');
    process.exit(format.status ?? 1);
  }
}
// Tests make scratch directories under os.tmpdir() and not all of them remove theirs (a whole run left ~120, ~115 MB):
// the run gets a TMPDIR of its own, removed at the end, so it leaves nothing behind.
const scratch = mkdtempSync(join(tmpdir(), 'lens-tests-'));
// A test that hangs fails after 10 minutes (naming itself) instead of holding the whole run.
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=600000', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TMPDIR: scratch },
});
rmSync(scratch, { recursive: true, force: true });
process.exit(result.status ?? 1);
