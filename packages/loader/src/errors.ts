// Typed errors of the loader. Per-record problems are never thrown (they become quarantine rows); these are
// the infrastructure failures a caller (or the role's supervisor) must see.
import { LensError } from '@lens/protocol';

/** A table name is not of the `layer.name` form or names an unknown layer. */
export class TableNameError extends LensError {
  constructor(
    readonly table: string,
    detail: string,
  ) {
    super(`bad table name "${table}": ${detail}`, { context: { table } });
  }
}

/**
 * This instance no longer owns a partition: its lease was taken over, or the table's exactly-once marker
 * moved past what this instance expected. Retriable: the partition is re-synchronised from the table.
 */
export class PartitionOwnershipLostError extends LensError {
  constructor(
    readonly partition: number,
    detail: string,
    context: Record<string, unknown> = {},
  ) {
    super(`partition ${partition} ownership lost: ${detail}`, { retriable: true, context: { partition, ...context } });
  }
}

/** A bronze table exists but its schema is not the one this loader writes (a manual change, a newer loader). */
export class BronzeSchemaError extends LensError {
  constructor(
    readonly table: string,
    detail: string,
  ) {
    super(`bronze table ${table} has an unexpected schema: ${detail}`, { context: { table } });
  }
}

/**
 * A batch's rows lost the buffer they were in (recycled to a map worker while the batch still used it): a defect,
 * caught before the commit so the position does not move and the rows are read again. Retriable.
 */
export class BatchRowsLostError extends LensError {
  constructor(
    readonly table: string,
    readonly from: number,
    readonly to: number,
  ) {
    super(`${table} batch [${from}, ${to}): rows lost their buffer (recycled while in use); not committed`, {
      retriable: true,
      context: { table, from, to },
    });
  }
}
