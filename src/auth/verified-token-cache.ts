import type { Principal } from '../domain/principal.js';

const MAX_ENTRIES = 10_000;
/**
 * A token is checked against the issuer's keys again after this long, however far off its expiry: a key
 * the issuer withdrew (jose refetches the key set at least every 10 minutes) stops its tokens within
 * minutes, not at their expiry. One RSA verification a minute per client costs nothing that shows.
 */
export const REVERIFY_AFTER_MS = 60_000;
/**
 * While the issuer's keys cannot be fetched, a token verified within this long still stands: the outage
 * does not log every client out, and a key withdrawn just before it stops its tokens after this at most.
 */
export const ISSUER_OUTAGE_GRACE_MS = 15 * 60_000;
/** During such an outage a known token tries the keys again this often, not at every call (each try may wait for a timeout). */
export const OUTAGE_RETRY_MS = 30_000;

export interface VerifiedToken {
  readonly principal: Principal;
  readonly expiresAtMs: number;
  readonly verifiedAtMs: number;
  /** From then on the token is checked against the issuer's keys again before it is trusted. */
  readonly reverifyAtMs: number;
}

type Entry = { -readonly [K in keyof VerifiedToken]: VerifiedToken[K] };

/**
 * Remembers verified tokens until they expire, so a client's repeated calls cost a map lookup instead
 * of an RSA verification, and so a token verified lately rides out a short outage of the issuer's keys.
 * Bounded: the oldest entry goes when full.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** What is known of a token verified before and not expired yet. */
  get(token: string): VerifiedToken | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= this.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return entry;
  }

  /** True once REVERIFY_AFTER_MS has passed since the token was verified. */
  dueForReverifying(entry: VerifiedToken): boolean {
    return entry.reverifyAtMs <= this.now();
  }

  set(token: string, principal: Principal, expSeconds: number | undefined): void {
    if (expSeconds === undefined) return;
    this.entries.delete(token); // re-added last: a re-verified token is the newest entry
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    const now = this.now();
    this.entries.set(token, { principal, expiresAtMs: expSeconds * 1000, verifiedAtMs: now, reverifyAtMs: now + REVERIFY_AFTER_MS });
  }

  /**
   * Whether a known token whose re-check failed only because the issuer's keys could not be fetched still
   * stands: yes within ISSUER_OUTAGE_GRACE_MS of its last verification, and then its next re-check waits OUTAGE_RETRY_MS.
   */
  standsDuringOutage(token: string): boolean {
    const entry = this.entries.get(token);
    const now = this.now();
    if (!entry || now - entry.verifiedAtMs >= ISSUER_OUTAGE_GRACE_MS) return false;
    entry.reverifyAtMs = now + OUTAGE_RETRY_MS;
    return true;
  }

  /** A token that failed its re-verification is not vouched for any more. */
  forget(token: string): void {
    this.entries.delete(token);
  }
}
