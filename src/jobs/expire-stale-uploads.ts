import type { Logger } from 'pino';
import type { JobQueries } from '../db/job-queries.js';
import type { Asset } from '../domain/asset.js';
import type { AssetService } from '../domain/asset-service.js';
import { drainInBatches, type Job, type RunCounts } from './job.js';

export interface ExpireSettings {
  intervalSeconds: number;
  /** Extra time after the upload window: a PUT that started just before it closed may still be streaming. */
  graceSeconds: number;
  batchSize: number;
}

// Long enough for a batch of storage checks; if this replica dies, another takes the rows over after it.
const LEASE_SECONDS = 600;
// A late upload storage would not delete (an outage, a permission) waits this long (plus grace) before the next try.
const LATE_UPLOAD_RETRY_SECONDS = 600;

/**
 * Settles PENDING uploads whose window closed without a confirm: rescued to READY when the object
 * passes confirm's checks, FAILED otherwise (see AssetService.settleExpiredUpload). Then deletes once
 * more the keys of FAILED and DELETED assets whose upload URL has died (plus grace): a late PUT may have
 * left an unchecked object there (see AssetService.removeLateUpload).
 */
export class ExpireStaleUploadsJob implements Job {
  readonly name = 'expire-stale-uploads';
  readonly intervalSeconds: number;

  constructor(
    private readonly queries: JobQueries,
    private readonly service: AssetService,
    private readonly settings: ExpireSettings,
    private readonly logger: Logger,
  ) {
    this.intervalSeconds = settings.intervalSeconds;
  }

  async run(signal: AbortSignal, counts: RunCounts): Promise<void> {
    const { graceSeconds, batchSize } = this.settings;
    await drainInBatches(signal, batchSize, async () => {
      const batch = await this.queries.claimStaleUploads(graceSeconds, batchSize, LEASE_SECONDS);
      await this.settleBatch(batch, counts);
      return batch.length;
    });
    await drainInBatches(signal, batchSize, async () => {
      const due = await this.queries.lateUploadKeysDue(graceSeconds, batchSize);
      await this.clearLateUploads(due, counts);
      return due.length;
    });
  }

  /** Like settleBatch: a key storage will not delete is tried again later, without holding up the others. */
  private async clearLateUploads(due: Asset[], counts: RunCounts): Promise<void> {
    const cleared: string[] = [];
    const failed: string[] = [];
    let lastError: unknown;
    for (const asset of due) {
      try {
        await this.service.removeLateUpload(asset);
        cleared.push(asset.id);
      } catch (error) {
        lastError = error;
        failed.push(asset.id);
        this.logger.warn({ job: this.name, assetId: asset.id, err: error }, 'could not delete a late upload; it is tried again later');
      }
    }
    if (cleared.length > 0) await this.queries.lateUploadKeysCleared(cleared);
    if (failed.length > 0) await this.queries.lateUploadKeysRetryLater(failed, LATE_UPLOAD_RETRY_SECONDS);
    counts.add('lateUploadKeysCleared', cleared.length);
    if (failed.length > 0) counts.add('errors', failed.length);
    if (cleared.length === 0 && lastError !== undefined) throw lastError;
  }

  private async settleBatch(batch: Asset[], counts: RunCounts): Promise<void> {
    let settled = 0;
    let lastError: unknown;
    for (const asset of batch) {
      try {
        const outcome = await this.service.settleExpiredUpload(asset, this.name);
        counts.processedItems(outcome === 'asset.rescued' ? 'rescued' : outcome === 'asset.expired' ? 'expired' : 'alreadySettled');
        settled += 1;
      } catch (error) {
        lastError = error;
        counts.add('errors');
        this.logger.warn({ job: this.name, assetId: asset.id, err: error }, 'could not settle a stale upload; it is tried again when its lease runs out');
      }
    }
    // Not one settled: storage or the database is down. Stop here instead of claiming every remaining row.
    if (settled === 0 && lastError !== undefined) throw lastError;
  }
}
