// Random v4 UUIDs for `messageId` and `anonymousId`: the messageId is what lets retries and re-sent queues
// be deduplicated downstream, so every event gets one at call time and keeps it through every attempt.

/**
 * A v4 UUID from the platform's CSPRNG (`crypto.randomUUID` where it exists, else `getRandomValues`,
 * which older Safari and non-secure origins still have).
 * @example const messageId = uuid(); // '3b1f…-4…'
 */
export function uuid(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') {
    try {
      return c.randomUUID();
    } catch {
      // randomUUID throws on non-secure origins (plain http on a LAN host): fall through.
    }
  }
  const b = new Uint8Array(16);
  if (typeof c?.getRandomValues === 'function') c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  let hex = '';
  for (let i = 0; i < 16; i++) hex += (b[i]! + 0x100).toString(16).slice(1);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
