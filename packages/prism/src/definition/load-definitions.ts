// Reads pipeline definitions from folders (every *.yaml / *.yml), validates each against DatasetDefinition and
// the rules zod cannot express, and reports the first problem with its file, line and key.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cronParser from 'cron-parser';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { PipelineDefinitionError } from '../errors.js';
import { BUILTIN_TRANSFORMS } from '../engine/builtin-transforms.js';
import { DatasetDefinition, type LoadedDataset } from './dataset-definition.js';

/** The folder of the pipelines shipped with Lens (`packages/prism/pipelines`). */
export const SHIPPED_PIPELINES_DIR = fileURLToPath(new URL('../../pipelines', import.meta.url));

/**
 * Loads the shipped pipelines (unless `shipped: false`) and those in `dirs`; names must be unique.
 * @example const datasets = loadDefinitions({ dirs: ['./pipelines'] });
 */
export function loadDefinitions(options: { dirs?: readonly string[]; shipped?: boolean } = {}): LoadedDataset[] {
  const out: LoadedDataset[] = [];
  const sources = [
    ...(options.shipped === false ? [] : [{ dir: SHIPPED_PIPELINES_DIR, shipped: true }]),
    ...(options.dirs ?? []).map((dir) => ({ dir, shipped: false })),
  ];
  for (const { dir, shipped } of sources) {
    let names: string[];
    try {
      names = readdirSync(dir)
        .filter((n) => /\.ya?ml$/.test(n))
        .sort();
    } catch (error) {
      throw new PipelineDefinitionError(
        `cannot read the pipelines folder: ${(error as Error).message}`,
        dir,
        undefined,
        undefined,
      );
    }
    for (const name of names) {
      const file = join(dir, name);
      const dataset = parseDefinition(readFileSync(file, 'utf8'), file, shipped);
      const twin = out.find((d) => d.name === dataset.name);
      if (twin)
        throw new PipelineDefinitionError(
          `dataset ${dataset.name} is also defined in ${twin.file}`,
          file,
          undefined,
          'name',
        );
      out.push(dataset);
    }
  }
  return out;
}

/** Parses and validates one definition's YAML text. */
export function parseDefinition(text: string, file: string, shipped = false): LoadedDataset {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const lineOf = (path: readonly (string | number)[]): number | undefined => nodeLine(doc, lines, path);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new PipelineDefinitionError(
      e.message.split('\n')[0] ?? 'invalid YAML',
      file,
      e.linePos?.[0]?.line,
      undefined,
    );
  }
  const parsed = DatasetDefinition.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // An unknown key is where it is written, not at its parent (the file's line 1 for a top-level typo).
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
    const key = path.join('.');
    throw new PipelineDefinitionError(issue.message, file, lineOf(path) ?? lineOf(path.slice(0, -1)), key || undefined);
  }
  const d = parsed.data;
  const fail = (message: string, path: (string | number)[]): never => {
    throw new PipelineDefinitionError(message, file, lineOf(path), path.join('.'));
  };
  const sqlTexts = [
    'sql' in d.transform ? d.transform.sql : '',
    d.affected ?? '',
    d.update.mode === 'replace' ? d.update.where : '',
  ];
  if (sqlTexts.some((s) => /\bthis\b/.test(s)) && !d.columns)
    fail('a transform that reads its own output (`this`) must declare `columns`', ['transform']);
  if ('builtin' in d.transform && !BUILTIN_TRANSFORMS[d.transform.builtin]) {
    fail(`unknown built-in transform "${d.transform.builtin}" (one of ${Object.keys(BUILTIN_TRANSFORMS).join(', ')})`, [
      'transform',
      'builtin',
    ]);
  }
  // An expression cron-parser refuses would otherwise pass here and throw in the scheduler's tick after the
  // first run, ending the whole pipelines role (and, under `lens up`, every restart of it).
  if (d.schedule.startsWith('cron:')) {
    try {
      cronParser.parseExpression(d.schedule.replace(/^cron:\s*/, ''), { tz: 'UTC' });
    } catch (error) {
      fail(`invalid cron expression: ${(error as Error).message}`, ['schedule']);
    }
  }
  if (d.update.mode === 'replace_partitions' && d.partitionBy.length === 0)
    fail('replace_partitions needs partitionBy', ['update', 'mode']);
  if (d.inputs.includes(d.name)) fail('a dataset cannot read itself as an input (use `this`)', ['inputs']);
  if (d.columns) {
    const declared = Object.keys(d.columns);
    d.partitionBy.forEach(
      (c, i) => declared.includes(c) || fail(`partition column ${c} is not in columns`, ['partitionBy', i]),
    );
    if (d.update.mode === 'merge')
      d.update.keys.forEach(
        (c, i) => declared.includes(c) || fail(`key ${c} is not in columns`, ['update', 'keys', i]),
      );
  }
  return { ...d, file, shipped, inputLines: d.inputs.map((_, i) => lineOf(['inputs', i])) };
}

function nodeLine(doc: Document, lines: LineCounter, path: readonly (string | number)[]): number | undefined {
  let node: unknown = doc.contents;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (!pair) return undefined;
      if (key === path[path.length - 1]) {
        const range = (pair.key as { range?: [number, number, number] } | null)?.range;
        return range ? lines.linePos(range[0]).line : undefined;
      }
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') node = node.items[key];
    else return undefined;
  }
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? lines.linePos(range[0]).line : undefined;
}
