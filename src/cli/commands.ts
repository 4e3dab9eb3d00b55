import type { ParseArgsConfig } from 'node:util';

export interface Command {
  options?: ParseArgsConfig['options'];
  run(options: Record<string, string | boolean | undefined>, positionals: string[]): Promise<void>;
}

/**
 * Loaded on demand: `serve` never pulls in the embedded dev servers, `token` never the HTTP stack.
 * A name may be two words ("storage init"): main.ts tries the first two arguments first.
 */
export const commands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve-command.js')).serveCommand,
  dev: async () => (await import('./dev-command.js')).devCommand,
  migrate: async () => (await import('./migrate-command.js')).migrateCommand,
  token: async () => (await import('./token-command.js')).tokenCommand,
  'storage init': async () => (await import('./storage-init-command.js')).storageInitCommand,
  'storage sync': async () => (await import('./storage-sync-command.js')).storageSyncCommand,
  doctor: async () => (await import('./doctor-command.js')).doctorCommand,
};
