import type { OutgoingHttpHeaders } from 'node:http';
import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { StorageConfig } from '../../config/storage-config.js';
import { asPutObjectFields, copiedHeaders } from './copied-headers.js';
import { cleanEtag } from '../../storage/etag.js';
import { isContentMd5, StreamDigest } from './etag.js';
import type { ListedObject } from './listing.js';
import { partSizeFor, uploadMultipart } from './multipart-upload.js';
import type { ObjectTransfer } from './object-transfer.js';

export interface Endpoint {
  client: S3Client;
  bucket: string;
  /** The store's settings, to explain a failure (which endpoint, which fix). */
  storage: StorageConfig;
  /** The prefix its STORAGE_* settings were read under (e.g. "SRC_"), to name them in a message. */
  settingsPrefix?: string;
}

/** An endpoint with the lean HTTP path to its store, which carries the object bodies. */
export interface TransferEndpoint extends Endpoint {
  transfer: ObjectTransfer;
}

export interface CopyOptions {
  partSize: number;
  signal?: AbortSignal;
  /** Called with each chunk's size as it streams through. */
  onBytes?: (bytes: number) => void;
}

/**
 * Streams one object from source to destination (the GET body straight into one PUT, or into a
 * multipart upload above `partSize`), hashing it on the way, then checks what the destination
 * stored. A copy that does not verify is deleted again, so that the next run copies it anew.
 */
export async function copyObject(source: TransferEndpoint, destination: TransferEndpoint, object: ListedObject, options: CopyOptions): Promise<void> {
  const whole = object.size <= options.partSize;
  const partSize = partSizeFor(object.size, options.partSize);
  // If-Match: the bytes must be those listed; an object replaced meanwhile fails here and is copied by the next run.
  const got = await source.transfer.get(source.bucket, object.key, object.etag, options.signal);
  // One PUT's ETag is the MD5 of the whole: per-part MD5s are computed only for a multipart upload.
  const digest = new StreamDigest(whole ? undefined : partSize, options.onBytes);
  // pipe() rather than pipeline(): pipeline's bookkeeping cost more CPU per object than the copy of a small one.
  got.on('error', (error) => digest.destroy(error)); // a failed read reaches the upload through the digest stream
  // A multipart upload starts reading only once the store created it: a read failing (or aborted) before
  // then must not be an unhandled 'error'. The reader still meets it, as the stream stays errored.
  digest.on('error', () => undefined);
  got.pipe(digest);
  const headers = copiedHeaders(got.headers, object.etag, object.size);
  const store = whole ? putWhole : uploadInParts;
  // A failed upload stops reading too, so no source connection is left open.
  const storedEtag = await store(destination, object.key, headers, digest, { ...options, partSize }).catch((error: unknown) => {
    got.destroy();
    digest.destroy();
    throw error;
  });
  const problem = await verify(destination, object, headers, digest, storedEtag);
  if (problem) {
    await destination.client.send(new DeleteObjectCommand({ Bucket: destination.bucket, Key: object.key })).catch(() => undefined);
    throw new Error(`verification failed: ${problem}`);
  }
}

/** One streamed PUT: no buffering, no SDK middleware. Returns the ETag the destination reported. */
function putWhole(destination: TransferEndpoint, key: string, headers: OutgoingHttpHeaders, body: StreamDigest, options: CopyOptions): Promise<string | undefined> {
  return destination.transfer.put(destination.bucket, key, headers, body, options.signal);
}

// Bytes of parts uploading at once per object: four default (8 MiB) parts; larger parts go fewer at a time, at least one.
const PARTS_IN_FLIGHT_BYTES = 32 * 1024 * 1024;

/**
 * Multipart, up to four parts at a time (fewer when they are large: each is held in memory while it
 * uploads); returns the ETag the destination reported (Ceph reports none).
 */
function uploadInParts(destination: TransferEndpoint, key: string, headers: OutgoingHttpHeaders, body: StreamDigest, options: CopyOptions): Promise<string | undefined> {
  const params = { Bucket: destination.bucket, Key: key, ...asPutObjectFields(headers) };
  return uploadMultipart(destination.client, params, body, { partSize: options.partSize, queueSize: partsInFlight(options.partSize), signal: options.signal });
}

/** How many parts of `partSize` upload at once for one object. */
export function partsInFlight(partSize: number): number {
  return Math.min(4, Math.max(1, Math.floor(PARTS_IN_FLIGHT_BYTES / partSize)));
}

/**
 * The ETag the destination computed over what it stored must equal the MD5(s) computed while
 * streaming: that proves the bytes (and so the size) without another request. Only when the store
 * reported no ETag (Ceph after a multipart upload) does a HEAD of the copy decide.
 */
async function verify(destination: Endpoint, object: ListedObject, headers: OutgoingHttpHeaders, digest: StreamDigest, storedEtag: string | undefined): Promise<string | undefined> {
  if (digest.bytes !== object.size) return `read ${digest.bytes} bytes, the source listed ${object.size}`;
  if (isContentMd5(object.etag) && digest.md5() !== object.etag) return `the bytes read do not match the source ETag ${object.etag}`;
  const expected = digest.expectedEtag();
  if (cleanEtag(storedEtag)) return cleanEtag(storedEtag) === expected ? undefined : `destination ETag ${cleanEtag(storedEtag)} is not the ${expected} of the bytes sent`;
  const head = await destination.client.send(new HeadObjectCommand({ Bucket: destination.bucket, Key: object.key }));
  const contentType = headers['content-type'];
  if (head.ContentLength !== object.size) return `destination holds ${head.ContentLength} bytes, source ${object.size}`;
  if (contentType && head.ContentType !== contentType) return `destination Content-Type ${head.ContentType}, source ${String(contentType)}`;
  if (cleanEtag(head.ETag) !== expected) return `destination ETag ${cleanEtag(head.ETag)} is not the ${expected} of the bytes sent`;
  return undefined;
}
