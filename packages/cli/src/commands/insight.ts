// `lens insight KIND --query FILE.json`: answers an insight query in-process, straight on the lake, and prints
// the same result the server's POST /api/insights/{kind} returns (KIND `trending` reads bronze.events).
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { resolveConfig, withCommonOptions, type CommonOptions } from '../common-options.js';
import { formatInsight } from './insight-output.js';

interface InsightFlags extends CommonOptions {
  query?: string;
  format: string;
}

/**
 * The kinds `lens insight` answers, for its help: @lens/insights' INSIGHT_KINDS and `trending` (a test keeps the
 * two lists equal). Written out so that registering the command does not load the insights engine and DuckDB.
 */
export const INSIGHT_COMMAND_KINDS = [
  'trends',
  'funnels',
  'retention',
  'paths',
  'stickiness',
  'lifecycle',
  'affinity',
  'search',
  'trending',
] as const;

/** Registers `lens insight`. */
export function registerInsightCommand(program: Command): void {
  const kinds = INSIGHT_COMMAND_KINDS;
  withCommonOptions(
    program
      .command('insight')
      .description('answer an insight query on the lake and print it (the same result as POST /api/insights/{kind})')
      .argument('<kind>', kinds.join(' | ')),
  )
    .option('-q, --query <file>', 'the query as JSON (a file, or - for stdin); {} when omitted (trending)')
    .option('-f, --format <format>', 'json | table', 'json')
    .addHelpText(
      'after',
      `\nExample:\n  echo '{"series":[{"event":"Article Viewed","math":"unique"}],"dateRange":{"last":7}}' | lens insight trends --query - --format table\n`,
    )
    .action(async (kind: string, flags: InsightFlags) => {
      if (!['json', 'table'].includes(flags.format)) {
        process.stderr.write(`lens insight: --format must be json or table (got ${flags.format})\n`);
        process.exitCode = 1;
        return;
      }
      // Checked here, not left to the engine: its message lists only the kinds of POST /api/insights/{kind}, so an
      // unknown kind was answered without `trending`, which this command takes too.
      if (!(INSIGHT_COMMAND_KINDS as readonly string[]).includes(kind)) {
        process.stderr.write(`lens insight: unknown insight kind "${kind}" (one of ${kinds.join(', ')})\n`);
        process.exitCode = 1;
        return;
      }
      const config = resolveConfig(flags);
      const { InsightEngine } = await import('@lens/insights');
      const engine = await InsightEngine.create({
        dataDir: config.dataDir,
        timeoutMs: config.server.queryTimeoutMs,
        cacheSize: 0,
      });
      try {
        const text =
          flags.query === undefined
            ? '{}'
            : flags.query === '-'
              ? await readStdin()
              : await readFile(flags.query, 'utf8');
        let query: unknown;
        try {
          query = JSON.parse(text);
        } catch (error) {
          throw new Error(`--query: not valid JSON (${(error as Error).message})`, { cause: error });
        }
        const result = kind === 'trending' ? await engine.trending(query) : (await engine.run(kind, query)).result;
        process.stdout.write(formatInsight(kind, result as Record<string, unknown>, flags.format as 'json' | 'table'));
      } catch (error) {
        process.stderr.write(`lens insight: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      } finally {
        await engine.close();
      }
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
