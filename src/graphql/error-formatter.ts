import type { ExecutionResult, GraphQLError } from 'graphql';
import type { FastifyBaseLogger } from 'fastify';
import { AssetError } from '../domain/errors.js';

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
  if (original instanceof AssetError) return { ...base, extensions: { ...original.details, code: original.code } };
  if (!original || original.name === 'GraphQLError') return { ...base, extensions: { code: 'VALIDATION_ERROR' } };
  log.error({ err: original, requestId }, 'unexpected error in a resolver');
  return { ...base, message: `Internal error; retry later, or report request id ${requestId}.`, extensions: { code: 'INTERNAL', requestId } };
}

/** Query errors (nothing executed) are HTTP 400; execution errors come back with HTTP 200 beside partial data. */
export function statusFor(result: ExecutionResult): number {
  return result.data === undefined ? 400 : 200;
}
