import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { AssetError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import { principalFromClaims } from './claims.js';
import { IssuerUnavailableError } from './issuer-unavailable.js';
import { VerifiedTokenCache, type VerifiedToken } from './verified-token-cache.js';

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
}

/**
 * RS256 JWTs checked against the issuer's JWKS. A verified token is remembered until it expires, and checked
 * again every minute against the keys, which may have been withdrawn; while they cannot be fetched, a token
 * verified in the last 15 minutes still stands.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
    cooldownDuration: options.refetchCooldownMs ?? 30_000,
    cacheMaxAge: options.cacheMaxAgeMs ?? 10 * 60_000,
    timeoutDuration: 5_000,
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
    throw unauthenticated(describe(error));
  }
}

/** The issuer's keys could not be fetched: the token may well be good, so the caller should retry, not log in again. */
function isKeyFetchFailure(error: unknown): boolean {
  return error instanceof errors.JWKSTimeout || (error as { code?: string })?.code === 'ERR_JOSE_GENERIC' || (error instanceof TypeError && error.message === 'fetch failed');
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The token has expired; get a new one.';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'The token is not signed with RS256; only RS256 tokens are accepted.';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'The token signature is invalid; get a token from the configured issuer.';
  if (error instanceof errors.JWKSNoMatchingKey) return 'The token was signed with a key the issuer does not publish; get a new token.';
  if (error instanceof errors.JWTClaimValidationFailed) return `The token's "${error.claim}" claim is not accepted (${error.reason}); get a token for this service.`;
  return 'The token is malformed; send a compact JWS (header.payload.signature).';
}

function unauthenticated(message: string): AssetError {
  return new AssetError('UNAUTHENTICATED', message);
}
