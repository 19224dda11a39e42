// Definition validation and the graph: errors name file, line and key; unknown inputs and cycles are config
// errors; the shipped pipelines load and order correctly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildGraph } from '../graph/pipeline-graph.js';
import { loadDefinitions, parseDefinition } from './load-definitions.js';

const base = (extra: string) =>
  `name: gold.x\ndescription: d\nowner: me\ninputs: [silver.events]\ntransform:\n  sql: SELECT 1 AS a\nupdate:\n  mode: append\n${extra}`;

describe('pipeline definitions', () => {
  it('names the file, line and key of a schema error', () => {
    assert.throws(
      () => parseDefinition(base('schedule: sometimes\n'), 'p/x.yaml'),
      (e: Error) => {
        assert.equal(e.name, 'PipelineDefinitionError');
        assert.match(e.message, /^p\/x\.yaml:9 \(schedule\): continuous/);
        return true;
      },
    );
    assert.throws(
      () => parseDefinition(base('expectations:\n  - name: ok\n    condition: a > 0\n    action: explode\n'), 'y.yaml'),
      /y\.yaml:12 \(expectations\.0\.action\)/,
    );
    assert.throws(
      () =>
        parseDefinition(
          base('partitionBy: [a]\n')
            .replace('mode: append', 'mode: replace_partitions')
            .replace('partitionBy: [a]', ''),
          'z.yaml',
        ),
      /replace_partitions needs partitionBy/,
    );
    assert.throws(
      () => parseDefinition(base('').replace('SELECT 1 AS a', 'SELECT * FROM this'), 'w.yaml'),
      /w\.yaml:5 \(transform\).*must declare `columns`/,
    );
    assert.throws(() => parseDefinition('name: [', 'bad.yaml'), /bad\.yaml:1/);
    // An unknown key is named and located where it is written.
    assert.throws(
      () => parseDefinition(base('schedul: every 5 minutes\n'), 'k.yaml'),
      /k\.yaml:9 \(schedul\): Unrecognized key\(s\) in object: 'schedul'/,
    );
    assert.throws(
      () => parseDefinition(base('expectations:\n  - name: ok\n    condition: a > 0\n    acton: warn\n'), 'k.yaml'),
      /k\.yaml:12 \(expectations\.0\.acton\)/,
    );
    // A cron expression cron-parser refuses is a definition error, not a scheduler crash after the first run.
    assert.throws(
      () => parseDefinition(base('schedule: "cron: not a cron"\n'), 'c.yaml'),
      /^PipelineDefinitionError: c\.yaml:9 \(schedule\): invalid cron expression/,
    );
    assert.throws(() => parseDefinition(base('schedule: "cron: 61 * * * *"\n'), 'c.yaml'), /c\.yaml:9 \(schedule\)/);
    assert.equal(parseDefinition(base('schedule: "cron: */5 * * * *"\n'), 'c.yaml').schedule, 'cron: */5 * * * *');
    assert.throws(
      () => parseDefinition(base('schedule: every 0 seconds\n'), 'z.yaml'),
      /z\.yaml:9 \(schedule\): every N: N must be at least 1/,
    );
    assert.equal(parseDefinition(base('schedule: every 10 seconds\n'), 'z.yaml').schedule, 'every 10 seconds');
  });

  it('rejects unknown inputs and cycles, and orders the shipped pipelines by dependency', () => {
    const a = parseDefinition(base('').replace('silver.events', 'gold.y'), 'a.yaml');
    const b = parseDefinition(
      base('')
        .replace('name: gold.x', 'name: gold.y')
        .replace('inputs: [silver.events]', 'inputs:\n  - bronze.events\n  - gold.x'),
      'b.yaml',
    );
    // Each names the file and line where the offending input is written.
    assert.throws(
      () => buildGraph([a, b]),
      (e: Error) => {
        assert.equal(e.name, 'PipelineGraphError');
        assert.match(e.message, /^b\.yaml:6 \(inputs\): pipelines form a cycle: gold\.x → gold\.y → gold\.x/);
        assert.match(e.message, /\(a\.yaml:4 gold\.x reads gold\.y; b\.yaml:6 gold\.y reads gold\.x\)$/);
        return true;
      },
    );
    assert.throws(
      () => buildGraph([b]),
      /^PipelineGraphError: b\.yaml:6 \(inputs\): gold\.y reads gold\.x, which no pipeline defines/,
    );
    const graph = buildGraph(loadDefinitions());
    const order = graph.ordered.map((d) => d.name);
    for (const d of graph.ordered)
      for (const i of d.inputs)
        if (order.includes(i)) assert.ok(order.indexOf(i) < order.indexOf(d.name), `${i} before ${d.name}`);
    assert.ok(graph.downstream('silver.events').includes('gold.kpi_daily'));
  });
});
