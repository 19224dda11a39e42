// Every `lens` sub-command, in the order `lens --help` lists them. Each module adds one command to the program.
import type { Command } from 'commander';
import { registerCollectorCommand } from './collector.js';
import { registerDeltaCommand } from './delta.js';
import { registerConfigCommand } from './config.js';
import { registerDemoCommand } from './demo.js';
import { registerInsightCommand } from './insight.js';
import { registerLoaderCommand } from './loader.js';
import { registerPipelinesCommand } from './pipelines.js';
import { registerQueryCommand } from './query.js';
import { registerRecsCommand } from './recs.js';
import { registerServerCommand } from './server.js';
import { registerHistoryCommand, registerTablesCommand, registerVacuumCommand } from './tables.js';
import { registerUpCommand } from './up.js';

export type CommandRegistrar = (program: Command) => void;

export const COMMANDS: readonly CommandRegistrar[] = [
  registerUpCommand,
  registerCollectorCommand,
  registerLoaderCommand,
  registerDemoCommand,
  registerPipelinesCommand,
  registerServerCommand,
  registerInsightCommand,
  registerRecsCommand,
  registerQueryCommand,
  registerTablesCommand,
  registerHistoryCommand,
  registerVacuumCommand,
  registerDeltaCommand,
  registerConfigCommand,
];
