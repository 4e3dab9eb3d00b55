import type { ParseArgsConfig } from 'node:util';
import { devCommand } from './dev-command.js';
import { migrateCommand } from './migrate-command.js';
import { serveCommand } from './serve-command.js';
import { tokenCommand } from './token-command.js';

export interface Command {
  options?: ParseArgsConfig['options'];
  run(options: Record<string, string | boolean | undefined>): Promise<void>;
}

export const commands: Record<string, Command> = {
  serve: serveCommand,
  dev: devCommand,
  migrate: migrateCommand,
  token: tokenCommand,
};
