import type { ParseArgsConfig } from 'node:util';

export interface Command {
  options?: ParseArgsConfig['options'];
  run(options: Record<string, string | boolean | undefined>): Promise<void>;
}

/** Loaded on demand: `serve` never pulls in the embedded dev servers, `token` never the HTTP stack. */
export const commands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve-command.js')).serveCommand,
  dev: async () => (await import('./dev-command.js')).devCommand,
  migrate: async () => (await import('./migrate-command.js')).migrateCommand,
  token: async () => (await import('./token-command.js')).tokenCommand,
};
