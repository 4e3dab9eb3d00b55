import { GraphQLError, type ExecutionResult } from 'graphql';
import type { FastifyBaseLogger } from 'fastify';
import { IssuerUnavailableError } from '../auth/issuer-unavailable.js';
import { AssetError } from '../domain/errors.js';
import { unknownEntityType } from './entity-reference.js';

interface FormattedError {
  message: string;
  locations?: GraphQLError['locations'];
  path?: GraphQLError['path'];
  extensions: Record<string, unknown>;
}

/**
 * Every error leaves with `extensions.code`. Domain errors keep their message and details;
 * errors of the query itself are VALIDATION_ERROR; anything unexpected is logged and hidden as INTERNAL.
 */
export function formatError(error: GraphQLError, log: FastifyBaseLogger, requestId: string): FormattedError {
  const base = { message: error.message, locations: error.locations, path: error.path };
  const original = error.originalError;
  const refusal = original instanceof AssetError ? original : original && unknownEntityType(original);
  if (refusal) return { ...base, message: refusal.message, extensions: { ...refusal.details, code: refusal.code } };
  if (!original || original.name === 'GraphQLError') return { ...base, extensions: { code: 'VALIDATION_ERROR' } };
  log.error({ err: original, requestId }, 'unexpected error in a resolver');
  return { ...base, message: `Internal error; retry later, or report request id ${requestId}.`, extensions: { code: 'INTERNAL', requestId } };
}

/**
 * Mercurius reports a query that does not parse or validate as one error wrapping the list of
 * GraphQL errors (MER_ERR_GQL_VALIDATION): unwrap it, so each reaches the client as a VALIDATION_ERROR
 * with its own message instead of one opaque INTERNAL.
 */
export function unwrapQueryErrors(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.flatMap((error) => {
    const wrapped = (error.originalError as { errors?: unknown } | undefined)?.errors;
    if (!Array.isArray(wrapped)) return [error];
    return wrapped.map((inner: Error) => (inner instanceof GraphQLError ? inner : new GraphQLError(inner.message)));
  });
}

/**
 * Nothing executed: HTTP 401 for a call without a verified token, 503 when the token could not be
 * checked because the issuer's keys could not be fetched (retry, do not log in again), 400 for a query
 * that does not parse or validate. Execution errors come back with HTTP 200 beside partial data.
 */
export function statusFor(result: ExecutionResult): number {
  if (result.data !== undefined) return 200;
  const refusals = (result.errors ?? []).map(tokenRefusal);
  if (refusals.length === 0 || refusals.includes(null)) return 400;
  return refusals.some((refusal) => refusal instanceof IssuerUnavailableError) ? 503 : 401;
}

function tokenRefusal(error: GraphQLError): AssetError | null {
  const original = error.originalError;
  return original instanceof AssetError && original.code === 'UNAUTHENTICATED' ? original : null;
}
