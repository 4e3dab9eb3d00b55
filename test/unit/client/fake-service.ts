import { createHash } from 'node:crypto';

/** A request the client made, as the fake service saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** GraphQL operation name (CreateAssetUpload, ...) or PUT for the upload to storage. */
  operation: string;
  variables: Record<string, any>;
  body: Buffer;
}

type Answer = Response | Error;
type Handler = (request: SeenRequest) => Answer;

export const UPLOAD_URL = 'https://storage.test/bucket/attachments/a1?X-Amz-Signature=sig';
export const ASSET_ID = '0190f1d2-0000-7000-8000-000000000001';

/**
 * The service and storage behind a fake fetch: by default a happy upload flow; tests queue other
 * answers per operation (one per call, then back to the default) and read every request back.
 */
export class FakeService {
  readonly requests: SeenRequest[] = [];
  private readonly queued = new Map<string, Handler[]>();

  /** The next calls of `operation` get these answers, in order. */
  answer(operation: string, ...answers: (Answer | Handler)[]): this {
    const handlers = answers.map((a) => (typeof a === 'function' ? a : () => a));
    this.queued.set(operation, [...(this.queued.get(operation) ?? []), ...handlers]);
    return this;
  }

  calls(operation: string): SeenRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  readonly fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const body = init.body ? Buffer.from(await new Response(init.body as BodyInit).arrayBuffer()) : Buffer.alloc(0);
    const method = init.method ?? 'GET';
    const json = method === 'POST' ? JSON.parse(body.toString('utf8')) : undefined;
    const request: SeenRequest = {
      method,
      url: String(input),
      headers: Object.fromEntries(new Headers(init.headers).entries()),
      operation: json ? (/^(?:query|mutation) (\w+)/.exec(json.query)?.[1] ?? 'unknown') : method,
      variables: json?.variables ?? {},
      body,
    };
    this.requests.push(request);
    const answer = (this.queued.get(request.operation)?.shift() ?? ((r: SeenRequest) => defaultAnswer(r)))(request);
    if (answer instanceof Error) throw answer;
    return answer;
  }) as typeof fetch;
}

export function asset(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: ASSET_ID,
    ownerId: 'alice',
    namespace: 'attachments',
    visibility: 'PRIVATE',
    storageKey: 'attachments/alice/a1',
    mimeType: 'text/plain',
    sizeBytes: 11,
    checksum: null,
    originalFilename: 'notes.txt',
    status: 'PENDING',
    failureReason: null,
    publicUrl: null,
    downloadUrl: null,
    idempotencyKey: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function data(value: Record<string, unknown>): Response {
  return Response.json({ data: value });
}

export function graphQLError(code: string, message = `${code} happened`, extensions: Record<string, unknown> = {}): Response {
  return Response.json({ data: null, errors: [{ message, extensions: { code, ...extensions } }] });
}

/** What Node's fetch throws when nothing answers. */
export function connectionRefused(): Error {
  return new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 10.0.0.1:443') });
}

export function s3Error(status: number, code: string, message: string): Response {
  return new Response(`<?xml version="1.0"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`, { status });
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function defaultAnswer(request: SeenRequest): Response {
  const input = request.variables.input ?? {};
  switch (request.operation) {
    case 'CreateAssetUpload':
      return data({
        createAssetUpload: {
          ...asset({ mimeType: input.mimeType, sizeBytes: input.sizeBytes, checksum: input.checksum, originalFilename: input.filename, idempotencyKey: input.idempotencyKey }),
          uploadUrl: UPLOAD_URL,
          uploadExpiresAt: new Date(Date.now() + 900_000).toISOString(),
          uploadHeaders: [
            { name: 'Content-Type', value: input.mimeType },
            { name: 'x-amz-checksum-sha256', value: Buffer.from(input.checksum, 'hex').toString('base64') },
          ],
        },
      });
    case 'PUT':
      return new Response(null, { status: 200 });
    case 'ConfirmAssetUpload':
      return data({ confirmAssetUpload: asset({ status: 'READY', downloadUrl: 'https://storage.test/get' }) });
    default:
      throw new Error(`the fake service has no default answer for ${request.operation}`);
  }
}
