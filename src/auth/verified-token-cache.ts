import type { Principal } from '../domain/principal.js';

const MAX_ENTRIES = 10_000;
/**
 * A token is checked against the issuer's keys again after this long, however far off its expiry: a key
 * the issuer withdrew (jose refetches the key set at least every 10 minutes) stops its tokens within
 * minutes, not at their expiry. One RSA verification a minute per client costs nothing that shows.
 */
export const REVERIFY_AFTER_MS = 60_000;

/**
 * Remembers verified tokens until they expire, or for REVERIFY_AFTER_MS at most, so a client's repeated
 * calls cost a map lookup instead of an RSA verification. Bounded: the oldest entry goes when full.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { principal: Principal; expiresAtMs: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  get(token: string): Principal | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= this.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.principal;
  }

  set(token: string, principal: Principal, expSeconds: number | undefined): void {
    if (expSeconds === undefined) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, { principal, expiresAtMs: Math.min(expSeconds * 1000, this.now() + REVERIFY_AFTER_MS) });
  }
}
