// Config loading: defaults, YAML file, LENS_* environment and flags in that order, and errors that name the
// file and line (or the variable, or the flag), the key and the problem.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { configEnvironmentVariables, loadConfig } from './config-loader.js';
import { memorySizeBytes } from './config.js';
import { ConfigError } from './errors.js';

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'lens-config-')), 'lens.yaml');
  writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('gives the embedded defaults with no input', () => {
    const config = loadConfig();
    assert.equal(config.dataDir, './lens-data');
    assert.equal(config.collector.port, 8080);
    assert.equal(config.collector.limits.maxEventBytes, 32 * 1024);
    assert.equal(config.collector.limits.maxRequestBytes, 1024 * 1024);
    assert.equal(config.collector.limits.maxBatchEvents, 2500);
    assert.deepEqual(config.sources, []);
  });

  it('takes a section or key left without a value (its keys commented out) as not set', () => {
    const file = yamlFile(
      'collector:\n  # port: 9000\nsources:\nloader:\n  quality:\n  port: 8085\npipelines:\n  dir: ~\n',
    );
    const config = loadConfig({ file });
    assert.equal(config.collector.port, 8080);
    assert.deepEqual(config.sources, []);
    assert.equal(config.loader.port, 8085);
    assert.equal(config.loader.quality.timestampAction, 'correct');
    assert.equal(config.pipelines.dir, undefined);
    // A typo stays an error with or without a value.
    assert.throws(
      () => loadConfig({ file: yamlFile('collector:\n  prot:\n') }),
      /line 2: collector\.prot: unknown key/,
    );
  });

  it('reads sources and settings from YAML; environment overrides the file; flags override both', () => {
    const file = yamlFile(
      'sources:\n  - { id: web, name: Web, writeKey: abcdefgh123 }\ncollector:\n  port: 9000\n  limits:\n    maxBatchEvents: 100\n',
    );
    const config = loadConfig({
      file,
      env: {
        LENS_COLLECTOR_PORT: '9100',
        LENS_COLLECTOR_LIMITS_MAX_EVENT_BYTES: '1000',
        LENS_COLLECTOR_CORS_ORIGINS: 'https://a.example, https://b.example',
      },
      overrides: { dataDir: '/tmp/x' },
    });
    assert.equal(config.sources[0]?.writeKey, 'abcdefgh123');
    assert.equal(config.sources[0]?.enabled, true);
    assert.equal(config.collector.port, 9100);
    assert.equal(config.collector.limits.maxBatchEvents, 100);
    assert.equal(config.collector.limits.maxEventBytes, 1000);
    assert.deepEqual(config.collector.cors.origins, ['https://a.example', 'https://b.example']);
    assert.equal(config.dataDir, '/tmp/x');
    assert.equal(
      loadConfig({ file, env: { LENS_COLLECTOR_PORT: '9100' }, overrides: { 'collector.port': 7000 } }).collector.port,
      7000,
    );
  });

  it('names file, line, key and problem for a bad value', () => {
    const file = yamlFile('collector:\n  port: "eighty"\nsources:\n  - id: web\n    name: Web\n    writeKey: short\n');
    assert.throws(
      () => loadConfig({ file }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(
          error.message,
          new RegExp(`config file ${file} line 2: collector\\.port: Expected number, received string`),
        );
        assert.match(
          error.message,
          new RegExp(`config file ${file} line 6: sources\\.0\\.writeKey: at least 8 characters`),
        );
        return true;
      },
    );
  });

  it('pipelines.memoryLimit: a share of the machine or a size; anything else is named with its problem', () => {
    assert.equal(loadConfig().pipelines.memoryLimit, '40%');
    const total = 16 * 2 ** 30;
    assert.equal(memorySizeBytes('40%', total), Math.floor(total * 0.4));
    assert.equal(memorySizeBytes('4GB', total), 4e9);
    assert.equal(memorySizeBytes('512 MiB', total), 512 * 2 ** 20);
    assert.equal(memorySizeBytes('1.5gib', total), 1.5 * 2 ** 30);
    assert.ok(Number.isNaN(memorySizeBytes('lots', total)));
    assert.equal(loadConfig({ file: yamlFile('pipelines:\n  memoryLimit: 2GiB\n') }).pipelines.memoryLimit, '2GiB');
    const refused: [string, RegExp][] = [
      ['lots', /pipelines\.memoryLimit: a share of the machine's memory \(e\.g\. "40%"\) or a size/],
      ['4 gigs', /pipelines\.memoryLimit: a share of the machine's memory/],
      ['0%', /pipelines\.memoryLimit: a share between 0 and 100%/],
      ['150%', /pipelines\.memoryLimit: a share between 0 and 100%/],
      ['10MB', /pipelines\.memoryLimit: at least 128MiB/],
    ];
    for (const [value, problem] of refused) {
      const file = yamlFile(`pipelines:\n  memoryLimit: "${value}"\n`);
      assert.throws(
        () => loadConfig({ file }),
        (error: unknown) =>
          error instanceof ConfigError && problem.test(error.message) && error.message.includes('line 2'),
        value,
      );
    }
  });

  it("recs: refuses a default k above maxK at start-up; one section's age limit keeps the others' defaults", () => {
    const file = yamlFile('recs:\n  maxK: 5\n  k: 10\n');
    assert.throws(
      () => loadConfig({ file }),
      new RegExp(`config file ${file} line 3: recs\\.k: must not exceed maxK \\(5\\)`),
    );
    const ages = loadConfig({ file: yamlFile('recs:\n  maxAgeHours: { news: 5 }\n') }).recs.maxAgeHours;
    assert.equal(ages['news'], 5);
    assert.equal(ages['football'], 48);
    assert.equal(ages['default'], 72);
  });

  it('refuses two sources with one id or one write key, naming both', () => {
    const file = yamlFile(
      'sources:\n  - { id: web, name: Web, writeKey: key-one-1 }\n  - { id: app, name: App, writeKey: key-one-1 }\n  - { id: web, name: Web 2, writeKey: key-two-2 }\n',
    );
    assert.throws(
      () => loadConfig({ file }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /line 3: sources\.1\.writeKey: the same as sources\.0\.writeKey/);
        assert.match(error.message, /line 4: sources\.2\.id: the same as sources\.0\.id/);
        return true;
      },
    );
  });

  it('rejects unknown keys (typos) instead of ignoring them', () => {
    const file = yamlFile('collector:\n  prot: 8080\n');
    assert.throws(() => loadConfig({ file }), /line 2: collector\.prot: unknown key \(a typo\?\)/);
  });

  it('refuses CORS origins that can never match what a browser sends (case, trailing slash, path)', () => {
    for (const bad of [
      'https://Good.Example',
      'https://good.example/',
      'good.example',
      'https://good.example/app',
      // A browser leaves the scheme's default port out of Origin: written in, it never matches.
      'https://good.example:443',
      'http://good.example:80',
    ])
      assert.throws(
        () => loadConfig({ file: yamlFile(`collector:\n  cors:\n    origins: ['${bad}']\n`) }),
        /collector\.cors\.origins\.0: not an origin as browsers send it: lowercase scheme:\/\/host\[:port\]/,
        bad,
      );
    const ok = [
      '*',
      'null',
      'https://news.example',
      'http://localhost:3000',
      'http://[::1]:8080',
      'https://x.example:80',
    ];
    assert.deepEqual(loadConfig({ env: { LENS_COLLECTOR_CORS_ORIGINS: ok.join(',') } }).collector.cors.origins, ok);
  });

  it('rejects a LENS_* variable that sets no key (a typo), naming the nearest one', () => {
    assert.throws(
      () => loadConfig({ env: { LENS_COLLECTOR_PROT: '9000', PATH: '/bin' } }),
      /environment variable LENS_COLLECTOR_PROT: sets no configuration key \(a typo\? did you mean LENS_COLLECTOR_PORT\?\)/,
    );
    // Set but empty counts as unset (as for the known ones); LENS_WRITE_KEY belongs to `lens demo`.
    assert.equal(loadConfig({ env: { LENS_NOTHING: '', LENS_WRITE_KEY: 'k' } }).collector.port, 8080);
  });

  it('names the environment variable or flag a bad value came from', () => {
    assert.throws(
      () => loadConfig({ env: { LENS_COLLECTOR_PORT: 'abc' } }),
      /environment variable LENS_COLLECTOR_PORT: collector\.port: Expected number, received string/,
    );
    assert.throws(
      () => loadConfig({ overrides: { 'collector.port': 70000 } }),
      /command-line option for collector\.port: collector\.port: Number must be less than or equal to 65535/,
    );
  });

  it('reads JSON for keys holding objects or lists from the environment, and names JSON that does not parse', () => {
    const config = loadConfig({
      env: {
        LENS_RECS_MAX_AGE_HOURS: '{"default": 10}',
        LENS_RECS_KV: '{"backend": "sqlite", "path": "/tmp/kv.sqlite"}',
      },
    });
    assert.equal(config.recs.maxAgeHours['default'], 10);
    assert.equal(config.recs.maxAgeHours['news'], 48, 'the other sections keep their defaults');
    assert.deepEqual(config.recs.kv, { backend: 'sqlite', path: '/tmp/kv.sqlite' });
    assert.throws(
      () => loadConfig({ env: { LENS_SOURCES: '[{id:1}]' } }),
      /environment variable LENS_SOURCES: not valid JSON \(/,
    );
    assert.throws(
      () => loadConfig({ env: { LENS_RECS_KV: '{bad' } }),
      /environment variable LENS_RECS_KV: not valid JSON/,
    );
  });

  it('reports YAML syntax errors with their line, and unreadable files', () => {
    assert.throws(
      () => loadConfig({ file: yamlFile('collector:\n  port: 1\n bad: [\n') }),
      /line \d+, column \d+: not valid YAML/,
    );
    // Over-indented: the place once (no dangling "at line …:"), the offending line with a caret under the column.
    assert.throws(
      () => loadConfig({ file: yamlFile('sources:\n  - id: web\n    name: Web\n      writeKey: abc\n') }),
      (e: Error) =>
        /line 3, column 11: not valid YAML: Nested mappings are not allowed in compact mappings\n/.test(e.message) &&
        /name: Web\n +\^/.test(e.message) &&
        !/at line/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ file: '/nonexistent/lens.yaml' }),
      /config file \/nonexistent\/lens\.yaml: cannot be read \(ENOENT\)/,
    );
    assert.throws(() => loadConfig({ file: yamlFile('- a\n- b\n') }), /must be a YAML mapping/);
  });

  it('lists an environment variable for every leaf key', () => {
    const names = configEnvironmentVariables().map((v) => v.name);
    assert.ok(names.includes('LENS_DATA_DIR'));
    assert.ok(names.includes('LENS_COLLECTOR_LIMITS_MAX_REQUEST_BYTES'));
    assert.ok(names.includes('LENS_LOG_SEGMENT_BYTES'));
  });
});
