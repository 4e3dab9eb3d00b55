export interface BatcherOptions {
  /** Most items one batch carries. */
  maxBatchSize: number;
  /** Most batches running at once; items arriving while all are busy wait for the next. */
  maxInFlight: number;
  /**
   * When a batch fails, the items waiting for the next fail with it. For a store that just did not
   * answer (down, or hung until a timeout), asking it again would only make them wait as long.
   */
  failWaitingWithBatch?: boolean;
}

/** What a batch run says about each of its items, in their order. */
export type ItemOutcomes<R> = readonly PromiseSettledResult<R>[];

interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Turns many concurrent single-item calls into few batch calls. An item arriving while a batch slot
 * is free goes at once (no added latency when idle); items arriving while every slot is busy queue
 * and go together as soon as one frees up. Under load, one round trip then serves many callers.
 */
export class Batcher<T, R> {
  private readonly waiting: Waiting<T, R>[] = [];
  private inFlight = 0;

  constructor(
    private readonly runBatch: (items: readonly T[]) => Promise<ItemOutcomes<R>>,
    private readonly options: BatcherOptions,
  ) {}

  /** Nothing running and nothing waiting. */
  get idle(): boolean {
    return this.inFlight === 0 && this.waiting.length === 0;
  }

  submit(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      this.inFlight++;
      void this.run(this.waiting.splice(0, this.options.maxBatchSize));
    }
  }

  private async run(batch: Waiting<T, R>[]): Promise<void> {
    try {
      const outcomes = await this.runBatch(batch.map((w) => w.item));
      batch.forEach((w, i) => settle(w, outcomes[i]));
    } catch (error) {
      const failing = this.options.failWaitingWithBatch ? [...batch, ...this.waiting.splice(0)] : batch;
      for (const w of failing) w.reject(error);
    } finally {
      this.inFlight--;
      this.dispatch();
    }
  }
}

function settle<T, R>(waiting: Waiting<T, R>, outcome: PromiseSettledResult<R> | undefined): void {
  if (!outcome) return waiting.reject(new Error('Batcher: the batch returned no outcome for an item'));
  if (outcome.status === 'fulfilled') waiting.resolve(outcome.value);
  else waiting.reject(outcome.reason);
}
