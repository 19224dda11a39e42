// Makes a fresh clone runnable: installs dependencies when they are missing or stale, then builds (tsc -b is
// incremental, so this is quick when nothing changed). Used by `npm start`, `npm test` and `npm run bench`.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// Native addons (better-sqlite3) build from source: their prebuilt-binary download cannot reach its host here.
const env = { ...process.env, npm_config_build_from_source: 'true' };
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit', env });

const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
const installed = existsSync(marker) && existsSync(join(root, 'node_modules', '.bin', 'tsc'));
if (!installed || statSync(lock).mtimeMs > statSync(marker).mtimeMs) {
  process.stderr.write('lens: installing dependencies (npm ci)…\n');
  run(npm, ['ci', '--no-audit', '--no-fund']);
}
process.stderr.write('lens: building (tsc -b)…\n');
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b']);
// The dashboard is a browser app bundled by Vite, not tsc; its build script does nothing when dist/app is
// newer than its sources, so this costs a few stat calls on an unchanged tree.
run(process.execPath, [join(root, 'packages', 'dashboard', 'build-app.mjs'), '--if-stale']);
