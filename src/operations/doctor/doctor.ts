import { createS3Client } from '../../storage/s3-client.js';
import { loadDatabaseUrl, loadJwksUrl, loadServiceSettings, loadStorageSettings } from '../settings.js';
import { fail, runChecks, type Check, type CheckResult } from './checks.js';
import { deliveryChecks } from './delivery-checks.js';
import { exampleValuesCheck, tokenScopeCheck } from './deployment-values.js';
import { DATABASE_SETTINGS, databaseCheck, JWT_SETTINGS, jwksCheck, namespacesFileCheck, redisChecks, SERVICE_SETTINGS, settingsCheck, STORAGE_SETTINGS, storageSettingsCheck } from './service-checks.js';
import { probeCleanupChecks, storageAccessChecks } from './storage-access-checks.js';
import { StorageProbe } from './storage-probe.js';

const DEFAULT_TIMEOUT_MS = 5000;

/**
 * The runbook's validation checklist against a live configuration: settings, the namespaces file,
 * storage end to end (with probe objects that are always removed again), the database, Redis when
 * configured and the token issuer's keys.
 */
export async function runDoctor(env: NodeJS.ProcessEnv, report: (result: CheckResult) => void = () => undefined): Promise<CheckResult[]> {
  const storage = loadStorageSettings(env);
  const database = loadDatabaseUrl(env);
  const jwt = loadJwksUrl(env);
  const service = loadServiceSettings(env);
  const checks: Check[] = [
    storageSettingsCheck(storage),
    settingsCheck(DATABASE_SETTINGS, database),
    settingsCheck(JWT_SETTINGS, jwt),
    settingsCheck(SERVICE_SETTINGS, service),
    namespacesFileCheck(service),
    databaseCheck(database),
    ...redisChecks(Boolean(env.REDIS_URL), service),
    jwksCheck(jwt, storage.ok ? storage.value.storage.timeoutMs : DEFAULT_TIMEOUT_MS),
    tokenScopeCheck(env),
    exampleValuesCheck(env),
  ];
  if (!storage.ok) {
    // Without settings there are no buckets to name: one line stands for all the storage checks, reported as skipped.
    const skipped: Check = { name: 'storage checks', needs: [STORAGE_SETTINGS], run: async () => fail('unreachable') };
    return runChecks([...checks, skipped], [], report);
  }
  const client = createS3Client(storage.value.storage);
  const probe = new StorageProbe(storage.value, client);
  try {
    return await runChecks([...checks, ...storageAccessChecks(probe, [STORAGE_SETTINGS]), ...deliveryChecks(probe)], probeCleanupChecks(probe), report);
  } finally {
    client.destroy();
  }
}
