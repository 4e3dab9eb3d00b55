import { Agent as HttpAgent, type ClientRequest, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import type { StorageConfig } from '../../config/storage-config.js';
import { hostHeader, objectLocation } from '../../storage/object-url.js';
import { SigV4HeaderSigner } from '../../storage/sigv4-header-signer.js';

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
 * GetObject and PutObject of single objects as plain keep-alive HTTP requests, SigV4-signed with
 * the day's signing key cached. This is the hot path of a sync (one GET and one PUT per small object): the SDK's
 * middleware stack costs 2-3 ms of CPU per request, this about 0.5 ms, and on a store that shares
 * the machine's cores every millisecond of ours is one the store does not get.
 */
export class ObjectTransfer {
  private readonly signer: SigV4HeaderSigner;
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;

  constructor(
    private readonly storage: StorageConfig,
    maxSockets: number,
  ) {
    this.signer = new SigV4HeaderSigner(storage.accessKey, storage.secret, storage.region);
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

  private send(method: string, bucket: string, key: string, headers: OutgoingHttpHeaders, body: Readable | undefined, signal: AbortSignal | undefined): Promise<IncomingMessage> {
    const { hostname, port, path } = objectLocation(this.storage, bucket, key);
    // The body is streamed, so it is not hashed for the signature; our own MD5 verifies it instead.
    const signed = this.signer.sign({ method, path, headers: { ...stringHeaders(headers), host: hostHeader(this.storage, hostname) } });
    return new Promise((resolve, reject) => {
      const outgoing = this.request({ agent: this.agent, method, hostname, port, path, headers: signed, timeout: this.storage.timeoutMs }, (response) => {
        if ((response.statusCode ?? 0) < 300) return resolve(response);
        // An error can come before the whole body was sent: the connection is not reused.
        void s3Error(response).then(reject, reject).finally(() => outgoing.destroy());
      });
      outgoing.on('timeout', () => outgoing.destroy(Object.assign(new Error(`no answer within ${this.storage.timeoutMs} ms`), { name: 'TimeoutError' })));
      outgoing.on('error', reject);
      if (signal) abortOn(signal, outgoing, body !== undefined);
      if (body) {
        body.on('error', (error) => outgoing.destroy(error));
        body.pipe(outgoing);
      } else {
        outgoing.end();
      }
    });
  }
}

/**
 * Destroys the request when the signal fires. request()'s own `signal` option does the same through
 * addAbortSignal(), whose end-of-stream watching cost ~35 µs of CPU per request.
 * A request whose body was sent whole (`untilSent`) is no longer aborted: the store stores it
 * anyway, so its answer is awaited and the copy verified and counted like any other.
 */
function abortOn(signal: AbortSignal, outgoing: ClientRequest, untilSent: boolean): void {
  const abort = () => outgoing.destroy(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }));
  if (signal.aborted) {
    abort();
    return;
  }
  signal.addEventListener('abort', abort, { once: true });
  const stopListening = () => signal.removeEventListener('abort', abort);
  outgoing.once('close', stopListening);
  if (untilSent) outgoing.once('finish', stopListening);
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
