// One run's expectation results (lens.runs.expectations, JSON): name, pass/fail, failing row count, action.

/** An expectation outcome as Prism records it (fields read loosely: the JSON is Prism's). */
export interface ExpectationOutcome {
  name: string;
  passed: boolean;
  failed: number;
  action?: string;
}

/** Parses lens.runs.expectations. */
export function parseExpectations(json: string | null): ExpectationOutcome[] {
  if (!json) return [];
  try {
    const list = JSON.parse(json) as Record<string, unknown>[];
    return list.map((e) => {
      const failed = Number(e['failedRows'] ?? e['failed'] ?? e['violations'] ?? 0);
      return {
        name: String(e['name'] ?? '?'),
        failed,
        passed: typeof e['passed'] === 'boolean' ? e['passed'] : failed === 0,
        action: e['action'] === undefined ? undefined : String(e['action']),
      };
    });
  } catch {
    return [];
  }
}

/** Pills, one per expectation: green when it held, red with the count when rows failed it. */
export function ExpectationList({ results }: { results: readonly ExpectationOutcome[] }) {
  if (results.length === 0) return <span className="muted">—</span>;
  return (
    <span>
      {results.map((e) => (
        <span
          key={e.name}
          className={`pill ${e.passed ? 'good' : 'bad'}`}
          title={e.action ? `on failure: ${e.action}` : undefined}
        >
          {e.passed ? '✓' : '✗'} {e.name}
          {e.passed ? '' : ` (${e.failed})`}
        </span>
      ))}
    </span>
  );
}
