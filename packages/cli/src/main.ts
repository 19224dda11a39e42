// Entry point of the `lens` command: builds the commander program from the registered commands and runs it.
import { Command } from 'commander';
import { COMMANDS } from './commands/index.js';

const program = new Command('lens')
  .description('Lens: an event-analytics lakehouse. Collect behavioural events, land them in Delta tables, query them.')
  .showHelpAfterError()
  .enablePositionalOptions();

for (const register of COMMANDS) register(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`lens: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
