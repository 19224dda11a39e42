// Where a lake table lives under the data directory: `<dataDir>/lake/<layer>/<name>`. The layout and the name
// rules are the lake's catalog (@lens/lake); this keeps the loader's typed error for a bad name.
import { join } from 'node:path';
import { LAKE_LAYERS, LakeCatalog, parseTableName as parseLakeTableName, type LakeLayer } from '@lens/lake';
import { TableNameError } from './errors.js';

export { LAKE_LAYERS, type LakeLayer };

/**
 * Splits and validates a `layer.name` table name.
 * @throws TableNameError when the form or the layer is wrong.
 */
export function parseTableName(table: string): { layer: LakeLayer; name: string } {
  try {
    return parseLakeTableName(table);
  } catch (error) {
    throw new TableNameError(table, (error as Error).message.replace(/^table "[^"]*": /, ''));
  }
}

/**
 * The directory of a lake table.
 * @example lakeTablePath('./lens-data', 'bronze.events') // → 'lens-data/lake/bronze/events'
 */
export function lakeTablePath(dataDir: string, table: string): string {
  parseTableName(table);
  return new LakeCatalog(join(dataDir, 'lake')).tablePath(table);
}
