// Entry point of the `lens` command: builds the commander program from the registered commands and runs it.
import { Command } from 'commander';
import { COMMANDS } from './commands/index.js';

const program = new Command('lens')
  .description('Lens: an event-analytics lakehouse. Collect behavioural events, land them in Delta tables, query them.')
  .showHelpAfterError()
  .enablePositionalOptions();

for (const register of COMMANDS) register(program);

// `lens query … | head`: the reader went away, which is no error of the command's (a shell pipeline's usual
// end). Stop quietly, as `git log | head` does, instead of an unhandled EPIPE stack.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`lens: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
