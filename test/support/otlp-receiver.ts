import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from './eventually.js';

/** A span as the tests read it: an OTLP/JSON span with its attributes flattened, and its resource's. */
export interface ReceivedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  kind: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}

interface OtlpJsonExport {
  resourceSpans: { resource?: { attributes?: OtlpAttribute[] }; scopeSpans: { spans: (Omit<ReceivedSpan, 'attributes' | 'resource'> & { attributes?: OtlpAttribute[] })[] }[] }[];
}

/** The receiving end of an OTLP/HTTP exporter, as an OpenTelemetry Collector would be: keeps what is posted to /v1/traces. */
export class OtlpReceiver {
  /** Spans of OTLP/JSON exports. */
  readonly spans: ReceivedSpan[] = [];
  /** Every export, whatever its encoding: its content type, its headers and raw body. */
  readonly exports: { contentType: string; headers: IncomingHttpHeaders; body: Buffer }[] = [];
  private server?: Server;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.receive(req).then(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}')));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return this;
  }

  /** What OTEL_EXPORTER_OTLP_ENDPOINT is set to. */
  get endpoint(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Resolves once a received span satisfies `predicate` (spans are exported in batches, a few seconds apart at most). */
  async waitForSpan(predicate: (span: ReceivedSpan) => boolean, timeoutMs = 15_000): Promise<ReceivedSpan> {
    const span = await eventually(() => this.spans.find(predicate), () => `such a span; received: ${this.spans.map((s) => s.name).join(', ')}`, { timeoutMs });
    return span!;
  }

  private async receive(req: IncomingMessage): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const contentType = req.headers['content-type'] ?? '';
    this.exports.push({ contentType, headers: req.headers, body });
    if (req.url === '/v1/traces' && contentType.startsWith('application/json')) this.spans.push(...flatten(JSON.parse(body.toString()) as OtlpJsonExport));
  }
}

function flatten(payload: OtlpJsonExport): ReceivedSpan[] {
  return payload.resourceSpans.flatMap(({ resource, scopeSpans }) =>
    scopeSpans.flatMap(({ spans }) => spans.map((span) => ({ ...span, attributes: attributeMap(span.attributes), resource: attributeMap(resource?.attributes) }))),
  );
}

function attributeMap(attributes: OtlpAttribute[] = []): Record<string, unknown> {
  return Object.fromEntries(attributes.map(({ key, value }) => [key, Object.values(value)[0]]));
}
