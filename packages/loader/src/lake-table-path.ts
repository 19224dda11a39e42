// Where a lake table lives under the data directory: `<dataDir>/lake/<layer>/<name>`. One function so the
// loader, `lens query` and anything else agree on the layout.
import { join } from 'node:path';
import { TableNameError } from './errors.js';

/** Layers of the lake, in the order data flows through them (`lens` holds Lens's own bookkeeping). */
export const LAKE_LAYERS = ['bronze', 'silver', 'gold', 'lens'] as const;
export type LakeLayer = (typeof LAKE_LAYERS)[number];

const NAME = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * Splits and validates a `layer.name` table name.
 * @throws TableNameError when the form or the layer is wrong.
 */
export function parseTableName(table: string): { layer: LakeLayer; name: string } {
  const parts = table.split('.');
  if (parts.length !== 2) throw new TableNameError(table, 'expected layer.name, e.g. bronze.events');
  const [layer, name] = parts as [string, string];
  if (!(LAKE_LAYERS as readonly string[]).includes(layer)) {
    throw new TableNameError(table, `unknown layer "${layer}" (one of ${LAKE_LAYERS.join(', ')})`);
  }
  if (!NAME.test(name)) throw new TableNameError(table, 'name must be lower-case letters, digits and "_", starting with a letter');
  return { layer: layer as LakeLayer, name };
}

/**
 * The directory of a lake table.
 * @example lakeTablePath('./lens-data', 'bronze.events') // → 'lens-data/lake/bronze/events'
 */
export function lakeTablePath(dataDir: string, table: string): string {
  const { layer, name } = parseTableName(table);
  return join(dataDir, 'lake', layer, name);
}
