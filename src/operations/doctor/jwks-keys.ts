import { shownUrl } from '../../config/shown-url.js';
import { fail, pass, type Outcome } from './checks.js';
import { connectionFailure } from './connection-failure.js';

interface Jwk {
  kty?: string;
  alg?: string;
  use?: string;
}

/** Whether JWT_JWKS_URL answers with an RS256 signing key: doctor's check. */
export async function jwksHasRs256Key(url: string, timeoutMs: number, cancel?: AbortSignal): Promise<Outcome> {
  return (await fetchIssuerKeys(url, timeoutMs, cancel)).outcome;
}

/**
 * The same check, with the JWKS it read when it passed: the service hands that to its token verifier,
 * so that readiness fetches the keys once.
 */
export async function fetchIssuerKeys(jwksUrl: string, timeoutMs: number, cancel?: AbortSignal): Promise<{ outcome: Outcome; jwks?: unknown }> {
  const fix = 'JWT_JWKS_URL must point at the JWKS of Neotool\'s security service (RS256 keys).';
  const url = shownUrl(jwksUrl);
  let res: Response;
  try {
    const timeout = AbortSignal.timeout(timeoutMs);
    res = await fetch(jwksUrl, { signal: cancel ? AbortSignal.any([timeout, cancel]) : timeout });
  } catch (error) {
    return { outcome: fail(`${connectionFailure(error, url, timeoutMs).cause}. ${fix}`) };
  }
  if (!res.ok) {
    await res.body?.cancel(); // an error page is not read, and its connection must not wait for that
    return { outcome: fail(`${url} answered HTTP ${res.status}. ${fix}`) };
  }
  const jwks: unknown = await res.json().catch(() => undefined);
  const keys = listedKeys(jwks);
  if (!keys) return { outcome: fail(`${url} does not answer with a JWKS (JSON with a "keys" list). ${fix}`) };
  const usable = keys.filter((k) => k.kty === 'RSA' && (k.alg ?? 'RS256') === 'RS256' && (k.use ?? 'sig') === 'sig');
  if (usable.length === 0) return { outcome: fail(`${url} lists ${keys.length} key(s), none of them an RS256 signing key. ${fix}`) };
  return { outcome: pass(`${usable.length} RS256 key(s) at ${url}`), jwks };
}

/** The keys of whatever came back, if it has the shape of a JWKS: an error page may well be JSON too. */
function listedKeys(body: unknown): Jwk[] | undefined {
  const keys = (body as { keys?: unknown } | null | undefined)?.keys;
  return Array.isArray(keys) ? keys.filter((k): k is Jwk => typeof k === 'object' && k !== null) : undefined;
}
