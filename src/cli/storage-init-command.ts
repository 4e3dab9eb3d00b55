import { initStorage, type InitAction } from '../operations/storage-init/storage-init.js';
import { loadStorageSettings, required } from '../operations/settings.js';
import { createS3Client } from '../storage/s3-client.js';
import type { Command } from './commands.js';

/** `storage init`: buckets, public read and CORS, from the service's own STORAGE_* settings. Safe to rerun. */
export const storageInitCommand: Command = {
  async run() {
    const settings = required(loadStorageSettings(process.env));
    const client = createS3Client(settings.storage);
    try {
      const actions = await initStorage(client, settings, (action) => process.stdout.write(`${formatAction(action)}\n`));
      process.stdout.write(`${summary(actions)}\n`);
    } finally {
      client.destroy();
    }
  },
};

export function formatAction(action: InitAction): string {
  return `${action.outcome.padEnd(9)} ${action.subject}: ${action.detail}`;
}

function summary(actions: InitAction[]): string {
  const changed = actions.filter((a) => a.outcome === 'created' || a.outcome === 'updated').length;
  const manual = actions.filter((a) => a.outcome === 'manual').length;
  const head = changed === 0 ? 'No changes: storage was already set up.' : `${changed} change(s) applied.`;
  return manual ? `${head} ${manual} step(s) above need doing by hand.` : head;
}
