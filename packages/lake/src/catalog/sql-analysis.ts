// Reads a query through DuckDB's own parser (json_serialize_sql) to learn which lake tables it names and which
// simple conditions it puts on them, so each table can be scanned with data skipping. Only SELECT statements
// serialise, which also makes this the read-only gate.
import type { Sql } from '../duckdb/sql.js';
import { InvalidInputError } from '../errors.js';
import type { Comparison, Predicate } from '../scan/predicate.js';
import { quoteLiteral } from '../schema/delta-schema.js';
import { LAKE_LAYERS } from './lake-catalog.js';

/** A lake table a query reads, with the conjunctive conditions found at each place it is read (for data skipping). */
export interface TableReference {
  table: string;
  /** One list per read of the table: the comparisons with literals ANDed in that SELECT's WHERE. */
  reads: Comparison[][];
}

type Node = { [key: string]: unknown };

const OPS: Record<string, Comparison['op']> = {
  COMPARE_EQUAL: '=',
  COMPARE_NOTEQUAL: '!=',
  COMPARE_LESSTHAN: '<',
  COMPARE_GREATERTHAN: '>',
  COMPARE_LESSTHANOREQUALTO: '<=',
  COMPARE_GREATERTHANOREQUALTO: '>=',
};
const EXPLAIN_PREFIX = /^\s*EXPLAIN(\s+ANALY[SZ]E)?\s+/i;
const FLIPPED: Record<string, Comparison['op']> = { '=': '=', '!=': '!=', '<': '>', '>': '<', '<=': '>=', '>=': '<=' };

/**
 * Parses what DuckDB's json_serialize_sql returned. It writes an out-of-range constant (`1e400`) as a bare
 * `Infinity` (or `NaN`), which JSON does not have: those become null (the statement's shape is what matters here).
 */
export function parseSerializedSql(json: string): unknown {
  return JSON.parse(json.replace(/([:[,])\s*(-?Infinity|NaN)(?=\s*[,}\]])/g, '$1null'));
}

/**
 * The lake tables `text` reads. Throws InvalidInputError for statements other than SELECT or EXPLAIN [ANALYZE] of
 * one (with DuckDB's parser message for syntax errors).
 */
export async function analyzeQuery(sql: Sql, text: string): Promise<TableReference[]> {
  // EXPLAIN [ANALYZE] of a SELECT reads what the SELECT reads (DuckDB's serialiser takes only the SELECT).
  const select = text.replace(EXPLAIN_PREFIX, '');
  const [row] = await sql.all(`SELECT json_serialize_sql(${quoteLiteral(select)}) AS j`);
  const parsed = parseSerializedSql(String(row?.['j'])) as {
    error: boolean;
    error_message?: string;
    error_type?: string;
    position?: string;
    statements?: { node: Node }[];
  };
  if (parsed.error) {
    const message = parsed.error_message ?? 'cannot be parsed';
    if (/only SELECT statements/i.test(message))
      throw new InvalidInputError('read-only: only SELECT queries may run against the lake', { sql: text });
    throw new InvalidInputError(duckdbErrorText(parsed.error_type, message, select, parsed.position), { sql: text });
  }
  // Nothing to run (an empty text, `;`, a comment alone): say so instead of an empty answer with success.
  if ((parsed.statements?.length ?? 0) === 0)
    throw new InvalidInputError('no SQL statement: the text holds none (give a SELECT)', { sql: text });
  // DuckDB would run only the first of several: say so instead of printing one result as if it were all.
  if ((parsed.statements?.length ?? 0) > 1)
    throw new InvalidInputError(
      `one statement at a time: this text holds ${parsed.statements!.length} (separated by ";")`,
      { sql: text },
    );
  const found = new Map<string, Comparison[][]>();
  for (const statement of parsed.statements ?? []) walk(statement.node, found);
  return [...found].map(([table, reads]) => ({ table, reads }));
}

/**
 * The error as DuckDB itself words it when it runs the statement: `Parser Error: syntax error at or near "SELEC"`
 * and the line with a caret under the position.
 */
function duckdbErrorText(
  type: string | undefined,
  message: string,
  text: string,
  position: string | undefined,
): string {
  const kind = (type ?? '').replace(/\b[a-z]/g, (c) => c.toUpperCase());
  let out = kind === '' ? message : `${kind} Error: ${message}`;
  const at = Number(position);
  if (position !== undefined && Number.isInteger(at) && at >= 0 && at <= text.length) {
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    const lineEnd = text.indexOf('\n', at);
    const lineNo = text.slice(0, lineStart).split('\n').length;
    const prefix = `LINE ${lineNo}: `;
    const line = text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
    out += `\n\n${prefix}${line}\n${' '.repeat(prefix.length + at - lineStart)}^`;
  }
  return out;
}

