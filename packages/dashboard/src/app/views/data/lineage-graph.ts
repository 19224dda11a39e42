// The table lineage graph, derived from what pipelines really read: each lens.runs row names its output
// table (pipeline) and its input tables (input_versions keys). Layered left to right by depth.

/** A dataset and the tables it reads. */
export interface LineageEdge {
  from: string;
  to: string;
}

/** Edges from lens.runs rows (pipeline, input_versions JSON). */
export function lineageEdges(rows: readonly { pipeline: unknown; input_versions: unknown }[]): LineageEdge[] {
  const seen = new Set<string>();
  const edges: LineageEdge[] = [];
  for (const r of rows) {
    let inputs: Record<string, unknown> = {};
    try {
      inputs = JSON.parse(String(r.input_versions ?? '{}')) as Record<string, unknown>;
    } catch {
      /* a run without inputs */
    }
    for (const from of Object.keys(inputs)) {
      const key = `${from}\u0000${String(r.pipeline)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push({ from, to: String(r.pipeline) });
    }
  }
  return edges.sort((a, b) => a.to.localeCompare(b.to) || a.from.localeCompare(b.from));
}

/** Depth of each table: sources 0, a dataset one more than its deepest input. */
export function lineageDepths(edges: readonly LineageEdge[]): Map<string, number> {
  const inputs = new Map<string, string[]>();
  for (const e of edges) {
    inputs.set(e.to, [...(inputs.get(e.to) ?? []), e.from]);
    if (!inputs.has(e.from)) inputs.set(e.from, []);
  }
  const depth = new Map<string, number>();
  const visit = (t: string, stack: Set<string>): number => {
    const known = depth.get(t);
    if (known !== undefined) return known;
    if (stack.has(t)) return 0;
    stack.add(t);
    const d = Math.max(-1, ...(inputs.get(t) ?? []).map((i) => visit(i, stack))) + 1;
    stack.delete(t);
    depth.set(t, d);
    return d;
  };
  for (const t of inputs.keys()) visit(t, new Set());
  return depth;
}

/** ECharts graph option with nodes placed in columns by depth. */
export function lineageChartOption(edges: readonly LineageEdge[]) {
  const depth = lineageDepths(edges);
  const columns = new Map<number, string[]>();
  for (const [t, d] of [...depth].sort((a, b) => a[0].localeCompare(b[0])))
    columns.set(d, [...(columns.get(d) ?? []), t]);
  const layerColor: Record<string, string> = { bronze: '#b45309', silver: '#64748b', gold: '#ca8a04', lens: '#2563eb' };
  const nodes = [...depth.keys()].map((name) => {
    const d = depth.get(name) ?? 0;
    const col = columns.get(d) ?? [];
    return {
      name,
      x: d * 260,
      y: col.indexOf(name) * 70,
      symbolSize: 14,
      itemStyle: { color: layerColor[name.split('.')[0] ?? ''] ?? '#2563eb' },
      label: { show: true, position: 'right' as const },
    };
  });
  return {
    tooltip: {},
    series: [
      {
        type: 'graph',
        layout: 'none',
        roam: true,
        top: 40,
        bottom: 40,
        left: 40,
        right: 160,
        data: nodes,
        edgeSymbol: ['none', 'arrow'],
        edgeSymbolSize: 8,
        lineStyle: { opacity: 0.7, curveness: 0.1 },
        links: edges.map((e) => ({ source: e.from, target: e.to })),
      },
    ],
  };
}
