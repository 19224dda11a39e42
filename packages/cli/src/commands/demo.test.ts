// `lens demo` through the real binary: where it sends without --url, and a --url that is no URL.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it('sends as the first enabled source, not a disabled one listed first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lens-demo-'));
    const file = join(dir, 'lens.yaml');
    writeFileSync(
      file,
      `dataDir: ${JSON.stringify(dir)}\nsources:\n  - { id: old, name: Old, writeKey: old_key_12345, enabled: false }\n  - { id: web, name: Web, writeKey: web_key_12345 }\n`,
    );
    const keys = new Set<string>();
    const collector = createServer((req, res) => {
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (basic) keys.add(Buffer.from(basic, 'base64').toString().replace(/:$/, ''));
      req.resume();
      req.on('end', () =>
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true,"accepted":1}'),
      );
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
      const child = spawn(
        process.execPath,
        [LENS_BIN, 'demo', '--config', file, '--url', url, '--rate', '20', '--duration', '2'],
        {
          stdio: 'ignore',
        },
      );
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(code, 0);
      assert.deepEqual([...keys], ['web_key_12345']);
    } finally {
      collector.close();
    }
  });

  it("--help gives the defaults --bulk uses, which are not live traffic's", () => {
    const out = spawnSync(process.execPath, [LENS_BIN, 'demo', '--help'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(out.status, 0, out.stderr);
    const help = out.stdout.replace(/\s+/g, ' ');
    assert.match(help, /--seed <n> seed of the simulation \(default: from the clock, .*; 42 with --bulk\)/);
    assert.match(
      help,
      /--users <n> simulated people \(default: 600 × rate, .*; with --bulk: sized so the events span the --days\)/,
    );
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
