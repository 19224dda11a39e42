// The one-line snippet pages paste: a stub at `window[name]` that records calls (with their time) until the
// IIFE build, loaded async so it never blocks rendering, takes over.

/**
 * The stubbed methods; `flush`, `user` and `stats` need the real tracker and are not stubbed: call them from
 * `ready(callback)`, which is.
 */
export const STUB_METHODS = [
  'load',
  'track',
  'page',
  'screen',
  'identify',
  'group',
  'alias',
  'reset',
  'setAnonymousId',
  'optOut',
  'optIn',
  'ready',
] as const;

/**
 * The snippet's JavaScript (wrap it in a `<script>` tag).
 * @example snippet({ src: 'https://cdn.example.com/lens.iife.min.js', writeKey: 'WK', collectorUrl: 'https://collect.example.com' })
 */
export function snippet(options: {
  src: string;
  writeKey: string;
  collectorUrl: string;
  name?: string;
  loadOptions?: object;
}): string {
  const args = [options.name ?? 'lens', options.src, options.writeKey, options.collectorUrl]
    .map((v) => JSON.stringify(v))
    .join(',');
  return `!function(w,d,n,s,k,u,o){var l=w[n]=w[n]||[];if(l.loaded||l.stubbed)return;l.stubbed=1;${JSON.stringify(STUB_METHODS)}.forEach(function(m){l[m]=function(){l.push([m,Date.now()].concat([].slice.call(arguments)))}});var e=d.createElement("script");e.async=1;e.src=s;e.dataset.global=n;d.head.appendChild(e);l.load(k,u,o)}(window,document,${args},${JSON.stringify(options.loadOptions ?? {})});`;
}
