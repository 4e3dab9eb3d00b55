import { describeStartupError } from '../../cli/startup-errors.js';
import { loadNamespacesFile, NamespacesFileUnreadable } from '../../config/namespaces-file.js';
import { isCloudflareR2 } from '../../config/storage-config.js';
import { pendingMigrations } from '../../db/migrate.js';
import { createPool } from '../../db/pool.js';
import { RedisConnection, type RedisSettings } from '../../limits/redis-connection.js';
import { createLogger } from '../../observability/logger.js';
import type { Loaded, ServiceSettings, StorageSettings } from '../settings.js';
import { fail, pass, warn, type Check, type Outcome } from './checks.js';
import { jwksHasRs256Key } from './jwks-keys.js';

export const STORAGE_SETTINGS = 'storage settings';
export const DATABASE_SETTINGS = 'database settings';
export const JWT_SETTINGS = 'JWT settings';
export const SERVICE_SETTINGS = 'service settings';

/** One check per part of the configuration: every problem the service would refuse to start with is listed. */
export function settingsCheck(name: string, loaded: Loaded<unknown>): Check {
  return { name, run: async () => (loaded.ok ? pass('present and well-formed') : fail(loaded.problems.join(' '))) };
}

/** Storage settings that parse may still be wrong for R2: its S3 endpoint serves no anonymous reads. */
export function storageSettingsCheck(loaded: Loaded<StorageSettings>): Check {
  return {
    name: STORAGE_SETTINGS,
    run: async () => {
      if (!loaded.ok) return fail(loaded.problems.join(' '));
      const { storage } = loaded.value;
      if (isCloudflareR2(storage.hostname) && isCloudflareR2(new URL(storage.publicBaseUrl).hostname)) {
        return warn(`STORAGE_PUBLIC_BASE_PATH (${storage.publicBaseUrl}) is the R2 API endpoint, which serves no public reads. Set it to the custom domain connected to ${storage.publicBucket}.`);
      }
      return pass('present and well-formed');
    },
  };
}

/** The service loads this file before anything else and will not start when it is missing or invalid. */
export function namespacesFileCheck(service: Loaded<ServiceSettings>): Check {
  return { name: 'namespaces file valid', needs: [SERVICE_SETTINGS], run: () => namespacesFileValid(service.ok ? service.value.namespacesFile : '') };
}

export function databaseCheck(loaded: Loaded<string>): Check {
  return { name: 'database reachable and migrated', needs: [DATABASE_SETTINGS], run: () => databaseMigrated(loaded.ok ? loaded.value : '') };
}

/** Only with REDIS_URL set: the rate limits are then counted there, and the service will not start without it. */
export function redisChecks(configured: boolean, service: Loaded<ServiceSettings>): Check[] {
  if (!configured) return [];
  // Runs only once the service settings (REDIS_URL and REDIS_TIMEOUT_MS among them) are well-formed.
  return [{ name: 'Redis answers', needs: [SERVICE_SETTINGS], run: () => redisAnswers(service.ok ? service.value.redis! : { url: '', timeoutMs: 0 }) }];
}

export function jwksCheck(loaded: Loaded<string>, timeoutMs: number): Check {
  return { name: 'JWKS serves an RS256 key', needs: [JWT_SETTINGS], run: () => jwksHasRs256Key(loaded.ok ? loaded.value : '', timeoutMs) };
}

async function databaseMigrated(url: string): Promise<Outcome> {
  const pool = createPool(url, 1);
  try {
    const pending = await pendingMigrations(pool);
    if (pending.length) return fail(`${pending.length} migration(s) not applied (${pending.join(', ')}). Run \`neotool-assets migrate\` (the service also applies them when it starts).`);
    return pass('reachable, every migration applied');
  } catch (error) {
    return fail(describeStartupError(error));
  } finally {
    await pool.end();
  }
}

/** Loaded the way the service loads it, so a failure carries the very message the service stops with. */
async function namespacesFileValid(path: string): Promise<Outcome> {
  try {
    const names = (await loadNamespacesFile(path)).catalog.list().map((ns) => ns.name);
    return pass(`${names.length} namespace(s) in ${path}: ${names.join(', ')}`);
  } catch (error) {
    // An unreadable file's message says how to fix it already.
    const fix = error instanceof NamespacesFileUnreadable
      ? 'The service will not start without it.'
      : 'Correct the file (config/namespaces.yaml, as shipped, shows every field); the service will not start until it loads.';
    return fail(`${sentence(oneLine((error as Error).message))} ${fix}`);
  }
}

/** A YAML error ends with a code frame (the line and a caret) below its position: the position is enough on a check's line. */
function oneLine(message: string): string {
  return (message.split(/\n\s*\n/)[0] ?? message).replace(/\s*\n\s*/g, ' ').replace(/:\s*$/, '').trim();
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

async function redisAnswers(settings: RedisSettings): Promise<Outcome> {
  const { url } = settings;
  try {
    const connection = await RedisConnection.open(settings, createLogger('silent'));
    await connection.ping().finally(() => connection.close());
    return pass(`answers at ${new URL(url).host}`);
  } catch (error) {
    return fail((error as Error).message);
  }
}
