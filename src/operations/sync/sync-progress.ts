import type { ListedObject } from './listing.js';

export interface ProgressSnapshot {
  objects: number;
  totalObjects: number;
  bytes: number;
  totalBytes: number;
  /** Bytes actually transferred per second; skipped objects count as done but not as transferred. */
  bytesPerSecond: number;
  etaSeconds: number | null;
}

/** Before this, a rate (and so an ETA) says more about the start-up than about the copy. */
const MEANINGFUL_AFTER_SECONDS = 1;

/** Counters of a running sync, read by whatever displays them (progress bar or JSON lines). */
export class SyncProgress {
  private objectsDone = 0;
  private bytesDone = 0;
  private bytesTransferred = 0;
  private readonly startedAt: number;

  constructor(
    readonly totalObjects: number,
    readonly totalBytes: number,
    /** The clock, in milliseconds (tests pass their own). */
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now();
  }

  transferred(bytes: number): void {
    this.bytesTransferred += bytes;
    this.bytesDone += bytes;
  }

  /** An object is done (copied, skipped or failed): its bytes not streamed yet count as done too. */
  finished(object: ListedObject, streamed: number): void {
    this.objectsDone += 1;
    this.bytesDone += Math.max(0, object.size - streamed);
  }

  /** An object's copy was interrupted: it is not done, and the bytes it streamed are to be copied again. */
  abandoned(streamed: number): void {
    this.bytesDone -= streamed;
  }

  snapshot(): ProgressSnapshot {
    const seconds = (this.now() - this.startedAt) / 1000;
    const bytesPerSecond = seconds > 0 ? Math.round(this.bytesTransferred / seconds) : 0;
    return {
      objects: this.objectsDone,
      totalObjects: this.totalObjects,
      bytes: this.bytesDone,
      totalBytes: this.totalBytes,
      bytesPerSecond,
      etaSeconds: this.eta(seconds),
    };
  }

  /**
   * The bytes still to copy at the rate bytes were copied so far (skipped objects, done without
   * copying, do not raise that rate). Unknown (null) in the first second, or before a byte was copied.
   */
  private eta(seconds: number): number | null {
    const remainingBytes = this.totalBytes - this.bytesDone;
    if (this.objectsDone >= this.totalObjects || remainingBytes <= 0) return 0;
    if (seconds < MEANINGFUL_AFTER_SECONDS || this.bytesTransferred <= 0) return null;
    return Math.ceil(remainingBytes / (this.bytesTransferred / seconds));
  }
}
