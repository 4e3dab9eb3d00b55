import { describeError, NetworkError } from './errors.js';
import type { UploadBody } from './upload-body.js';

/** One PUT of the bytes to a presigned URL. */
export interface PutRequest {
  url: string;
  headers: Record<string, string>;
  body: UploadBody;
  signal?: AbortSignal;
  /** Bytes sent so far. */
  onProgress?: (loaded: number) => void;
}

/** Storage's answer, whatever the status: the caller decides what a 403 or a 5xx means. */
export interface PutResponse {
  status: number;
  body: string;
}

export type PutTransport = (request: PutRequest) => Promise<PutResponse>;

/** Browsers: XMLHttpRequest, the one browser API that reports upload progress. Elsewhere: streaming fetch. */
export function defaultPutTransport(fetchImpl: typeof fetch): PutTransport {
  return typeof XMLHttpRequest === 'function' ? xhrPut : fetchPut(fetchImpl);
}

/**
 * Streams the body (Node's fetch, undici, sends a stream with the given Content-Length rather than
 * chunked, which storage would refuse: the length is signed) and reports each chunk as it is taken.
 */
export function fetchPut(fetchImpl: typeof fetch): PutTransport {
  return async ({ url, headers, body, signal, onProgress }) => {
    let loaded = 0;
    const counted = body.stream().pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          controller.enqueue(chunk);
          loaded += chunk.byteLength;
          onProgress?.(loaded);
        },
      }),
    );
    const init = { method: 'PUT', headers: { ...headers, 'content-length': String(body.size) }, body: counted, signal, duplex: 'half' };
    const response = await fetchImpl(url, init as RequestInit).catch((error: unknown) => {
      throw signal?.aborted ? signal.reason : new NetworkError('NETWORK_ERROR', `Storage could not be reached: ${describeError(error)}.`);
    });
    return { status: response.status, body: await response.text() };
  };
}

export const xhrPut: PutTransport = ({ url, headers, body, signal, onProgress }) =>
  new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => onProgress?.(event.loaded);
    xhr.onload = () => resolve({ status: xhr.status, body: xhr.responseText });
    // Browsers hide the cause (a refused connection, a CORS rule missing on the bucket) from scripts.
    xhr.onerror = () => reject(new NetworkError('NETWORK_ERROR', 'Storage could not be reached (network error, or the bucket has no CORS rule for this origin).'));
    xhr.onabort = () => reject(signal?.reason ?? new NetworkError('NETWORK_ERROR', 'The upload was aborted.'));
    const abort = () => xhr.abort();
    signal?.addEventListener('abort', abort, { once: true });
    // A long-lived signal (one per page, say) must not keep every finished request alive.
    xhr.onloadend = () => signal?.removeEventListener('abort', abort);
    xhr.send(body.xhrBody() as XMLHttpRequestBodyInit);
  });
