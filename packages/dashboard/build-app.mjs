// Builds the browser app: type-checks src/app (tsconfig.app.json), then bundles it with Vite into dist/app.
// `--if-stale` skips both when dist/app/index.html is newer than every source (used by scripts/ensure-ready.mjs).
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const INPUTS = ['src/app', 'index.html', 'public', 'vite.config.ts', 'precompress-plugin.mjs', 'tsconfig.app.json', 'package.json'];

function newestMtime(path) {
  let stat;
  try { stat = statSync(path); } catch { return 0; }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const built = newestMtime(join(here, 'dist', 'app', 'index.html'));
const sources = Math.max(...INPUTS.map((p) => newestMtime(join(here, p))));
if (process.argv.includes('--if-stale') && built > sources) process.exit(0);

process.stderr.write('lens: building the dashboard (tsc --noEmit, vite build)…\n');
const tsc = require.resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.app.json')], { cwd: here, stdio: 'inherit' });
} catch {
  process.stderr.write('lens: the dashboard does not type-check (errors above)\n');
  process.exit(1);
}
const { build } = await import('vite');
await build({ root: here, configFile: join(here, 'vite.config.ts'), logLevel: 'warn' });
