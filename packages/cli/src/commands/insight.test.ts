// `lens insight` and `lens server` as the CLI runs them (child processes): the insight printed as JSON and as
// a table, a bad query's field on stderr with exit 1; the server answering over HTTP after lens:ready and
// stopping on SIGTERM.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { appendSilverEvents, INSIGHT_KINDS, tempDataDir } from '@lens/insights';
import { INSIGHT_COMMAND_KINDS } from './insight.js';

const here = dirname(fileURLToPath(import.meta.url));
const runner = `
import { Command } from 'commander';
import { registerInsightCommand } from ${JSON.stringify(join(here, 'insight.js'))};
import { registerServerCommand } from ${JSON.stringify(join(here, 'server.js'))};
const program = new Command('lens'); registerInsightCommand(program); registerServerCommand(program);
await program.parseAsync(process.argv.slice(1).filter((a, i) => !(i === 0 && a === '--')), { from: 'user' });`;
const lens = (...args: string[]) =>
  spawnSync(process.execPath, ['--input-type=module', '-e', runner, '--', ...args], { cwd: here, encoding: 'utf8' });
const AV = 'Article Viewed';
const QUERY = { series: [{ event: AV, math: 'unique' }], dateRange: { from: '2025-01-06', to: '2025-01-07' } };

it("lens insight's help lists every kind the engine answers, and trending", () => {
  assert.deepEqual([...INSIGHT_COMMAND_KINDS].sort(), [...INSIGHT_KINDS.map((k) => k.name), 'trending'].sort());
});

it('lens insight refuses an unknown kind naming every kind it takes, trending included', () => {
  const unknown = lens('insight', 'trend', '--data', '/nonexistent-lens-data');
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /unknown insight kind "trend" \(one of trends, .*, search, trending\)/);
});

it('lens insight prints the result as JSON or a table; a bad query names the field', async () => {
  const dataDir = await tempDataDir();
  await appendSilverEvents(dataDir, [
    { actor: 'a', event: AV, at: '2025-01-06T10:00:00Z' },
    { actor: 'b', event: AV, at: '2025-01-06T11:00:00Z' },
    { actor: 'a', event: AV, at: '2025-01-07T10:00:00Z' },
  ]);
  const file = join(dataDir, 'q.json');
  await writeFile(file, JSON.stringify(QUERY));
  const json = lens('insight', 'trends', '--query', file, '--data', dataDir, '--log-level', 'silent');
  assert.equal(json.status, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout).series[0].values, [2, 1]);
  const table = lens('insight', 'trends', '--query', file, '--format', 'table', '--data', dataDir);
  assert.match(table.stdout, /\| series +\| breakdown \| 2025-01-06 \| 2025-01-07 \|/);
  assert.match(table.stdout, /A unique\(Article Viewed\) .*\| 2 +\| 1 +\|/);
  await writeFile(file, JSON.stringify({ ...QUERY, interval: 'fortnight' }));
  const bad = lens('insight', 'trends', '--query', file, '--data', dataDir);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /interval: /);
});

it('lens server reports lens:ready with its URL, answers, and stops on SIGTERM', async () => {
  const dataDir = await tempDataDir();
  await appendSilverEvents(dataDir, [{ actor: 'a', event: AV, at: '2025-01-06T10:00:00Z' }]);
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      runner,
      '--',
      'server',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data',
      dataDir,
      '--log-level',
      'silent',
    ],
    { cwd: here, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.on('message', (m: { type?: string; url?: string }) => m.type === 'lens:ready' && resolve(m.url!));
      child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
    });
    const res = await fetch(`${url}/api/insights/trends`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(QUERY),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(
      ((await res.json()) as { result: { series: { values: number[] }[] } }).result.series[0]!.values,
      [1, 0],
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
