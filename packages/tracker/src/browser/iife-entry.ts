// Entry of the snippet/IIFE build: takes over the stub the snippet put at `window[name]` (name from the
// script tag's `data-global`, default `lens`), replays the calls it recorded, and installs the tracker there.
// That one property is the only global the SDK creates.
import { createTracker } from './browser-tracker.js';

const script = document.currentScript as HTMLScriptElement | null;
const name = script?.dataset['global'] || 'lens';
const w = window as unknown as Record<string, unknown>;
const stub = w[name];
if (!(typeof stub === 'object' && stub !== null && (stub as { loaded?: boolean }).loaded)) {
  const tracker = createTracker(Array.isArray(stub) ? (stub as unknown[][]) : []);
  w[name] = Object.assign(tracker, { loaded: true });
}
