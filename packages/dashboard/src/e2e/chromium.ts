// Launches Debian's Chromium through playwright-core (no browser download). Outside CI a missing
// /usr/bin/chromium skips the browser tests loudly; in CI (CI=true) they run and fail without it.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Why browser tests cannot run here, or undefined when they can (and must, in CI). */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM_PATH) || process.env['CI'] === 'true') return undefined;
  const reason = `CHROMIUM MISSING: ${CHROMIUM_PATH} not found — dashboard browser tests SKIPPED (apt-get install chromium; CI installs it)`;
  process.stderr.write(`\n*** ${reason} ***\n\n`);
  return reason;
}

/** Headless Chromium with every network feature that could reach outside this machine turned off. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
