// `lens delta inspect PATH [--version N]`: what a Delta table is made of — protocol and features, schema,
// partition columns, live files, rows (from stats), size, and history — for operators and debugging.
import type { Snapshot } from '@lens/lake';
import type { Command } from 'commander';

/** Registers `lens delta` and its `inspect` sub-command. */
export function registerDeltaCommand(program: Command): void {
  const delta = program.command('delta').description('inspect Delta Lake tables');
  delta
    .command('inspect')
    .description('show protocol, schema, partitioning, files, row count and history of a Delta table')
    .argument('<path>', 'table directory')
    .option('-v, --version <n>', 'inspect this version instead of the latest')
    .option('--json', 'print JSON instead of text')
    .action(async (path: string, flags: { version?: string; json?: boolean }) => {
      try {
        const { DeltaTable } = await import('@lens/lake');
        const table = await DeltaTable.open(path);
        const version = flags.version === undefined ? undefined : Number(flags.version);
        if (version !== undefined && !Number.isInteger(version))
          throw new Error(`--version must be an integer (got ${flags.version})`);
        const snapshot = await table.snapshot(version === undefined ? {} : { version });
        const report = {
          ...describe(snapshot),
          history: (await table.history(20)).filter((h) => h.version <= snapshot.version),
        };
        process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : render(report));
      } catch (error) {
        process.stderr.write(`lens delta inspect: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      }
    });
}

function describe(s: Snapshot) {
  let rows = 0;
  let rowsKnown = true;
  for (const f of s.files) {
    const n = f.stats ? (JSON.parse(f.stats) as { numRecords?: number }).numRecords : undefined;
    if (n === undefined) rowsKnown = false;
    else rows += n - (f.deletionVector?.cardinality ?? 0);
  }
  return {
    version: s.version,
    protocol: s.protocol,
    tableId: s.metadata.id,
    schema: s.schema.fields.map((f) => ({
      name: f.name,
      type: typeof f.type === 'string' ? f.type : JSON.stringify(f.type),
      nullable: f.nullable,
    })),
    partitionColumns: s.partitionColumns,
    properties: s.metadata.configuration,
    files: s.files.length,
    rows: rowsKnown ? rows : null,
    sizeBytes: s.files.reduce((n, f) => n + f.size, 0),
    transactions: Object.fromEntries([...s.txns.values()].map((t) => [t.appId, t.version])),
  };
}

function render(
  r: ReturnType<typeof describe> & { history: { version: number; timestamp: number; operation: string | undefined }[] },
): string {
  const p = r.protocol;
  const features = [
    ...(p.readerFeatures ?? []),
    ...(p.writerFeatures ?? []).filter((f) => !(p.readerFeatures ?? []).includes(f)),
  ];
  return (
    [
      `version:     ${r.version}`,
      `protocol:    reader ${p.minReaderVersion}, writer ${p.minWriterVersion}${features.length ? ` (features: ${features.join(', ')})` : ''}`,
      `table id:    ${r.tableId}`,
      `partitions:  ${r.partitionColumns.length ? r.partitionColumns.join(', ') : '(none)'}`,
      `files:       ${r.files}`,
      `rows:        ${r.rows ?? 'unknown (files without stats)'}`,
      `size:        ${r.sizeBytes} bytes`,
      `properties:  ${Object.keys(r.properties).length ? JSON.stringify(r.properties) : '(none)'}`,
      'schema:',
      ...r.schema.map((f) => `  ${f.name}: ${f.type}${f.nullable ? '' : ' NOT NULL'}`),
      'history:',
      ...r.history.map((h) => `  ${h.version}  ${new Date(h.timestamp).toISOString()}  ${h.operation ?? ''}`),
    ].join('\n') + '\n'
  );
}
