// Where the recommendation pipelines live and how to load them next to Prism's shipped ones: the YAML
// definitions in packages/recs/pipelines are ordinary Prism datasets (gold.trending_articles,
// gold.similar_articles, gold.recent_reads, gold.reader_tastes, gold.recommendations), run by Prism's engine and
// scheduler.
import { fileURLToPath } from 'node:url';
import { buildGraph, loadDefinitions, type LoadedDataset, type PipelineGraph } from '@lens/prism';

/** The folder of the recommendation pipeline definitions (`packages/recs/pipelines`). */
export const RECS_PIPELINES_DIR = fileURLToPath(new URL('../../pipelines', import.meta.url));

/** The datasets these pipelines produce, in dependency order. */
export const RECS_DATASETS = [
  'gold.trending_articles',
  'gold.similar_articles',
  'gold.recent_reads',
  'gold.reader_tastes',
  'gold.recommendations',
] as const;

/** Only the recs definitions (parsed and validated by Prism), in dependency order. */
export function loadRecsDefinitions(): LoadedDataset[] {
  const defs = loadDefinitions({ shipped: false, dirs: [RECS_PIPELINES_DIR] });
  return RECS_DATASETS.map((name) => defs.find((d) => d.name === name)!);
}

/**
 * Prism's graph with the shipped pipelines, the recs pipelines and any other user folders.
 * @example await runPipelines({ dataDir, graph: recsPipelineGraph() });
 */
export function recsPipelineGraph(options: { dirs?: readonly string[]; shipped?: boolean } = {}): PipelineGraph {
  return buildGraph(
    loadDefinitions({ shipped: options.shipped ?? true, dirs: [...(options.dirs ?? []), RECS_PIPELINES_DIR] }),
  );
}
