import { AssetsError } from './errors.js';

/** What `upload` accepts: a File or Blob (in Node also `fs.openAsBlob(path)`, read from disk as it is sent), or bytes. */
export type UploadData = Blob | ArrayBuffer | ArrayBufferView;

/** The bytes to upload, whatever form they came in, with what they say about themselves. */
export interface UploadBody {
  size: number;
  /** A Blob's own type, a File's own name: defaults for mimeType and filename. */
  type?: string;
  name?: string;
  bytes(): Promise<Uint8Array<ArrayBuffer>>;
  /** Sent in chunks, so that large bodies are streamed and progress can be reported. */
  stream(): ReadableStream<Uint8Array>;
  /** The body in the form XMLHttpRequest sends without copying. */
  xhrBody(): Blob | Uint8Array;
}

export function uploadBody(data: UploadData): UploadBody {
  if (typeof Blob !== 'undefined' && data instanceof Blob) return blobBody(data);
  if (data instanceof ArrayBuffer) return bytesBody(new Uint8Array(data));
  // A view of a SharedArrayBuffer is taken as it comes; WebCrypto then refuses it with its own message.
  if (ArrayBuffer.isView(data)) return bytesBody(new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength));
  throw new TypeError('upload() takes a Blob or File, an ArrayBuffer or a typed array (e.g. Uint8Array, Buffer).');
}

function blobBody(blob: Blob): UploadBody {
  return {
    size: blob.size,
    type: blob.type || undefined,
    name: 'name' in blob && typeof blob.name === 'string' ? blob.name : undefined,
    bytes: async () => new Uint8Array(await blob.arrayBuffer()),
    stream: () => blob.stream(),
    xhrBody: () => blob,
  };
}

const CHUNK_BYTES = 64 * 1024;

function bytesBody(bytes: Uint8Array<ArrayBuffer>): UploadBody {
  return {
    size: bytes.byteLength,
    bytes: async () => bytes,
    stream: () => {
      let offset = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (offset >= bytes.byteLength) return controller.close();
          controller.enqueue(bytes.subarray(offset, offset + CHUNK_BYTES));
          offset += CHUNK_BYTES;
        },
      });
    },
    xhrBody: () => bytes,
  };
}

/**
 * SHA-256 as lowercase hex, with WebCrypto (Node 20 and browsers alike). WebCrypto has no
 * incremental digest, so the body is read whole once; namespaces cap uploads at a few MiB.
 */
export async function sha256Hex(body: UploadBody): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new AssetsError(
      'UNSUPPORTED_ENVIRONMENT',
      'SHA-256 needs WebCrypto (crypto.subtle), which browsers only offer to secure pages: serve the page over https:// or from localhost.',
    );
  }
  const digest = new Uint8Array(await subtle.digest('SHA-256', await body.bytes()));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
