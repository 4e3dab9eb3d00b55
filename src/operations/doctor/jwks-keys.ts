import { fail, pass, type Outcome } from './checks.js';
import { connectionFailure } from './connection-failure.js';

interface Jwk {
  kty?: string;
  alg?: string;
  use?: string;
}

/** Whether JWT_JWKS_URL answers with an RS256 signing key: for doctor, and for the warning the service logs at start. */
export async function jwksHasRs256Key(url: string, timeoutMs: number, cancel?: AbortSignal): Promise<Outcome> {
  const fix = 'JWT_JWKS_URL must point at the JWKS of Neotool\'s security service (RS256 keys).';
  let res: Response;
  try {
    const timeout = AbortSignal.timeout(timeoutMs);
    res = await fetch(url, { signal: cancel ? AbortSignal.any([timeout, cancel]) : timeout });
  } catch (error) {
    return fail(`${connectionFailure(error, url, timeoutMs).cause}. ${fix}`);
  }
  if (!res.ok) {
    await res.body?.cancel(); // an error page is not read, and its connection must not wait for that
    return fail(`${url} answered HTTP ${res.status}. ${fix}`);
  }
  const keys = listedKeys(await res.json().catch(() => undefined));
  if (!keys) return fail(`${url} does not answer with a JWKS (JSON with a "keys" list). ${fix}`);
  const usable = keys.filter((k) => k.kty === 'RSA' && (k.alg ?? 'RS256') === 'RS256' && (k.use ?? 'sig') === 'sig');
  if (usable.length === 0) return fail(`${url} lists ${keys.length} key(s), none of them an RS256 signing key. ${fix}`);
  return pass(`${usable.length} RS256 key(s) at ${url}`);
}

/** The keys of whatever came back, if it has the shape of a JWKS: an error page may well be JSON too. */
function listedKeys(body: unknown): Jwk[] | undefined {
  const keys = (body as { keys?: unknown } | null | undefined)?.keys;
  return Array.isArray(keys) ? keys.filter((k): k is Jwk => typeof k === 'object' && k !== null) : undefined;
}
