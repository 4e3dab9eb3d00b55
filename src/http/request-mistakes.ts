import { GraphQLError, type ExecutionResult } from 'graphql';
import { AssetError } from '../domain/errors.js';
import { authenticated, type RequestContext } from '../graphql/context.js';

const REQUEST_SHAPE = '{"query": "...", "variables": {...}} with "Content-Type: application/json"';

/** Fastify's and Mercurius's refusals of the HTTP request itself, by error code: what the caller should send instead. */
const MISTAKES: Record<string, (contentType: string) => string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () => `The request body is not valid JSON: send {"query": "...", "variables": {...}}.`,
  FST_ERR_CTP_EMPTY_JSON_BODY: () => `The request body is empty: send ${REQUEST_SHAPE}.`,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => 'The request body does not have the length its Content-Length header says: send the whole body.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (contentType) => `Send the GraphQL request as JSON with "Content-Type: application/json" (got ${contentType || 'none'}).`,
  FST_ERR_CTP_BODY_TOO_LARGE: () => 'The request body is larger than 1 MiB: send the bytes of a file to its uploadUrl, never in a GraphQL request.',
  FST_ERR_VALIDATION: () => `Send one GraphQL request as a JSON object, ${REQUEST_SHAPE}; batches are not accepted.`,
  MER_ERR_GQL_PERSISTED_QUERY_NOT_FOUND: () => `The request has no "query": send ${REQUEST_SHAPE}.`,
};

export interface RefusedRequest extends ExecutionResult {
  /** The HTTP status Fastify chose for a mistake in the request itself (400, 413, 415). */
  statusCode?: number;
}

/**
 * What the caller is told when nothing executed. A request without a verified token is refused as
 * UNAUTHENTICATED whatever else is wrong with it (SPEC §4: nothing else happens), also when its body
 * never parsed. A mistake in the HTTP request itself becomes a VALIDATION_ERROR saying what to send,
 * instead of an INTERNAL error logged with a stack: it is the caller's to fix, not the service's.
 */
export function refusedRequest(execution: ExecutionResult, context: RequestContext, contentType: string | undefined): RefusedRequest {
  if (execution.data !== undefined) return execution;
  const unauthenticated = authenticationRefusal(context);
  if (unauthenticated) return { errors: [unauthenticated] };
  const refusal = execution.errors?.length === 1 ? requestError(execution.errors[0]!) : undefined;
  const describe = typeof refusal?.code === 'string' ? MISTAKES[refusal.code] : undefined;
  if (!refusal || !describe) return execution;
  const mistake = new AssetError('VALIDATION_ERROR', describe(contentType ?? ''));
  return { errors: [new GraphQLError(mistake.message, { originalError: mistake })], statusCode: refusal.statusCode };
}

interface FrameworkError {
  code?: unknown;
  statusCode?: number;
  errors?: FrameworkError[];
}

// Mercurius wraps the body's schema validation error (FST_ERR_VALIDATION) in MER_ERR_GQL_VALIDATION, as it wraps a query's.
function requestError(error: GraphQLError): FrameworkError | undefined {
  const original = error.originalError as FrameworkError | undefined;
  const [inner, ...others] = original?.code === 'MER_ERR_GQL_VALIDATION' ? (original.errors ?? []) : [];
  return inner?.code === 'FST_ERR_VALIDATION' && others.length === 0 ? inner : original;
}

function authenticationRefusal(context: RequestContext): GraphQLError | undefined {
  try {
    authenticated(context);
    return undefined;
  } catch (error) {
    return new GraphQLError((error as Error).message, { originalError: error as Error });
  }
}
