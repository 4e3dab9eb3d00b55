import type { Principal } from '../domain/principal.js';

const MAX_ENTRIES = 10_000;
/**
 * A token is checked against the issuer's keys again after this long, however far off its expiry: a key
 * the issuer withdrew (jose refetches the key set at least every 10 minutes) stops its tokens within
 * minutes, not at their expiry. One RSA verification a minute per client costs nothing that shows.
 */
export const REVERIFY_AFTER_MS = 60_000;

export interface VerifiedToken {
  readonly principal: Principal;
  readonly expiresAtMs: number;
  /** From then on the token is checked against the issuer's keys again before it is trusted. */
  readonly reverifyAtMs: number;
}

/**
 * Remembers verified tokens until they expire, so a client's repeated calls cost a map lookup instead
 * of an RSA verification, and so a token verified once rides out an issuer whose keys cannot be fetched.
 * Bounded: the oldest entry goes when full.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, VerifiedToken>();

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
    this.entries.set(token, { principal, expiresAtMs: expSeconds * 1000, reverifyAtMs: this.now() + REVERIFY_AFTER_MS });
  }

  /** A token that failed its re-verification is not vouched for any more. */
  forget(token: string): void {
    this.entries.delete(token);
  }
}
