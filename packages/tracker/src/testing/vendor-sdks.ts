// Builds the existing browser SDKs (@rudderstack/analytics-js, bundled flavour, and @segment/analytics-next)
// into IIFEs with esbuild, so a test page can load them from our page server: no vendor CDN involved.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** The two vendor SDKs: what the bundle puts on `window`, and the import that provides it. */
export const VENDOR_SDKS = {
  rudderstack: {
    global: 'RudderAnalytics',
    source:
      "import { RudderAnalytics } from '@rudderstack/analytics-js/bundled'; window.RudderAnalytics = RudderAnalytics;",
  },
  segment: {
    global: 'AnalyticsBrowser',
    source: "import { AnalyticsBrowser } from '@segment/analytics-next'; window.AnalyticsBrowser = AnalyticsBrowser;",
  },
} as const;

/**
 * Bundles one vendor SDK, minified, resolved from the repo's node_modules.
 * @example const { code, gzipBytes } = await buildVendorSdk('segment');
 */
export async function buildVendorSdk(name: keyof typeof VENDOR_SDKS): Promise<{ code: string; gzipBytes: number }> {
  const result = await build({
    stdin: { contents: VENDOR_SDKS[name].source, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    write: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text;
  return { code, gzipBytes: gzipSync(code, { level: 9 }).length };
}
