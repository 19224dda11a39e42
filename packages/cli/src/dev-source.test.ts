// The development source: created once in the data directory; a broken file, or a data directory that is not one,
// is reported for what it is.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LensConfig } from '@lens/protocol';
import { sourcesOrDevSource } from './dev-source.js';

describe('sourcesOrDevSource', () => {
  it('creates the development source once and reads it back', () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'lens-dev-source-')), 'data');
    const first = sourcesOrDevSource(LensConfig.parse({ dataDir }));
    assert.equal(first.devSource?.id, 'dev');
    assert.deepEqual(sourcesOrDevSource(LensConfig.parse({ dataDir })).devSource, first.devSource);
  });

  it('says a broken file is to be deleted', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lens-dev-source-'));
    writeFileSync(join(dataDir, 'dev-source.json'), '{not json');
    assert.throws(() => sourcesOrDevSource(LensConfig.parse({ dataDir })), /not a valid development source.*delete it/);
  });

  it('says a data directory that is a file cannot be read, not that a file should be deleted', () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'lens-dev-source-')), 'a-file');
    writeFileSync(dataDir, '');
    assert.throws(
      () => sourcesOrDevSource(LensConfig.parse({ dataDir })),
      (error: Error) => /cannot be read \(ENOTDIR\)/.test(error.message) && !/delete it/.test(error.message),
    );
  });
});
