// Writes .br and .gz next to every built JS/CSS/HTML/SVG file, so @fastify/static (preCompressed) sends
// them without compressing per request: less to transfer, no CPU per hit.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const COMPRESSIBLE = /\.(js|css|html|svg|json)$/;

/** A Vite plugin: precompresses the emitted bundle after it is written. */
export function precompressPlugin() {
  let outDir = 'dist';
  return {
    name: 'lens-precompress',
    apply: 'build',
    configResolved(config) { outDir = join(config.root, config.build.outDir); },
    async writeBundle(_options, bundle) {
      for (const fileName of Object.keys(bundle)) {
        if (!COMPRESSIBLE.test(fileName)) continue;
        const path = join(outDir, fileName);
        const body = await readFile(path);
        await writeFile(`${path}.gz`, gzipSync(body, { level: 9 }));
        await writeFile(`${path}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      }
    },
  };
}
