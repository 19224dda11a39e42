// Maps physical Parquet columns to the table's logical columns: casts to the Delta type (type widening,
// INT96/legacy timestamps to UTC), renames column-mapped fields at every nesting level, NULL for absent ones.
import {
  physicalName,
  quoteIdent,
  quoteLiteral,
  toDuckDBType,
  type DeltaField,
  type DeltaType,
} from '../schema/delta-schema.js';

/** The SELECT-list item producing a logical column from the physical columns DuckDB found in the files. */
export function projectColumn(field: DeltaField, physicalTypes: ReadonlyMap<string, string>, mapped: boolean): string {
  const phys = mapped ? physicalName(field) : field.name;
  const found = physicalTypes.get(phys) ?? physicalTypes.get(phys.toLowerCase());
  const target = quoteIdent(field.name);
  if (found === undefined) return `CAST(NULL AS ${toDuckDBType(field.type)}) AS ${target}`;
  return `${convert(field.type, quoteIdent(phys), found, mapped)} AS ${target}`;
}

function convert(type: DeltaType, src: string, physType: string | undefined, mapped: boolean): string {
  if (typeof type === 'string') {
    // A timestamp without zone in the file (INT96, or isAdjustedToUTC=false) holds UTC wall-clock time.
    if (type === 'timestamp' && physType !== undefined && /^TIMESTAMP(_NS|_MS|_S)?$/.test(physType))
      return `timezone('UTC', ${src})`;
    return `CAST(${src} AS ${toDuckDBType(type)})`;
  }
  if (!mapped) return `CAST(${src} AS ${toDuckDBType(type)})`;
  if (type.type === 'struct') {
    const parts = type.fields.map(
      (f) =>
        `${quoteIdent(f.name)} := ${convert(f.type, `struct_extract(${src}, ${quoteLiteral(physicalName(f))})`, undefined, mapped)}`,
    );
    return `CASE WHEN ${src} IS NULL THEN NULL ELSE struct_pack(${parts.join(', ')}) END`;
  }
  if (type.type === 'array')
    return `list_transform(${src}, lambda __e: ${convert(type.elementType, '__e', undefined, mapped)})`;
  const k = convert(type.keyType, '__kv.key', undefined, mapped);
  const v = convert(type.valueType, '__kv.value', undefined, mapped);
  return `map_from_entries(list_transform(map_entries(${src}), lambda __kv: {'key': ${k}, 'value': ${v}}))`;
}
