import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload } from 'jose';
import { AssetError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import { principalFromClaims, shown } from './claims.js';
import { IssuerUnavailableError } from './issuer-unavailable.js';
import { VerifiedTokenCache, type VerifiedToken } from './verified-token-cache.js';

/** How long a fetch of the issuer's keys may take. */
const JWKS_TIMEOUT_MS = 5_000;

export interface TokenVerifierOptions {
  jwksUrl: string;
  issuer?: string;
  audience?: string;
  /** An unknown `kid` refetches the JWKS at most this often (key rotation without a refetch storm). */
  refetchCooldownMs?: number;
  cacheMaxAgeMs?: number;
  /** The clock of the verified-token cache; injectable so that tests can let a minute pass. */
  now?: () => number;
}

export interface TokenVerifier {
  verify(authorization: string | undefined): Promise<Principal>;
  /** Takes the issuer's keys, as readiness just read them from JWT_JWKS_URL: the first call then needs no fetch of its own. */
  loadKeys(jwks: unknown): Promise<void>;
}

/**
 * RS256 JWTs checked against the issuer's JWKS. A verified token is remembered until it expires, and checked
 * again every minute against the keys, which may have been withdrawn; while they cannot be fetched, a token
 * verified in the last 15 minutes still stands.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  // Keys handed in by loadKeys answer jose's next fetch, which then goes over no network.
  let handedIn: unknown;
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
    cooldownDuration: options.refetchCooldownMs ?? 30_000,
    cacheMaxAge: options.cacheMaxAgeMs ?? 10 * 60_000,
    timeoutDuration: JWKS_TIMEOUT_MS,
    [customFetch]: (url, init) => (handedIn === undefined ? fetch(url, init) : Promise.resolve(Response.json(handedIn))),
  });
  const cache = new VerifiedTokenCache(options.now);
  // Concurrent calls with a token that needs checking share one check: a client's burst costs one RSA verification.
  const inFlight = new Map<string, Promise<Principal>>();

  async function check(token: string, known: VerifiedToken | undefined): Promise<Principal> {
    try {
      const payload = await verifySignature(token, jwks, options);
      const principal = principalFromClaims(payload);
      cache.set(token, principal, payload.exp);
      return principal;
    } catch (error) {
      // Keys that cannot be fetched undo no recent verification: a known token stands for a while.
      if (known && error instanceof IssuerUnavailableError && cache.standsDuringOutage(token)) return known.principal;
      cache.forget(token);
      throw error;
    }
  }

  return {
    async loadKeys(keys) {
      handedIn = keys;
      try {
        await jwks.reload();
      } finally {
        handedIn = undefined;
      }
    },
    async verify(authorization) {
      const token = bearerToken(authorization);
      const known = cache.get(token);
      if (known && !cache.dueForReverifying(known)) return known.principal;
      let checking = inFlight.get(token);
      if (!checking) {
        checking = check(token, known).finally(() => inFlight.delete(token));
        inFlight.set(token, checking);
      }
      return checking;
    },
  };
}

function bearerToken(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) throw unauthenticated('Send "Authorization: Bearer <JWT>" with every request.');
  return match[1];
}

async function verifySignature(token: string, jwks: ReturnType<typeof createRemoteJWKSet>, options: TokenVerifierOptions): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, jwks, {
      algorithms: ['RS256'],
      issuer: options.issuer,
      audience: options.audience,
      requiredClaims: ['sub', 'exp'],
    });
    return payload;
  } catch (error) {
    if (isKeyFetchFailure(error)) throw new IssuerUnavailableError();
    throw unauthenticated(describe(error, options));
  }
}

/** The issuer's keys could not be fetched: the token may well be good, so the caller should retry, not log in again. */
function isKeyFetchFailure(error: unknown): boolean {
  return error instanceof errors.JWKSTimeout || (error as { code?: string })?.code === 'ERR_JOSE_GENERIC' || (error instanceof TypeError && error.message === 'fetch failed');
}

function describe(error: unknown, options: TokenVerifierOptions): string {
  if (error instanceof errors.JWTExpired) return 'The token has expired; get a new one.';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'The token is not signed with RS256; only RS256 tokens are accepted.';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'The token signature is invalid; get a token from the configured issuer.';
  if (error instanceof errors.JWKSNoMatchingKey) return 'The token was signed with a key the issuer does not publish; get a new token.';
  if (error instanceof errors.JWTClaimValidationFailed) return describeClaimFailure(error, options);
  return 'The token is malformed; send a compact JWS (header.payload.signature).';
}

/**
 * What is wrong with a claim, in the caller's terms: jose's reason codes ("missing", "check_failed", "invalid")
 * stay inside. The expected issuer and audience are named: they are no secret, every token of the issuer carries them.
 */
function describeClaimFailure(error: InstanceType<typeof errors.JWTClaimValidationFailed>, options: TokenVerifierOptions): string {
  const { claim, reason, payload } = error;
  const expected = expectedClaim(claim, options);
  if (reason === 'missing') {
    if (claim === 'exp') return 'The token has no "exp" claim; tokens must expire.';
    if (claim === 'sub') return 'The token has no "sub" claim; get a token for a user or service.';
    if (expected) return `The token has no "${claim}" claim but this service accepts only tokens ${expected}; get a token for this service.`;
    return `The token has no "${claim}" claim.`;
  }
  if (reason === 'invalid') return `The token's "${claim}" claim is ${shown(payload[claim], 100)} but must be a number (seconds since 1970-01-01T00:00:00Z).`;
  if (claim === 'nbf' && typeof payload.nbf === 'number') {
    return `The token is not valid yet, until ${new Date(payload.nbf * 1000).toISOString()} (its "nbf" claim); use it from then on, or check this machine's clock against the issuer's.`;
  }
  if (expected) return `The token's "${claim}" claim is ${shown(payload[claim], 100)} but this service accepts only tokens ${expected}; get a token for this service.`;
  return `The token's "${claim}" claim is not accepted; get a token for this service.`;
}

function expectedClaim(claim: string, options: TokenVerifierOptions): string | undefined {
  if (claim === 'iss' && options.issuer !== undefined) return `issued by "${options.issuer}" (JWT_ISSUER)`;
  if (claim === 'aud' && options.audience !== undefined) return `for the audience "${options.audience}" (JWT_AUDIENCE)`;
  return undefined;
}

function unauthenticated(message: string): AssetError {
  return new AssetError('UNAUTHENTICATED', message);
}