/** Visits every node; at each SELECT, relates its WHERE conjuncts to the lake tables in its FROM. */
function walk(node: unknown, found: Map<string, Comparison[][]>): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, found);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const n = node as Node;
  if (n['type'] === 'SELECT_NODE') {
    const tables = baseTables(n['from_table']);
    const conjuncts = andTerms(n['where_clause']);
    for (const t of tables) {
      const reads = found.get(t.table) ?? [];
      reads.push(conjuncts.flatMap((term) => comparisonFor(term, t.aliases, tables.length === 1)));
      found.set(t.table, reads);
    }
  }
  for (const value of Object.values(n)) if (typeof value === 'object' && value !== null) walk(value, found);
}

function baseTables(from: unknown): { table: string; aliases: Set<string> }[] {
  const out: { table: string; aliases: Set<string> }[] = [];
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const n = node as Node;
    // SQL identifiers are case-insensitive (DuckDB resolves BRONZE.EVENTS to bronze.events): names compare lower-cased.
    const schema = String(n['schema_name']).toLowerCase();
    if (n['type'] === 'BASE_TABLE' && (LAKE_LAYERS as readonly string[]).includes(schema)) {
      const name = String(n['table_name']).toLowerCase();
      const aliases = [name, ...(n['alias'] ? [String(n['alias']).toLowerCase()] : [])];
      out.push({ table: `${schema}.${name}`, aliases: new Set(aliases) });
    } else if (n['type'] === 'JOIN') {
      visit(n['left']);
      visit(n['right']);
    }
  };
  visit(from);
  return out;
}

function andTerms(where: unknown): Node[] {
  if (typeof where !== 'object' || where === null) return [];
  const n = where as Node;
  if (n['type'] === 'CONJUNCTION_AND') return (n['children'] as Node[]).flatMap(andTerms);
  return [n];
}

function comparisonFor(term: Node, aliases: Set<string>, onlyTable: boolean): Comparison[] {
  const column = (side: unknown): string | undefined => {
    const s = side as Node | undefined;
    if (s?.['type'] !== 'COLUMN_REF') return undefined;
    const names = s['column_names'] as string[];
    if (names.length === 1) return onlyTable ? names[0] : undefined;
    return names.length === 2 && aliases.has(names[0]!.toLowerCase()) ? names[1] : undefined;
  };
  if (term['type'] === 'COMPARE_BETWEEN') {
    const col = column(term['input']);
    const lower = constant(term['lower']);
    const upper = constant(term['upper']);
    if (col === undefined || lower === undefined || upper === undefined) return [];
    return [
      { column: col, op: '>=', value: lower },
      { column: col, op: '<=', value: upper },
    ];
  }
  const op = OPS[String(term['type'])];
  if (op === undefined) return [];
  const leftCol = column(term['left']);
  const rightCol = column(term['right']);
  if (leftCol !== undefined) {
    const value = constant(term['right']);
    return value === undefined ? [] : [{ column: leftCol, op, value }];
  }
  if (rightCol !== undefined) {
    const value = constant(term['left']);
    return value === undefined ? [] : [{ column: rightCol, op: FLIPPED[op]!, value }];
  }
  return [];
}

/** A literal, possibly cast (DATE '…', TIMESTAMPTZ '…', '…'::DATE); undefined for anything else. */
function constant(node: unknown): string | number | undefined {
  const n = node as Node | undefined;
  if (n?.['type'] === 'OPERATOR_CAST') {
    // A typed string literal (DATE '…', '…'::TIMESTAMP) is its text; any other cast may change the value
    // (5.7::INT is 6) and is left to DuckDB: no skipping on it.
    const to = (n['cast_type'] as { id?: unknown } | undefined)?.id;
    const text = constant(n['child']);
    return typeof text === 'string' && typeof to === 'string' && TEXT_CASTS.has(to) ? text : undefined;
  }
  if (n?.['type'] !== 'VALUE_CONSTANT') return undefined;
  const value = n['value'] as {
    is_null: boolean;
    value: unknown;
    type?: { id?: unknown; type_info?: { scale?: unknown } };
  };
  if (value.is_null) return undefined;
  if (value.type?.id === 'DECIMAL') {
    // Serialised unscaled: 3000.5 is 30005 with scale 1. Exact as a double while the digits fit in 2^53.
    const scale = value.type.type_info?.scale;
    return typeof value.value === 'number' && Number.isSafeInteger(value.value) && typeof scale === 'number'
      ? value.value / 10 ** scale
      : undefined;
  }
  if (typeof value.value === 'string' || typeof value.value === 'number') return value.value;
  return undefined;
}

/** Casts of a string literal whose text data skipping compares as is. */
const TEXT_CASTS: ReadonlySet<string> = new Set([
  'DATE',
  'TIMESTAMP',
  'TIMESTAMP WITH TIME ZONE',
  'TIMESTAMP_TZ',
  'VARCHAR',
]);

/**
 * The scan predicate implied by every read of a table: the OR of each read's conditions; undefined when some
 * read has none (every file may be needed).
 */
export function referencePredicate(ref: TableReference): Predicate | undefined {
  if (ref.reads.length === 0 || ref.reads.some((conditions) => conditions.length === 0)) return undefined;
  const ands: Predicate[] = ref.reads.map((conditions) => ({ and: conditions }));
  return ands.length === 1 ? ands[0] : { or: ands };
}
