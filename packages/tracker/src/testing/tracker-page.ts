// The HTML of a test page that loads the Lens tracker through the one-line snippet, recording the window's
// own property names first so a test can check the SDK adds no global but the one it was asked for.
import { snippet } from '../browser/snippet.js';
import type { LoadOptions } from '../browser/load-options.js';

/** A page titled `title` with the snippet (script at `/lens.iife.min.js`) pointed at `collectorUrl`. */
export function trackerPage(options: {
  collectorUrl: string;
  writeKey: string;
  title?: string;
  loadOptions?: LoadOptions;
  body?: string;
}): string {
  const code = snippet({
    src: '/lens.iife.min.js',
    writeKey: options.writeKey,
    collectorUrl: options.collectorUrl,
    loadOptions: options.loadOptions ?? {},
  });
  return `<!doctype html><html><head><meta charset="utf-8"><title>${options.title ?? 'Test Page'}</title>
<script>window.__globalsBefore = Object.getOwnPropertyNames(window);</script>
<script>${code}</script></head><body>${options.body ?? '<a id="away" href="/other.html">away</a>'}</body></html>`;
}

/** A page without any tracker (somewhere to navigate away to). */
export const OTHER_PAGE = '<!doctype html><html><head><title>Other</title></head><body>other</body></html>';
