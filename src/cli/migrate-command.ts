import { loadConfig } from '../config/config.js';
import { migrate } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import type { Command } from './commands.js';

export const migrateCommand: Command = {
  async run() {
    // Only the database settings matter here: storage and JWT settings may be absent in a migration job.
    const config = loadConfig({ STORAGE_HOSTNAME: 'unused', STORAGE_ACCESS_KEY: 'unused', STORAGE_SECRET: 'unused', JWT_JWKS_URL: 'http://unused', ...process.env });
    const pool = createPool(config.database.connectionString, 1);
    try {
      const { applied } = await migrate(pool, { lockTimeoutSeconds: config.database.migrationLockTimeoutSeconds });
      process.stdout.write(applied.length ? `Applied migrations: ${applied.join(', ')}\n` : 'Database is up to date; nothing to apply.\n');
    } finally {
      await pool.end();
    }
  },
};
