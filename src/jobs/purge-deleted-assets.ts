import type { JobQueries } from '../db/job-queries.js';
import type { LifecycleEvents } from '../domain/ports.js';
import { drainInBatches, type Job, type RunCounts } from './job.js';

export interface PurgeSettings {
  intervalSeconds: number;
  /** How long a DELETED row (who deleted it, when) is kept. */
  retentionDays: number;
  batchSize: number;
}

/** Removes the rows of assets deleted longer ago than the retention period; their objects went at delete time. */
export class PurgeDeletedAssetsJob implements Job {
  readonly name = 'purge-deleted-assets';
  readonly intervalSeconds: number;

  constructor(
    private readonly queries: JobQueries,
    private readonly events: LifecycleEvents,
    private readonly settings: PurgeSettings,
  ) {
    this.intervalSeconds = settings.intervalSeconds;
  }

  async run(signal: AbortSignal, counts: RunCounts): Promise<void> {
    const { retentionDays, batchSize } = this.settings;
    await drainInBatches(signal, batchSize, async () => {
      const purged = await this.queries.purgeDeleted(retentionDays, batchSize);
      for (const asset of purged) this.events.emit({ type: 'asset.purged', asset, actor: this.name });
      counts.processedItems('purged', purged.length);
      return purged.length;
    });
  }
}
