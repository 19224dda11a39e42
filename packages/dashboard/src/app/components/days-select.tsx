// "Last N days" picker for the views that read daily gold tables.

/** Select of 1/7/14/30/90 days. */
export function DaysSelect({ value, onChange }: { value: number; onChange: (days: number) => void }) {
  return (
    <label>
      Period
      <select value={value} onChange={(e) => onChange(Number(e.target.value))}>
        {[1, 7, 14, 30, 90].map((d) => (
          <option key={d} value={d}>
            {d === 1 ? 'Today' : `Last ${d} days`}
          </option>
        ))}
      </select>
    </label>
  );
}

/** SQL condition on a DATE column: the last `days` days up to today (UTC). */
export function lastDaysSql(column: string, days: number): string {
  return `${column} > current_date - INTERVAL ${Math.max(1, Math.floor(days))} DAY`;
}
