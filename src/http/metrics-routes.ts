import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import type { Metrics } from '../observability/metrics.js';

const OPERATION = Symbol('graphqlOperation');
type LabelledRequest = FastifyRequest & { [OPERATION]?: string };

/**
 * GET /metrics in Prometheus format, and a latency histogram per GraphQL operation. The label is the
 * root field (createAssetUpload, asset, ...), taken from the parsed document, so clients cannot
 * inflate the label set with made-up operation names.
 */
export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.get('/metrics', async (_, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  app.graphql.addHook('preExecution', async (_schema, document, context) => {
    (context.reply.request as LabelledRequest)[OPERATION] = rootField(document);
  });
  app.addHook('onResponse', async (request, reply) => {
    const operation = (request as LabelledRequest)[OPERATION] ?? request.routeOptions.url ?? 'unknown';
    metrics.requestDuration.observe({ operation, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}

export function rootField(document: DocumentNode): string {
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  const first = operation?.selectionSet.selections[0];
  return first?.kind === 'Field' ? first.name.value : 'unknown';
}
