// `lens demo` through the real binary: where it sends without --url, and a --url that is no URL.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LENS_BIN } from '../testing/lens-process.js';

describe('lens demo', () => {
  it("sends to the configured collector.port when no --url is given, as it uses the configuration's write key", () => {
    const dir = mkdtempSync(join(tmpdir(), 'lens-demo-'));
    const file = join(dir, 'lens.yaml');
    // Port 9 (discard): nothing listens there, so the run fails fast and says where it sent.
    writeFileSync(file, `dataDir: ${JSON.stringify(dir)}\ncollector:\n  port: 9\n`);
    const out = spawnSync(
      process.execPath,
      [LENS_BIN, 'demo', '--config', file, '--duration', '1', '--log-level', 'silent'],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    assert.equal(out.status, 1, out.stderr);
    assert.match(out.stderr, /no event reached the collector at http:\/\/localhost:9 /);
  });

  it('refuses a --url that is not an http(s) URL, naming the flag', () => {
    const out = spawnSync(process.execPath, [LENS_BIN, 'demo', '--url', 'localhost:8080', '--duration', '1'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(out.status, 1);
    assert.match(out.stderr, /--url: "localhost:8080" is not an http\(s\) URL/);
  });
});
