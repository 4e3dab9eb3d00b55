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

/** Counters of a running sync, read by whatever displays them (progress bar or JSON lines). */
export class SyncProgress {
  private objectsDone = 0;
  private bytesDone = 0;
  private bytesTransferred = 0;
  private readonly startedAt = performance.now();

  constructor(
    readonly totalObjects: number,
    readonly totalBytes: number,
  ) {}

  transferred(bytes: number): void {
    this.bytesTransferred += bytes;
    this.bytesDone += bytes;
  }

  /** An object is done (copied, skipped or failed): its bytes not streamed yet count as done too. */
  finished(object: ListedObject, streamed: number): void {
    this.objectsDone += 1;
    this.bytesDone += Math.max(0, object.size - streamed);
  }

  snapshot(): ProgressSnapshot {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const bytesPerSecond = seconds > 0 ? Math.round(this.bytesTransferred / seconds) : 0;
    return {
      objects: this.objectsDone,
      totalObjects: this.totalObjects,
      bytes: this.bytesDone,
      totalBytes: this.totalBytes,
      bytesPerSecond,
      etaSeconds: this.eta(seconds, bytesPerSecond),
    };
  }

  /**
   * The longer of two estimates: by bytes (large objects dominate) and by objects (many small ones
   * are bound by requests, not bytes). Unknown (null) until something has finished.
   */
  private eta(seconds: number, bytesPerSecond: number): number | null {
    const remainingBytes = this.totalBytes - this.bytesDone;
    const remainingObjects = this.totalObjects - this.objectsDone;
    if (remainingObjects <= 0) return 0;
    if (this.objectsDone === 0 || seconds <= 0) return null;
    const byObjects = remainingObjects / (this.objectsDone / seconds);
    const byBytes = remainingBytes > 0 && bytesPerSecond > 0 ? remainingBytes / bytesPerSecond : 0;
    return Math.ceil(Math.max(byObjects, byBytes));
  }
}
