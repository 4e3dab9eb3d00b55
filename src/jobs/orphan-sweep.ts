import { validate as isUuid } from 'uuid';
import { DeleteObjectsCommand, paginateListObjectsV2, type _Object, type S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import type { JobQueries } from '../db/job-queries.js';
import type { Visibility } from '../domain/asset.js';
import { STAGING_PREFIX } from '../domain/storage-key.js';
import type { Job, RunCounts } from './job.js';

export interface OrphanSettings {
  intervalSeconds: number;
  /** Younger objects are left alone whatever the database says. */
  graceSeconds: number;
  /** Report only, unless true (orphaned uploads under the staging prefix of the private bucket are deleted either way). */
  delete: boolean;
  /** Keys listed (and so checked, and deleted) at a time. */
  pageSize: number;
}

/** How many orphan keys a run's report names; the count covers all of them. */
const REPORTED_KEYS = 20;

/**
 * Finds objects in either bucket that no PENDING or READY asset accounts for, nor a PENDING asset's
 * upload: left over by a failed delete, a PUT that outlived its URL, or copied in by hand. One listed page (`pageSize`
 * keys at most) is one batch, checked against the database with a single query.
 */
export class OrphanSweepJob implements Job {
  readonly name = 'sweep-orphaned-objects';
  readonly intervalSeconds: number;
  private readonly audit: Logger;

  constructor(
    private readonly s3: S3Client,
    /** Both are swept; uploads wait in the PRIVATE one. */
    private readonly buckets: Record<Visibility, string>,
    private readonly queries: JobQueries,
    private readonly settings: OrphanSettings,
    private readonly logger: Logger,
  ) {
    this.intervalSeconds = settings.intervalSeconds;
    this.audit = logger.child({ audit: true });
  }

  async run(signal: AbortSignal, counts: RunCounts): Promise<void> {
    const found: string[] = [];
    try {
      for (const bucket of [this.buckets.PUBLIC, this.buckets.PRIVATE]) {
        for await (const page of paginateListObjectsV2({ client: this.s3, pageSize: this.settings.pageSize }, { Bucket: bucket })) {
          const orphans = await this.orphansIn(bucket, page.Contents ?? [], counts);
          await this.deleteOrphans(bucket, this.settings.delete ? orphans : orphans.filter((key) => this.isUpload(bucket, key)), counts);
          found.push(...orphans.slice(0, REPORTED_KEYS - found.length).map((key) => `${bucket}/${key}`));
          if (signal.aborted) return;
        }
      }
    } finally {
      this.report(found, counts);
    }
  }

  private async orphansIn(bucket: string, objects: _Object[], counts: RunCounts): Promise<string[]> {
    counts.add('scanned', objects.length);
    const cutoff = Date.now() - this.settings.graceSeconds * 1000;
    const keys = objects.filter((o) => o.Key && o.LastModified && o.LastModified.getTime() < cutoff).map((o) => o.Key!);
    if (keys.length === 0) return [];
    const live = await this.liveKeys(bucket, keys);
    const orphans = keys.filter((key) => !live.has(key));
    counts.processedItems('orphans', orphans.length);
    return orphans;
  }

  /** Asset keys by their row; uploads (`~uploads/<asset id>` in the private bucket) by the asset they wait for. */
  private async liveKeys(bucket: string, keys: string[]): Promise<Set<string>> {
    const uploads: string[] = [];
    const assetKeys: string[] = [];
    for (const key of keys) (this.isUpload(bucket, key) ? uploads : assetKeys).push(key);
    const byAssetId = new Map(uploads.map((k) => [k.slice(STAGING_PREFIX.length), k]));
    // Staging keys are written with lower-case ids only; any other is not an upload's.
    const assetIds = [...byAssetId.keys()].filter((id) => isUuid(id) && id === id.toLowerCase());
    // A page of uploads only (a private bucket between confirms) needs no asset-key query.
    const [live, liveUploads] = await Promise.all([
      assetKeys.length > 0 ? this.queries.liveKeys(bucket, assetKeys) : new Set<string>(),
      assetIds.length > 0 ? this.queries.liveUploads(assetIds) : new Set<string>(),
    ]);
    for (const id of liveUploads) live.add(byAssetId.get(id)!);
    return live;
  }

  /**
   * An upload no PENDING asset waits for is the service's own leftover (a PUT that outlived its URL's
   * cleanup, a delete that failed), never an operator's object: it is deleted even in report-only mode.
   */
  private isUpload(bucket: string, key: string): boolean {
    return bucket === this.buckets.PRIVATE && key.startsWith(STAGING_PREFIX);
  }

  private async deleteOrphans(bucket: string, keys: string[], counts: RunCounts): Promise<void> {
    if (keys.length === 0) return;
    const result = await this.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }));
    const failed = new Set((result.Errors ?? []).map((e) => e.Key));
    for (const key of keys.filter((k) => !failed.has(k))) this.audit.info({ event: 'orphan.deleted', bucket, key, actor: this.name }, 'orphan.deleted');
    counts.add('deleted', keys.length - failed.size);
    if (failed.size > 0) {
      counts.add('deleteErrors', failed.size);
      this.logger.warn({ job: this.name, bucket, errors: result.Errors?.slice(0, REPORTED_KEYS) }, 'some orphaned objects could not be deleted; the next run tries again');
    }
  }

  private report(found: string[], counts: RunCounts): void {
    if (counts.processed === 0) return;
    const advice = this.settings.delete ? 'deleted' : `reported only, but for uploads under ${STAGING_PREFIX} in ${this.buckets.PRIVATE}; set ORPHAN_DELETE=true to delete them`;
    this.logger.warn({ job: this.name, orphans: counts.processed, keys: found }, `objects without a live asset found (${advice})`);
  }
}

