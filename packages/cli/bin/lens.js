#!/usr/bin/env node
// The `lens` command. The CLI is compiled TypeScript; `npm start`/`npm test` build it, this shim only runs it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('lens: the CLI is not built yet. Run `npm run build` (or `npm start`) from the repository root.\n');
  process.exit(1);
}
await import(main.href);
