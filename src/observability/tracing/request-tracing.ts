import { trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import { rootField } from '../../http/metrics-routes.js';

/**
 * Names the HTTP server span of each request (made by the http instrumentation) after its route,
 * and a GraphQL request's after its operation ("mutation createAssetUpload"), so traces can be
 * found by what was asked rather than by POST /graphql.
 */
export function traceRequests(app: FastifyInstance): void {
  // A callback hook: it runs for every request and has nothing to wait for.
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    if (route !== undefined) trace.getActiveSpan()?.setAttribute('http.route', route).updateName(`${request.method} ${route}`);
    done();
  });
  app.graphql.addHook('preExecution', async (_schema, document) => {
    const operation = describeOperation(document);
    trace
      .getActiveSpan()
      ?.setAttributes({ 'graphql.operation.type': operation.type, 'graphql.operation.name': operation.name })
      .updateName(`${operation.type} ${operation.field}`);
  });
}

/** The span is named by the root field (createAssetUpload, asset, ...): the client's operation name is free text, kept as an attribute. */
function describeOperation(document: DocumentNode): { type: string; field: string; name: string } {
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  const field = rootField(document);
  return { type: operation?.operation ?? 'query', field, name: operation?.name?.value ?? field };
}
