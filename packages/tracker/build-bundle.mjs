// `npm run bundle -w @lens/tracker`: builds dist/bundle/lens.min.js and lens.iife.min.js (after `tsc -b`).
import { buildBundles } from './dist/testing/bundle.js';

const b = await buildBundles();
console.log(`${b.esmPath}: ${b.esm.length} B, ${b.esmGzipBytes} B gzipped`);
console.log(`${b.iifePath}: ${b.iife.length} B, ${b.iifeGzipBytes} B gzipped`);
