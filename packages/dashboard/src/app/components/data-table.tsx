// The table component of every view: TanStack Table with sortable headers (keyboard operable), numbers
// right-aligned and formatted, horizontal scroll on narrow screens.
import {
  flexRender,
  getCoreRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type SortingState,
} from '@tanstack/react-table';
import { useMemo, useState, type ReactNode } from 'react';
import { formatValue } from './format';

/** One column: a key of the row, a header, and an optional cell renderer. */
export interface Column<R> {
  key: keyof R & string;
  header?: string;
  render?: (row: R) => ReactNode;
  numeric?: boolean;
  /** Hide the column on phone widths (secondary detail). */
  hideNarrow?: boolean;
}

/** Columns for rows of unknown shape (SQL results): one per key of the first row. */
export function columnsOf<R extends Record<string, unknown>>(names: readonly string[]): Column<R>[] {
  return names.map((key) => ({ key: key as keyof R & string }));
}

const metaClass = (meta: unknown): string | undefined => (meta as { className?: string } | undefined)?.className;

/** A sortable table; `label` names it for screen readers (and tests). */
export function DataTable<R extends Record<string, unknown>>({
  rows,
  columns,
  label,
  maxRows,
}: {
  rows: readonly R[];
  columns: readonly Column<R>[];
  label: string;
  maxRows?: number;
}) {
  const [sorting, setSorting] = useState<SortingState>([]);
  const defs = useMemo<ColumnDef<R>[]>(
    () =>
      columns.map((c) => ({
        id: c.key,
        accessorFn: (row: R) => row[c.key] as unknown,
        header: c.header ?? c.key,
        cell: (ctx) => (c.render ? c.render(ctx.row.original) : formatValue(ctx.getValue())),
        meta: {
          className:
            [
              (c.numeric ?? rows.some((r) => typeof r[c.key] === 'number')) ? 'num' : '',
              c.hideNarrow ? 'hide-narrow' : '',
            ]
              .join(' ')
              .trim() || undefined,
        },
      })),
    [columns, rows],
  );
  const data = useMemo(() => (maxRows ? rows.slice(0, maxRows) : rows) as R[], [rows, maxRows]);
  const table = useReactTable({
    data,
    columns: defs,
    state: { sorting },
    onSortingChange: setSorting,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
  });
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={label}>
      <table className="data-table" aria-label={label}>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((h) => {
                const sorted = h.column.getIsSorted();
                return (
                  <th
                    key={h.id}
                    className={metaClass(h.column.columnDef.meta)}
                    aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
                  >
                    <button type="button" className="sort" onClick={h.column.getToggleSortingHandler()}>
                      {flexRender(h.column.columnDef.header, h.getContext())}
                      <span aria-hidden="true">{sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}</span>
                    </button>
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id}>
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id} className={metaClass(cell.column.columnDef.meta)}>
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {maxRows !== undefined && rows.length > maxRows && (
        <p className="muted">
          Showing {maxRows} of {rows.length} rows.
        </p>
      )}
    </div>
  );
}
