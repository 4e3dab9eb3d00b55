import type { StorageConfig } from '../config/storage-config.js';
import { loadDatabaseUrl, loadStorageSettings, required } from '../operations/settings.js';
import { MIN_PART_BYTES } from '../operations/sync/multipart-upload.js';
import { rewriteAssetLocations } from '../operations/sync/rewrite-metadata.js';
import { syncBucket, type SyncReport } from '../operations/sync/sync.js';
import { createS3Client } from '../storage/s3-client.js';
import { UsageError, type Command } from './commands.js';
import { syncOutput } from './sync-output.js';

const MIB = 1024 * 1024;
// Parts are held in memory while they upload (multipart-upload.ts): a larger part only costs memory.
const MAX_PART_MB = 1024;

/**
 * `storage sync`: copies objects between two S3-compatible stores, each described like the service's
 * storage (STORAGE_* under an optional prefix). Reruns skip what is already identical, which is how
 * an interrupted sync resumes. Options and their defaults: commands.ts.
 */
export const storageSyncCommand: Command = {
  async run(options, positionals) {
    // The arguments first: a usage mistake is one (exit 2) whatever the settings, even with none set.
    const buckets = bucketArguments(positionals, options['both-buckets'] === true);
    const concurrency = wholeNumber(options.concurrency, '--concurrency', 1);
    const partSize = wholeNumber(options['part-size-mb'], '--part-size-mb', MIN_PART_BYTES / MIB, MAX_PART_MB) * MIB;
    const progressEveryMs = wholeNumber(options['progress-every'], '--progress-every', 1) * 1000;
    const dryRun = options['dry-run'] === true;
    const source = required(loadStorageSettings(process.env, options['from-env-prefix'] as string)).storage;
    const destination = required(loadStorageSettings(process.env, options['to-env-prefix'] as string)).storage;
    const pairs = bucketPairs(buckets, source, destination);
    // Checked before anything is copied: a missing DATABASE_URL must not surface after an hour of copying.
    // pg is loaded only then: every module less is startup time less for a rerun that has nothing to copy.
    const pool = options['rewrite-metadata'] ? (await import('../db/pool.js')).createPool(required(loadDatabaseUrl(process.env)), 2) : undefined;
    const output = await syncOutput(process.stdout.isTTY === true, progressEveryMs);
    // Copies take as long as their bytes need: only a long-stalled connection is a timeout.
    const sourceClient = createS3Client(source, 'bulk');
    const destinationClient = createS3Client(destination, 'bulk');
    const interrupt = interruptOnSignals(output.note);
    let ok = true;
    try {
      for (const [from, to] of pairs) {
        const started = performance.now();
        let stopWatching: () => void = () => undefined;
        const report = await syncBucket({
          source: { client: sourceClient, bucket: from, storage: source, settingsPrefix: options['from-env-prefix'] as string },
          destination: { client: destinationClient, bucket: to, storage: destination, settingsPrefix: options['to-env-prefix'] as string },
          concurrency,
          partSize,
          dryRun,
          deleteExtraneous: options.delete === true,
          signal: interrupt.signal,
          onEvent: output.event,
          onStart: (progress) => (stopWatching = output.watch(progress, from)),
        }).finally(() => stopWatching());
        output.summary(report, (performance.now() - started) / 1000);
        ok &&= succeeded(report);
        if (interrupt.signal.aborted) break;
        if (pool && succeeded(report)) {
          const rows = await rewriteAssetLocations(pool, { bucket: from, region: source.region }, { bucket: to, region: destination.region }, dryRun);
          output.note(`${dryRun ? 'would point' : 'pointed'} ${rows} asset row(s) from ${from} (${source.region}) to ${to} (${destination.region})`, { rows });
        } else if (pool) {
          output.note(`asset rows left on ${from}: the copy did not complete; run the sync again`);
        }
      }
    } finally {
      interrupt.dispose();
      sourceClient.destroy();
      destinationClient.destroy();
      await pool?.end();
    }
    if (interrupt.signal.aborted) process.exitCode = 130;
    else if (!ok) process.exitCode = 1;
  },
};

function succeeded(report: SyncReport): boolean {
  return report.failed.length === 0 && !report.interrupted;
}

const BOTH_BUCKETS = 'both-buckets';
/** The two bucket names given (source, destination), or BOTH_BUCKETS for --both-buckets, whose names only the settings know. */
type BucketArguments = [string, string] | typeof BOTH_BUCKETS;

function bucketArguments(positionals: string[], both: boolean): BucketArguments {
  if (both && positionals.length === 0) return BOTH_BUCKETS;
  if (!both && positionals.length === 2) return [positionals[0]!, positionals[1]!];
  if (both) {
    throw new UsageError(`Both bucket names (${positionals.join(' ')}) and --both-buckets were given: use only one form, SOURCE_BUCKET DESTINATION_BUCKET or --both-buckets.`);
  }
  throw new UsageError('Give SOURCE_BUCKET DESTINATION_BUCKET, or --both-buckets to copy the public and the private bucket (names from the prefixed STORAGE_PUBLIC_BUCKET / STORAGE_PRIVATE_BUCKET).');
}

/** Source to destination bucket names: the ones given, or both of the service's buckets. */
function bucketPairs(buckets: BucketArguments, source: StorageConfig, destination: StorageConfig): [string, string][] {
  if (buckets !== BOTH_BUCKETS) return [buckets];
  return [
    [source.publicBucket, destination.publicBucket],
    [source.privateBucket, destination.privateBucket],
  ];
}

function wholeNumber(value: string | boolean | undefined, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number ${range} (got ${String(value)}).`);
  return n;
}

/** The first Ctrl-C / SIGTERM stops the sync cleanly (running copies are aborted); a second one exits at once. */
function interruptOnSignals(note: (message: string) => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    note('interrupted: stopping; run the same command again to resume');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
