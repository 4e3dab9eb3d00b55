import { GraphQLError, type ExecutionResult } from 'graphql';
import { AssetError } from '../domain/errors.js';
import { authenticated, type RequestContext } from '../graphql/context.js';

const REQUEST_SHAPE = '{"query": "...", "variables": {...}} with "Content-Type: application/json"';

/** The request as far as a mistake's description needs it. */
interface RequestLine {
  method: string;
  contentType: string | undefined;
}

interface FrameworkError {
  code?: unknown;
  statusCode?: number;
  message?: string;
  errors?: FrameworkError[];
  validation?: { instancePath?: string; keyword?: string }[];
}

const MAX_ECHO = 60;

/** Fastify's and Mercurius's refusals of the HTTP request itself, by error code: what the caller should send instead. */
const MISTAKES: Record<string, (error: FrameworkError, request: RequestLine) => string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () => `The request body is not valid JSON: send {"query": "...", "variables": {...}}.`,
  FST_ERR_CTP_EMPTY_JSON_BODY: () => `The request body is empty: send ${REQUEST_SHAPE}.`,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => 'The request body does not have the length its Content-Length header says: send the whole body.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (_, { contentType }) =>
    `Send the GraphQL request as JSON with "Content-Type: application/json" (got ${contentType ? contentType.slice(0, MAX_ECHO) : 'none'}).`,
  FST_ERR_CTP_BODY_TOO_LARGE: () => 'The request body is larger than 1 MiB: send the bytes of a file to its uploadUrl, never in a GraphQL request.',
  FST_ERR_VALIDATION: (error) =>
    isWholeBodyOfWrongType(error)
      ? `Send one GraphQL request as a JSON object, ${REQUEST_SHAPE}: not a list of requests (batches are not accepted) nor a bare value.`
      : `The request is not shaped as a GraphQL request (${error.message ?? 'invalid'}): send ${REQUEST_SHAPE}, "variables" a JSON object.`,
  // Mercurius marks a GET parameter that does not parse as JSON with its query-validation code, without inner errors.
  MER_ERR_GQL_VALIDATION: () => 'The "variables" or "extensions" parameter is not valid JSON: URL-encode a JSON object.',
  MER_ERR_GQL_PERSISTED_QUERY_NOT_FOUND: (_, { method }) =>
    method === 'GET' ? 'The request has no "query": add ?query=<URL-encoded GraphQL>, or POST it as JSON.' : `The request has no "query": send ${REQUEST_SHAPE}.`,
};

// An array (a batch) or a bare value where the body's object belongs, as opposed to a field of the wrong type.
function isWholeBodyOfWrongType(error: FrameworkError): boolean {
  const [first] = error.validation ?? [];
  return first?.instancePath === '' && first.keyword === 'type';
}

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
export function refusedRequest(execution: ExecutionResult, context: RequestContext, request: RequestLine): RefusedRequest {
  if (execution.data !== undefined) return execution;
  const unauthenticated = authenticationRefusal(context);
  if (unauthenticated) return { errors: [unauthenticated] };
  const refusal = execution.errors?.length === 1 ? requestError(execution.errors[0]!) : undefined;
  const describe = typeof refusal?.code === 'string' ? MISTAKES[refusal.code] : undefined;
  if (!refusal || !describe) return execution;
  const mistake = new AssetError('VALIDATION_ERROR', describe(refusal, request));
  return { errors: [new GraphQLError(mistake.message, { originalError: mistake })], statusCode: refusal.statusCode };
}

/**
 * The framework's error behind a GraphQL one. Mercurius wraps a query's own syntax and validation errors
 * in MER_ERR_GQL_VALIDATION (they are no request mistake: left as they are), and the body's schema
 * error (FST_ERR_VALIDATION) the same way.
 */
function requestError(error: GraphQLError): FrameworkError | undefined {
  const original = error.originalError as FrameworkError | undefined;
  if (original?.code !== 'MER_ERR_GQL_VALIDATION' || !original.errors) return original;
  const [inner, ...others] = original.errors;
  return inner?.code === 'FST_ERR_VALIDATION' && others.length === 0 ? inner : undefined;
}

function authenticationRefusal(context: RequestContext): GraphQLError | undefined {
  try {
    authenticated(context);
    return undefined;
  } catch (error) {
    return new GraphQLError((error as Error).message, { originalError: error as Error });
  }
}
