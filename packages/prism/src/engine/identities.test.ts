// silver.identities links every anonymous id an event carries beside a user id: an alias call links its previousId
// and also the anonymousId it was sent with (analytics.js sends both; the demo's are equal).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { DeltaTable } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import { loadDefinitions } from '../definition/load-definitions.js';
import { buildGraph } from '../graph/pipeline-graph.js';
import { appendBronze, bronzeRows } from '../testing/bronze-fixture.js';
import { runPipelines } from './run-pipelines.js';

it('links both the previousId and the anonymousId of an alias, incrementally and on a full refresh', async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'prism-identities-')), 'data');
  const graph = buildGraph(loadDefinitions().filter((d) => d.name === 'silver.identities'));
  const rows = [...bronzeRows({ seed: 5, users: 60, days: 2, start: '2025-03-03T00:00:00Z' })].filter(
    (r) => !r['is_bot'],
  );
  await appendBronze(dataDir, rows);
  await runPipelines({ dataDir, graph, retries: 0 });
  const alias = {
    ...rows[0]!,
    message_id: 'alias-1',
    type: 'alias',
    event: null,
    anonymous_id: 'anon-device-2',
    previous_id: 'anon-device-1',
    user_id: 'user-77',
    timestamp: '2025-03-04T12:00:00.000Z',
    event_date: '2025-03-04',
    log_offset: 1e9,
  };
  await appendBronze(dataDir, [alias]);
  const identities = async () =>
    (await (await DeltaTable.open(lakeTablePath(dataDir, 'silver.identities'))).query())
      .filter((r) => String(r['anonymous_id']).startsWith('anon-device-'))
      .map((r) => [r['anonymous_id'], r['person_id']])
      .sort();
  const [run] = await runPipelines({ dataDir, graph, retries: 0 });
  assert.equal(run?.mode, 'incremental');
  const expected = [
    ['anon-device-1', 'user-77'],
    ['anon-device-2', 'user-77'],
  ];
  assert.deepEqual(await identities(), expected);
  await runPipelines({ dataDir, graph, retries: 0, mode: { kind: 'full' } });
  assert.deepEqual(await identities(), expected);
});
