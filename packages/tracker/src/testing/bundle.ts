// Builds the browser bundles with esbuild (the one bundler in the repo): the minified ES module and the
// minified IIFE the snippet loads, into dist/bundle/. Used by the browser tests, the benchmark and `npm run bundle`.
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Paths and sizes of the built bundles. */
export interface Bundles {
  esmPath: string;
  iifePath: string;
  esm: string;
  iife: string;
  esmGzipBytes: number;
  iifeGzipBytes: number;
}

/**
 * Bundles `src/index.ts` (ESM) and `src/browser/iife-entry.ts` (IIFE), minified, for browsers of 2021 on.
 * @example const { iifePath, esmGzipBytes } = await buildBundles();
 */
export async function buildBundles(outDir = join(packageDir, 'dist', 'bundle')): Promise<Bundles> {
  await mkdir(outDir, { recursive: true });
  const common = {
    bundle: true,
    minify: true,
    platform: 'browser',
    target: 'es2022',
    legalComments: 'none',
    write: true,
    logLevel: 'silent',
  } as const;
  const esmPath = join(outDir, 'lens.min.js');
  const iifePath = join(outDir, 'lens.iife.min.js');
  await Promise.all([
    build({ ...common, entryPoints: [join(packageDir, 'src', 'index.ts')], format: 'esm', outfile: esmPath }),
    build({
      ...common,
      entryPoints: [join(packageDir, 'src', 'browser', 'iife-entry.ts')],
      format: 'iife',
      outfile: iifePath,
    }),
  ]);
  const { readFile } = await import('node:fs/promises');
  const [esm, iife] = await Promise.all([readFile(esmPath, 'utf8'), readFile(iifePath, 'utf8')]);
  return {
    esmPath,
    iifePath,
    esm,
    iife,
    esmGzipBytes: gzipSync(esm, { level: 9 }).length,
    iifeGzipBytes: gzipSync(iife, { level: 9 }).length,
  };
}
