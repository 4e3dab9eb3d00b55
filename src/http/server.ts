import cors from '@fastify/cors';
import { mercuriusFederationPlugin } from '@mercuriusjs/federation';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { ISSUER_RETRY_AFTER_SECONDS } from '../auth/issuer-unavailable.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { AssetService } from '../domain/asset-service.js';
import { authenticated, buildContext, type RequestContext } from '../graphql/context.js';
import { limitRepresentations } from '../graphql/entity-reference.js';
import { formatError, statusFor, unwrapQueryErrors } from '../graphql/error-formatter.js';
import { explainTokenLimit, MAX_TOKENS, operationLimits, refuseUnparsedDocument } from '../graphql/operation-limits.js';
import { buildResolvers } from '../graphql/resolvers.js';
import { schema } from '../graphql/schema.js';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import { type ConsoleOptions, registerConsole } from './console-route.js';
import { type HealthChecks, registerHealthRoutes } from './health.js';
import { lazyRequestLoggers } from './lazy-request-logger.js';
import { registerMetrics } from './metrics-routes.js';
import { refusedRequest } from './request-mistakes.js';

export interface ServerDeps {
  service: AssetService;
  verifier: TokenVerifier;
  health: HealthChecks;
  logger: Logger;
  metrics: Metrics;
  corsAllowedOrigins: string[];
  /** The web console at /console, when enabled. */
  console?: ConsoleOptions;
}

/** Assembles the HTTP surface: /graphql (+ /graphiql) and the health endpoints. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Per-request access logs would cost more than the request itself on the hot path; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyRequestLoggers,
    genReqId: (req) => (typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'].slice(0, 128) : randomUUID()),
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
  });
  // Fastify parses text/plain by default: a GraphQL body sent as such would be refused as malformed JSON
  // shape (400) instead of for its Content-Type (415), which is the mistake to fix.
  app.removeContentTypeParser('text/plain');
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // A callback hook, not an async one: it runs for every response, and needs no promise.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    // Requests still in flight at shutdown end their keep-alive connection, or close() would wait for it to idle out.
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  if (deps.corsAllowedOrigins.length > 0) await app.register(cors, { origin: deps.corsAllowedOrigins, maxAge: 600 });
  await app.register(mercuriusFederationPlugin, {
    schema,
    resolvers: buildResolvers(deps.service) as never,
    graphiql: true,
    jit: 1,
    // What one operation may ask for, refused before anything runs (validated once per query text, then
    // cached); the parser gives up on a text too long to be worth validating.
    validationRules: [operationLimits],
    graphql: { parseOptions: { maxTokens: MAX_TOKENS } },
    path: '/graphql',
    context: (request) => buildContext(deps.verifier, request),
    errorFormatter: (execution, context) => {
      const ctx = context as unknown as RequestContext & { reply: FastifyReply };
      const request = ctx.reply.request;
      const shown = refusedRequest(execution, ctx, { method: request.method, contentType: request.headers['content-type'] });
      const errors = unwrapQueryErrors(shown.errors ?? []).map((e) => formatError(explainTokenLimit(e), request.log, request.id));
      const statusCode = shown.statusCode ?? statusFor(shown);
      describeRefusal(ctx.reply, statusCode);
      return { statusCode, response: { data: shown.data ?? null, errors } };
    },
  });
  limitRepresentations(app.graphql.schema);
  registerHealthRoutes(app, deps.health);
  if (deps.console) await registerConsole(app, deps.console);
  registerMetrics(app, deps.metrics);
  // SPEC §4: every GraphQL call needs a verified token, also one that reads no asset (introspection, a
  // federation gateway's _service): without one it gets UNAUTHENTICATED and nothing else happens, not
  // even parsing or validation, whose messages would describe the schema to an anonymous caller.
  app.graphql.addHook('preParsing', async (_schema, _source, context) => {
    authenticated(context as unknown as RequestContext);
  });
  app.graphql.addHook('preValidation', async (_schema, document) => refuseUnparsedDocument(document));
  return app;
}

/** RFC 9110: a 401 names the scheme it wants, a 503 says when to come back. */
function describeRefusal(reply: FastifyReply, statusCode: number): void {
  if (statusCode === 401) reply.header('www-authenticate', 'Bearer');
  if (statusCode === 503) reply.header('retry-after', String(ISSUER_RETRY_AFTER_SECONDS));
}
