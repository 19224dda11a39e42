// `lens config` through the real binary: the merged configuration as YAML, secrets not printed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { LENS_BIN } from '../testing/lens-process.js';

describe('lens config', () => {
  it('prints the file merged with the environment, hiding secret values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lens-config-'));
    const file = join(dir, 'lens.yaml');
    writeFileSync(
      file,
      'recs:\n  kv: { backend: dynamodb, table: recs, credentials: { accessKeyId: AKID, secretAccessKey: s3cr3t } }\n',
    );
    const out = spawnSync(process.execPath, [LENS_BIN, 'config', '--config', file], {
      encoding: 'utf8',
      env: { ...process.env, LENS_RECS_K: '7' },
    });
    assert.equal(out.status, 0, out.stderr);
    assert.doesNotMatch(out.stdout, /s3cr3t/);
    const printed = parse(out.stdout) as { recs: { k: number; kv: Record<string, unknown> } };
    assert.equal(printed.recs.k, 7);
    assert.deepEqual(printed.recs.kv['credentials'], { accessKeyId: 'AKID', secretAccessKey: '(hidden)' });
  });

  it('does not print the server read tokens (bearer tokens for /api/*), from the file or the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lens-config-'));
    const file = join(dir, 'lens.yaml');
    writeFileSync(file, 'server:\n  readTokens: [file-token-0123456789abcdef]\n');
    for (const env of [{}, { LENS_SERVER_READ_TOKENS: 'env-token-0123456789abcdef,env-token-2-0123456789abc' }]) {
      const out = spawnSync(process.execPath, [LENS_BIN, 'config', '--config', file], {
        encoding: 'utf8',
        env: { ...process.env, ...env },
      });
      assert.equal(out.status, 0, out.stderr);
      assert.doesNotMatch(out.stdout, /token-/);
      const printed = parse(out.stdout) as { server: { readTokens: string[] } };
      assert.deepEqual(
        printed.server.readTokens,
        'LENS_SERVER_READ_TOKENS' in env ? ['(hidden)', '(hidden)'] : ['(hidden)'],
      );
    }
  });
});
