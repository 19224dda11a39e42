// The lake as a catalog of named tables: `layer.name` (bronze.events, silver.sessions, gold.kpi_daily, lens.runs)
// maps to the Delta table at `<root>/<layer>/<name>`. One layout for every role that reads or writes the lake.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError } from '../errors.js';

/** Layers of the lake, in the order data flows through them (`lens` holds Lens's own bookkeeping). */
export const LAKE_LAYERS = ['bronze', 'silver', 'gold', 'lens'] as const;
export type LakeLayer = (typeof LAKE_LAYERS)[number];

const NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** Splits and validates a `layer.name` table name; the error says what is wrong with it. */
export function parseTableName(table: string): { layer: LakeLayer; name: string } {
  const parts = table.split('.');
  if (parts.length !== 2)
    throw new InvalidInputError(`table "${table}": expected layer.name, e.g. bronze.events`, { table });
  const [layer, name] = parts as [string, string];
  if (!(LAKE_LAYERS as readonly string[]).includes(layer)) {
    throw new InvalidInputError(`table "${table}": unknown layer "${layer}" (one of ${LAKE_LAYERS.join(', ')})`, {
      table,
    });
  }
  if (!NAME.test(name))
    throw new InvalidInputError(
      `table "${table}": name must be lower-case letters, digits and "_", starting with a letter`,
      { table },
    );
  return { layer: layer as LakeLayer, name };
}

/**
 * The tables under a lake root directory (`<dataDir>/lake`).
 * @example new LakeCatalog('./lens-data/lake').tablePath('bronze.events') // → lens-data/lake/bronze/events
 */
export class LakeCatalog {
  constructor(readonly root: string) {}

  /** The directory of a table (whether or not it exists yet). */
  tablePath(table: string): string {
    const { layer, name } = parseTableName(table);
    return join(this.root, layer, name);
  }

  /** True when the table exists (has a `_delta_log`). */
  async exists(table: string): Promise<boolean> {
    return isDeltaTable(this.tablePath(table));
  }

  /** Every existing table, sorted by name. */
  async tables(): Promise<string[]> {
    const found: string[] = [];
    for (const layer of LAKE_LAYERS) {
      const names = await readdir(join(this.root, layer)).catch(() => [] as string[]);
      for (const name of names.sort()) {
        if (NAME.test(name) && (await isDeltaTable(join(this.root, layer, name)))) found.push(`${layer}.${name}`);
      }
    }
    return found;
  }
}

async function isDeltaTable(dir: string): Promise<boolean> {
  return stat(join(dir, '_delta_log')).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
