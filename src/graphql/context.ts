import type { FastifyRequest } from 'fastify';
import type { TokenVerifier } from '../auth/token-verifier.js';
import { AssetError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';

/** Per-request GraphQL context: the caller, or why the caller could not be authenticated. */
export interface RequestContext {
  principal: Principal | null;
  authError: AssetError | null;
  requestId: string;
}

export async function buildContext(verifier: TokenVerifier, request: FastifyRequest): Promise<RequestContext> {
  try {
    return { principal: await verifier.verify(request.headers.authorization), authError: null, requestId: request.id };
  } catch (error) {
    const authError = error instanceof AssetError ? error : new AssetError('UNAUTHENTICATED', 'The token could not be verified.');
    return { principal: null, authError, requestId: request.id };
  }
}

/** Every field that touches assets calls this first: without a verified token nothing else happens. */
export function principalOf(context: RequestContext): Principal {
  const principal = authenticated(context);
  // The cached principal is shared between requests: the request id rides on a per-request copy.
  return { ...principal, requestId: context.requestId };
}

/** The caller's verified principal, or the UNAUTHENTICATED error saying why there is none. */
export function authenticated(context: RequestContext): Principal {
  if (context.principal) return context.principal;
  throw context.authError ?? new AssetError('UNAUTHENTICATED', 'Send "Authorization: Bearer <JWT>" with every request.');
}
