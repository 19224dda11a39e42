// Flag values common to the role commands: a bad --workers is refused naming the flag, before anything starts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseWorkers } from './common-options.js';
import { LENS_BIN } from './testing/lens-process.js';

describe('--workers', () => {
  it('takes a whole number of processes, 0 meaning one per core', () => {
    assert.equal(parseWorkers('0'), 0);
    assert.equal(parseWorkers('4'), 4);
    // Number() read '' as 0 (one collector per core) and '0x2' as 2.
    for (const bad of ['', ' ', 'abc', '-1', '1.5', '0x2', '1e1'])
      assert.throws(() => parseWorkers(bad), /--workers: ".*" is not a number of processes/, JSON.stringify(bad));
  });

  for (const command of ['up', 'collector'])
    it(`lens ${command} --workers abc exits 1 with an error naming the flag`, () => {
      const data = mkdtempSync(join(tmpdir(), 'lens-workers-'));
      const out = spawnSync(process.execPath, [LENS_BIN, command, '--workers', 'abc', '--data', data], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.equal(out.status, 1, out.stderr);
      assert.match(out.stderr, /--workers: "abc" is not a number of processes \(0 = one per core\)/);
    });
});
