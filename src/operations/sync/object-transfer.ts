import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { SignatureV4 } from '@smithy/signature-v4';
import type { StorageConfig } from '../../config/storage-config.js';
import { objectLocation } from '../../storage/object-url.js';

/** An S3 error answer, shaped like the SDK's errors so that errorName() and explain() read it the same way. */
export class S3HttpError extends Error {
  readonly $metadata: { httpStatusCode: number };

  constructor(
    readonly Code: string,
    message: string,
    status: number,
  ) {
    super(message);
    this.name = Code;
    this.$metadata = { httpStatusCode: status };
  }
}

/**
 * GetObject and PutObject of single objects as plain keep-alive HTTP requests signed with the SDK's
 * SigV4 signer. This is the hot path of a sync (one GET and one PUT per small object): the SDK's
 * middleware stack costs 2-3 ms of CPU per request, this about 0.5 ms, and on a store that shares
 * the machine's cores every millisecond of ours is one the store does not get.
 */
export class ObjectTransfer {
  private readonly signer: SignatureV4;
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;

  constructor(
    private readonly storage: StorageConfig,
    maxSockets: number,
  ) {
    this.signer = new SignatureV4({ service: 's3', region: storage.region, credentials: { accessKeyId: storage.accessKey, secretAccessKey: storage.secret }, sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
    this.agent = storage.useHttps ? new HttpsAgent({ keepAlive: true, maxSockets }) : new HttpAgent({ keepAlive: true, maxSockets });
    this.request = storage.useHttps ? httpsRequest : httpRequest;
  }

  /** The object's response, body unread; fails on any answer but 200 (412 when `ifMatch` no longer matches). */
  get(bucket: string, key: string, ifMatch: string, signal?: AbortSignal): Promise<IncomingMessage> {
    return this.send('GET', bucket, key, ifMatch ? { 'if-match': `"${ifMatch}"` } : {}, undefined, signal);
  }

  /** Streams `body` (exactly content-length bytes, given in `headers`) into the object; returns the ETag the store reported. */
  async put(bucket: string, key: string, headers: OutgoingHttpHeaders, body: Readable, signal?: AbortSignal): Promise<string | undefined> {
    const response = await this.send('PUT', bucket, key, headers, body, signal);
    response.resume();
    return response.headers.etag;
  }

  destroy(): void {
    this.agent.destroy();
  }

  private async send(method: string, bucket: string, key: string, headers: OutgoingHttpHeaders, body: Readable | undefined, signal: AbortSignal | undefined): Promise<IncomingMessage> {
    const { protocol, hostname, port, path } = objectLocation(this.storage, bucket, key);
    const signed = await this.signer.sign({
      method,
      protocol,
      hostname,
      port,
      path,
      query: {},
      // The body is streamed, so it is not hashed for the signature; our own MD5 verifies it instead.
      headers: { ...stringHeaders(headers), host: hostWithPort(hostname, port, this.storage.useHttps), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    return new Promise((resolve, reject) => {
      const outgoing = this.request({ agent: this.agent, method, hostname, port, path, headers: signed.headers, signal, timeout: this.storage.timeoutMs }, (response) => {
        if ((response.statusCode ?? 0) < 300) return resolve(response);
        // An error can come before the whole body was sent: the connection is not reused.
        void s3Error(response).then(reject, reject).finally(() => outgoing.destroy());
      });
      outgoing.on('timeout', () => outgoing.destroy(Object.assign(new Error(`no answer within ${this.storage.timeoutMs} ms`), { name: 'TimeoutError' })));
      outgoing.on('error', reject);
      if (body) {
        body.on('error', (error) => outgoing.destroy(error));
        body.pipe(outgoing);
      } else {
        outgoing.end();
      }
    });
  }
}

function hostWithPort(host: string, port: number, https: boolean): string {
  return port === (https ? 443 : 80) ? host : `${host}:${port}`;
}

function stringHeaders(headers: OutgoingHttpHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
}

/** Reads the XML error answer (<Code>, <Message>); a HEAD-like answer without body falls back to the status. */
async function s3Error(response: IncomingMessage): Promise<S3HttpError> {
  const status = response.statusCode ?? 0;
  let xml = '';
  for await (const chunk of response) xml += chunk;
  const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
  return new S3HttpError(field('Code') ?? `Http${status}`, field('Message') ?? `HTTP ${status} ${response.statusMessage ?? ''}`.trim(), status);
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

/** The hash the SDK signer expects (a class, async digest), on node:crypto. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }

  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
