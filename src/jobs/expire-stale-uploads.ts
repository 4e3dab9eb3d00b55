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
 * passes confirm's checks, FAILED otherwise (see AssetService.settleExpiredUpload). Then deletes the
 * uploads of settled assets whose upload URL has died (plus grace): confirm copied what it needed, and
 * a late PUT may have left an unchecked object (see AssetService.removeLateUpload).
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

  /** A key storage will not delete is tried again later, without holding up the others. */
  private async clearLateUploads(due: Asset[], counts: RunCounts): Promise<void> {
    const outcome = await this.eachAsset(due, counts, (asset) => this.service.removeLateUpload(asset), 'could not delete a late upload; it is tried again later');
    const { done, failed } = outcome;
    if (done.length > 0) await this.queries.lateUploadKeysCleared(done.map((asset) => asset.id));
    if (failed.length > 0) await this.queries.lateUploadKeysRetryLater(failed.map((asset) => asset.id), LATE_UPLOAD_RETRY_SECONDS);
    counts.add('lateUploadKeysCleared', done.length);
    stopIfNoneDone(outcome);
  }

  private async settleBatch(batch: Asset[], counts: RunCounts): Promise<void> {
    const outcome = await this.eachAsset(batch, counts, async (asset) => {
      const settled = await this.service.settleExpiredUpload(asset, this.name);
      counts.processedItems(settled === 'asset.rescued' ? 'rescued' : settled === 'asset.expired' ? 'expired' : 'alreadySettled');
    }, 'could not settle a stale upload; it is tried again when its lease runs out');
    stopIfNoneDone(outcome);
  }

  /** Runs `work` for each asset; a failure is logged and counted, and the others go on. */
  private async eachAsset(assets: Asset[], counts: RunCounts, work: (asset: Asset) => Promise<void>, warning: string): Promise<EachOutcome> {
    const done: Asset[] = [];
    const failed: Asset[] = [];
    let lastError: unknown;
    for (const asset of assets) {
      try {
        await work(asset);
        done.push(asset);
      } catch (error) {
        lastError = error;
        failed.push(asset);
        counts.add('errors');
        this.logger.warn({ job: this.name, assetId: asset.id, err: error }, warning);
      }
    }
    return { done, failed, lastError };
  }
}

interface EachOutcome {
  done: Asset[];
  failed: Asset[];
  lastError: unknown;
}

/** Not one succeeded: storage or the database is down. The run stops here instead of claiming every remaining row. */
function stopIfNoneDone({ done, lastError }: EachOutcome): void {
  if (done.length === 0 && lastError !== undefined) throw lastError;
}
