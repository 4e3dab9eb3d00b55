import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { UploadLimits } from '../config/upload-limits.js';

export type LimitName = keyof UploadLimits;

/** What one limit said about a new upload. */
export type Verdict = { admitted: true } | Refusal;

/** A refused upload counts nowhere in the limit that refused it. */
export interface Refusal {
  admitted: false;
  /** When waiting helps: how long until the limit has room again; 0 when only freeing space helps. */
  retryAfterMs: number;
}

export const ADMITTED: Verdict = { admitted: true };

/** A limit as its refusals name it. */
export interface LimitRule {
  readonly name: LimitName;
  /** A rate recovers with time; the quota when the owner deletes assets (waiting alone does not help). */
  readonly kind: 'rate' | 'quota';
  /** The configured maximum (uploads or bytes). */
  readonly max: number;
}

/** One per-owner rate limit over a shared counter (the quota is decided by the insert, db/asset-inserts.ts). */
export interface CountedLimit extends LimitRule {
  readonly kind: 'rate';
  /** How long this owner is already known, in this process, to stay refused: no store round trip for them. */
  blockedForMs(ownerId: string): number;
  consume(ownerId: string, sizeBytes: number): Promise<Verdict>;
  /** Undoes an admitted consume. */
  giveBack(ownerId: string, sizeBytes: number): Promise<void>;
}

/** rate-limiter-flexible rejects with a RateLimiterRes when a limit is exceeded, and with an Error when its store fails. */
export async function consumeOrRefuse(limiter: RateLimiterAbstract, key: string, points: number): Promise<{ res: RateLimiterRes; refused: boolean }> {
  try {
    return { res: await limiter.consume(key, points), refused: false };
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return { res: rejection, refused: true };
    throw rejection;
  }
}
