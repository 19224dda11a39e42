// The dependency graph of datasets, from their inputs: validation (unknown inputs, cycles), a topological
// order for runs, the downstream closure of a selection, and table-level lineage edges.
import type { LoadedDataset } from '../definition/dataset-definition.js';
import { PipelineGraphError } from '../errors.js';

/** Tables that exist without a definition: what the loader writes. */
export const SOURCE_TABLES: readonly string[] = ['bronze.events', 'bronze.quarantine'];

/** A validated graph of datasets in dependency order. */
export interface PipelineGraph {
  /** Datasets, every one after all of its inputs. */
  readonly ordered: readonly LoadedDataset[];
  readonly byName: ReadonlyMap<string, LoadedDataset>;
  /** Input → output edges (table names). */
  readonly edges: readonly { from: string; to: string }[];
  /** Datasets that read `name`, directly or not. */
  downstream(name: string): string[];
}

/**
 * Builds the graph; an input that is neither a dataset nor a source table, or a cycle, is a PipelineGraphError.
 * @example buildGraph(loadDefinitions()).ordered.map((d) => d.name) // ['silver.events', 'silver.identities', …]
 */
export function buildGraph(
  datasets: readonly LoadedDataset[],
  sources: readonly string[] = SOURCE_TABLES,
): PipelineGraph {
  const byName = new Map(datasets.map((d) => [d.name, d]));
  for (const d of datasets) {
    d.inputs.forEach((input, i) => {
      if (!byName.has(input) && !sources.includes(input)) {
        throw new PipelineGraphError(
          `${d.name} reads ${input}, which no pipeline defines and is not a source table (${sources.join(', ')})`,
          d.file,
          d.inputLines?.[i],
          { dataset: d.name, input },
        );
      }
    });
  }
  const ordered: LoadedDataset[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (d: LoadedDataset, path: string[]): void => {
    if (state.get(d.name) === 'done') return;
    if (state.get(d.name) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(d.name)), d.name];
      // Reported at the input that closes the cycle; every step names where it is written.
      const steps = cycle.slice(0, -1).map((name, i) => {
        const reader = byName.get(name)!;
        const line = reader.inputLines?.[reader.inputs.indexOf(cycle[i + 1]!)];
        return { name, file: reader.file, line, reads: cycle[i + 1]! };
      });
      const last = steps[steps.length - 1]!;
      const where = steps.map((s) => `${s.file}${s.line === undefined ? '' : `:${s.line}`} ${s.name} reads ${s.reads}`);
      throw new PipelineGraphError(
        `pipelines form a cycle: ${cycle.join(' → ')} (${where.join('; ')})`,
        last.file,
        last.line,
        {
          cycle,
        },
      );
    }
    state.set(d.name, 'visiting');
    for (const input of d.inputs) {
      const dep = byName.get(input);
      if (dep) visit(dep, [...path, d.name]);
    }
    state.set(d.name, 'done');
    ordered.push(d);
  };
  for (const d of [...datasets].sort((a, b) => a.name.localeCompare(b.name))) visit(d, []);
  const edges = datasets.flatMap((d) => d.inputs.map((from) => ({ from, to: d.name })));
  return {
    ordered,
    byName,
    edges,
    downstream(name) {
      const out = new Set<string>();
      const walk = (n: string): void => {
        for (const e of edges)
          if (e.from === n && !out.has(e.to)) {
            out.add(e.to);
            walk(e.to);
          }
      };
      walk(name);
      return ordered.filter((d) => out.has(d.name)).map((d) => d.name);
    },
  };
}
