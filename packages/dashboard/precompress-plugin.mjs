// Writes .br and .gz next to every built JS/CSS/HTML/SVG file, so @fastify/static (preCompressed) sends
// them without compressing per request: less to transfer, no CPU per hit.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const br = promisify(brotliCompress);
const gz = promisify(gzip);

const COMPRESSIBLE = /\.(js|css|html|svg|json)$/;

/** A Vite plugin: precompresses the emitted bundle after it is written. */
export function precompressPlugin() {
  let outDir = 'dist';
  return {
    name: 'lens-precompress',
    apply: 'build',
    configResolved(config) { outDir = join(config.root, config.build.outDir); },
    async writeBundle(_options, bundle) {
      // In parallel on libuv's thread pool: brotli at quality 11 is slow on the ECharts chunk.
      await Promise.all(Object.keys(bundle).filter((f) => COMPRESSIBLE.test(f)).map(async (fileName) => {
        const path = join(outDir, fileName);
        const body = await readFile(path);
        await writeFile(`${path}.gz`, await gz(body, { level: 9 }));
        await writeFile(`${path}.br`, await br(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      }));
    },
  };
}
