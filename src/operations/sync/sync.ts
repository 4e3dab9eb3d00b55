import { setMaxListeners } from 'node:events';
import { DeleteObjectsCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { endpointUrl } from '../../config/storage-config.js';
import { BucketValidationError, explain } from '../../storage/bucket-validation.js';
import { errorName } from '../../storage/storage-errors.js';
import { copyReason, SOURCE_ETAG_METADATA } from './copy-decision.js';
import { copyObject, type Endpoint, type TransferEndpoint } from './copy-object.js';
import { listBucket, type ListedObject } from './listing.js';
import { ObjectTransfer } from './object-transfer.js';
import { SyncProgress } from './sync-progress.js';

export interface SyncOptions {
  source: Endpoint;
  destination: Endpoint;
  concurrency: number;
  partSize: number;
  dryRun?: boolean;
  /** Remove destination objects that the source does not have. */
  deleteExtraneous?: boolean;
  /** Stops starting new copies and aborts running ones; what was copied stays, so a rerun resumes. */
  signal?: AbortSignal;
  onEvent?: (event: SyncEvent) => void;
  onStart?: (progress: SyncProgress) => void;
}

export interface SyncEvent {
  type: 'would-copy' | 'would-delete' | 'deleted' | 'failed';
  key: string;
  detail: string;
}

export interface SyncReport {
  source: string;
  destination: string;
  dryRun: boolean;
  interrupted: boolean;
  /** Copied, or with dryRun: would be copied. */
  copied: number;
  copiedBytes: number;
  skipped: number;
  deleted: number;
  failed: { key: string; reason: string }[];
}

/** The options of one run: its own abort signal, and both endpoints with their object transfer. */
interface RunOptions extends SyncOptions {
  source: TransferEndpoint;
  destination: TransferEndpoint;
  signal: AbortSignal;
}

const DELETE_BATCH = 1000;

/** Makes the destination bucket hold what the source holds: copies what is missing or different, skips the rest. */
export async function syncBucket(callerOptions: SyncOptions): Promise<SyncReport> {
  const withTransfer = (endpoint: Endpoint) => ({ ...endpoint, transfer: new ObjectTransfer(endpoint.storage, callerOptions.concurrency) });
  const options = { ...callerOptions, source: withTransfer(callerOptions.source), destination: withTransfer(callerOptions.destination), signal: ownSignal(callerOptions.signal) };
  try {
    return await run(options);
  } finally {
    options.source.transfer.destroy();
    options.destination.transfer.destroy();
  }
}

async function run(options: RunOptions): Promise<SyncReport> {
  const { source, destination, signal } = options;
  const report: SyncReport = { source: source.bucket, destination: destination.bucket, dryRun: options.dryRun === true, interrupted: false, copied: 0, copiedBytes: 0, skipped: 0, deleted: 0, failed: [] };
  const [sourceObjects, destinationObjects] = await Promise.all([list(source, 'source bucket', signal), list(destination, 'destination bucket', signal)]);
  const progress = new SyncProgress(sourceObjects.size, sum([...sourceObjects.values()].map((o) => o.size)));
  options.onStart?.(progress);
  const limit = pLimit(options.concurrency);
  await Promise.all([...sourceObjects.values()].map((object) => limit(() => syncObject(object, destinationObjects.get(object.key), options, report, progress))));
  report.interrupted = signal.aborted;
  if (options.deleteExtraneous && !report.interrupted) {
    await removeExtraneous([...destinationObjects.keys()].filter((key) => !sourceObjects.has(key)), options, report);
  }
  return report;
}

/** Every running copy listens on the signal: a signal of our own may have that many listeners without a leak warning. */
function ownSignal(signal: AbortSignal | undefined): AbortSignal {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  if (signal?.aborted) controller.abort();
  signal?.addEventListener('abort', () => controller.abort(), { once: true });
  return controller.signal;
}

async function list(endpoint: Endpoint, role: 'source bucket' | 'destination bucket', signal: AbortSignal): Promise<Map<string, ListedObject>> {
  try {
    return await listBucket(endpoint.client, endpoint.bucket, signal);
  } catch (error) {
    const explained = explain(error, endpoint.storage, endpoint.bucket, role, endpoint.settingsPrefix);
    throw explained.reason === 'NoSuchBucket' ? missingBucket(endpoint, role) : explained;
  }
}

/**
 * The sync's own words for a missing bucket: explain()'s fix (storage init, or the service's bucket
 * setting) is the service's, not the sync's. A source is copied from, never created: its name or its
 * settings are wrong.
 */
function missingBucket(endpoint: Endpoint, role: 'source bucket' | 'destination bucket'): BucketValidationError {
  const prefix = endpoint.settingsPrefix ?? '';
  const [argument, flag] = role === 'source bucket' ? ['first', '--from-env-prefix'] : ['second', '--to-env-prefix'];
  const create = role === 'destination bucket' ? 'Create it there (in the store\'s console, or with `neotool-assets storage init` given its settings as plain STORAGE_*), or check' : 'Check';
  return new BucketValidationError(
    'NoSuchBucket',
    `Bucket "${endpoint.bucket}" (${role}) does not exist at ${endpointUrl(endpoint.storage)}. ` +
      `${create} the ${role} name (the ${argument} argument, or ${prefix}STORAGE_PUBLIC_BUCKET / ${prefix}STORAGE_PRIVATE_BUCKET with --both-buckets) ` +
      `and that the ${prefix}STORAGE_* settings (${flag}) describe the store to copy ${role === 'source bucket' ? 'from' : 'to'}.`,
  );
}

async function syncObject(object: ListedObject, existing: ListedObject | undefined, options: RunOptions, report: SyncReport, progress: SyncProgress): Promise<void> {
  if (options.signal.aborted) return;
  let streamed = 0;
  try {
    const reason = await copyReason(object, existing, () => recordedSourceEtag(options.destination, object.key));
    if (!reason) {
      report.skipped += 1;
      progress.finished(object, 0);
      return;
    }
    if (options.dryRun) {
      options.onEvent?.({ type: 'would-copy', key: object.key, detail: `${reason}, ${object.size} bytes` });
    } else {
      const onBytes = (bytes: number) => {
        streamed += bytes;
        progress.transferred(bytes);
      };
      await copyObject(options.source, options.destination, object, { partSize: options.partSize, signal: options.signal, onBytes });
    }
    report.copied += 1;
    report.copiedBytes += object.size;
  } catch (error) {
    // An interrupted copy is not a failure, nor done: nothing half-written stays behind and the next run copies it.
    if (options.signal.aborted) {
      progress.abandoned(streamed);
      return;
    }
    const reason = `${errorName(error)}: ${(error as Error)?.message}`;
    report.failed.push({ key: object.key, reason });
    options.onEvent?.({ type: 'failed', key: object.key, detail: reason });
  }
  progress.finished(object, streamed);
}

async function recordedSourceEtag(destination: Endpoint, key: string): Promise<string | undefined> {
  const head = await destination.client.send(new HeadObjectCommand({ Bucket: destination.bucket, Key: key }));
  return head.Metadata?.[SOURCE_ETAG_METADATA];
}

async function removeExtraneous(keys: string[], options: RunOptions, report: SyncReport): Promise<void> {
  const { destination } = options;
  for (let start = 0; start < keys.length; start += DELETE_BATCH) {
    const batch = keys.slice(start, start + DELETE_BATCH);
    if (options.dryRun) {
      for (const key of batch) options.onEvent?.({ type: 'would-delete', key, detail: 'not in the source' });
      report.deleted += batch.length;
      continue;
    }
    const result = await destination.client.send(new DeleteObjectsCommand({ Bucket: destination.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
    const errors = result.Errors ?? [];
    for (const e of errors) report.failed.push({ key: e.Key ?? '?', reason: `delete failed: ${e.Code}: ${e.Message}` });
    for (const key of batch.filter((k) => !errors.some((e) => e.Key === k))) options.onEvent?.({ type: 'deleted', key, detail: 'not in the source' });
    report.deleted += batch.length - errors.length;
  }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
