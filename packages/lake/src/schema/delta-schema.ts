// Delta's schema JSON (PROTOCOL.md "Schema Serialization Format") parsed into types, and mapped to DuckDB
// SQL types: `timestamp` is TIMESTAMPTZ (UTC-adjusted), `timestamp_ntz` is TIMESTAMP.
import { DeltaProtocolError, UnsupportedFeatureError } from '../errors.js';

/** A Delta data type: a primitive name or a nested definition. */
export type DeltaType = string | DeltaStructType | DeltaArrayType | DeltaMapType;
/** A struct (also the table's top-level schema). */
export interface DeltaStructType {
  type: 'struct';
  fields: DeltaField[];
}
/** An array type. */
export interface DeltaArrayType {
  type: 'array';
  elementType: DeltaType;
  containsNull: boolean;
}
/** A map type. */
export interface DeltaMapType {
  type: 'map';
  keyType: DeltaType;
  valueType: DeltaType;
  valueContainsNull: boolean;
}
/** A (possibly nested) column. */
export interface DeltaField {
  name: string;
  type: DeltaType;
  nullable: boolean;
  metadata: Record<string, unknown>;
}

/** Parses `metaData.schemaString`. */
export function parseSchema(schemaString: string): DeltaStructType {
  let parsed: unknown;
  try {
    parsed = JSON.parse(schemaString);
  } catch (error) {
    throw new DeltaProtocolError('schemaString is not valid JSON', {}, { cause: error });
  }
  if (!isStruct(parsed)) throw new DeltaProtocolError('schemaString is not a struct type');
  return parsed;
}

/** True for a struct type definition. */
export function isStruct(t: unknown): t is DeltaStructType {
  return typeof t === 'object' && t !== null && (t as { type?: unknown }).type === 'struct';
}

const PRIMITIVES: Record<string, string> = {
  string: 'VARCHAR',
  long: 'BIGINT',
  integer: 'INTEGER',
  short: 'SMALLINT',
  byte: 'TINYINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  binary: 'BLOB',
  date: 'DATE',
  timestamp: 'TIMESTAMPTZ',
  timestamp_ntz: 'TIMESTAMP',
};

/** The DuckDB SQL type of a Delta type (nested types use logical field names unless `physical`). */
export function toDuckDBType(t: DeltaType, physical = false): string {
  if (typeof t === 'string') {
    const prim = PRIMITIVES[t];
    if (prim) return prim;
    const dec = /^decimal\((\d+),\s*(-?\d+)\)$/.exec(t);
    if (dec) return `DECIMAL(${dec[1]},${dec[2]})`;
    if (t === 'variant')
      throw new UnsupportedFeatureError('variantType', 'DuckDB cannot read Delta variant columns here');
    throw new UnsupportedFeatureError(`type ${t}`);
  }
  if (t.type === 'struct') {
    return `STRUCT(${t.fields.map((f) => `${quoteIdent(physical ? physicalName(f) : f.name)} ${toDuckDBType(f.type, physical)}`).join(', ')})`;
  }
  if (t.type === 'array') return `${toDuckDBType(t.elementType, physical)}[]`;
  return `MAP(${toDuckDBType(t.keyType, physical)}, ${toDuckDBType(t.valueType, physical)})`;
}

/** A Delta type for a DuckDB column type, for tables created from DuckDB relations. */
export function fromDuckDBType(sqlType: string): DeltaType {
  const t = sqlType.trim().toUpperCase();
  const direct: Record<string, string> = {
    VARCHAR: 'string',
    BIGINT: 'long',
    INTEGER: 'integer',
    SMALLINT: 'short',
    TINYINT: 'byte',
    FLOAT: 'float',
    DOUBLE: 'double',
    BOOLEAN: 'boolean',
    BLOB: 'binary',
    DATE: 'date',
    'TIMESTAMP WITH TIME ZONE': 'timestamp',
    TIMESTAMPTZ: 'timestamp',
    TIMESTAMP: 'timestamp_ntz',
    UUID: 'string',
    JSON: 'string',
    HUGEINT: 'decimal(38,0)',
    UINTEGER: 'long',
    USMALLINT: 'integer',
    UTINYINT: 'short',
  };
  const found = direct[t];
  if (found) return found;
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (dec) return `decimal(${dec[1]},${dec[2]})`;
  throw new UnsupportedFeatureError(`DuckDB type ${sqlType}`, 'no Delta equivalent; cast it first');
}

/** The column's name in Parquet files: its column-mapping physical name when mapping is on. */
export function physicalName(f: DeltaField): string {
  const p = f.metadata['delta.columnMapping.physicalName'];
  return typeof p === 'string' ? p : f.name;
}

/** Double-quotes an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Single-quotes an SQL string literal. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
