import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { StorageConfig } from '../../config/storage-config.js';
import { SOURCE_ETAG_METADATA } from './copy-decision.js';
import { cleanEtag, isContentMd5, StreamDigest } from './etag.js';
import type { ListedObject } from './listing.js';

export interface Endpoint {
  client: S3Client;
  bucket: string;
  /** The store's settings, to explain a failure (which endpoint, which fix). */
  storage: StorageConfig;
}

export interface CopyOptions {
  partSize: number;
  signal?: AbortSignal;
  /** Called with each chunk's size as it streams through. */
  onBytes?: (bytes: number) => void;
}

/**
 * Streams one object from source to destination (GetObject body straight into an Upload, which
 * switches to multipart above `partSize`), hashing it on the way, then checks what the destination
 * stored. A copy that does not verify is deleted again, so that the next run copies it anew.
 */
export async function copyObject(source: Endpoint, destination: Endpoint, object: ListedObject, options: CopyOptions): Promise<void> {
  const got = await source.client.send(
    // IfMatch: the bytes must be those listed; an object replaced meanwhile fails here and is copied by the next run.
    new GetObjectCommand({ Bucket: source.bucket, Key: object.key, IfMatch: object.etag ? `"${object.etag}"` : undefined }),
    { abortSignal: options.signal },
  );
  const digest = new StreamDigest(options.partSize, options.onBytes);
  pipeline(got.Body as Readable, digest, () => undefined); // errors reach the Upload through the digest stream
  // A failed upload stops reading too (destroying the digest ends the pipeline), so no source connection is left open.
  const storedEtag = await upload(destination, object, got, digest, options).catch((error: unknown) => {
    digest.destroy();
    throw error;
  });
  const problem = await verify(destination, object, got, digest, storedEtag);
  if (problem) {
    await destination.client.send(new DeleteObjectCommand({ Bucket: destination.bucket, Key: object.key })).catch(() => undefined);
    throw new Error(`verification failed: ${problem}`);
  }
}

/** Returns the ETag the destination reported for what it stored (empty where a store omits it). */
async function upload(destination: Endpoint, object: ListedObject, got: GetObjectCommandOutput, body: StreamDigest, options: CopyOptions): Promise<string | undefined> {
  const abortController = new AbortController();
  const abort = () => abortController.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    const stored = await new Upload({
      client: destination.client,
      partSize: options.partSize,
      queueSize: 4,
      leavePartsOnError: false,
      abortController,
      params: {
        Bucket: destination.bucket,
        Key: object.key,
        Body: body,
        ContentLength: object.size,
        ContentType: got.ContentType,
        CacheControl: got.CacheControl,
        ContentDisposition: got.ContentDisposition,
        ContentEncoding: got.ContentEncoding,
        ContentLanguage: got.ContentLanguage,
        Metadata: { ...got.Metadata, [SOURCE_ETAG_METADATA]: object.etag },
      },
    }).done();
    return stored.ETag;
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}

/**
 * The ETag the destination computed over what it stored must equal the MD5(s) computed while
 * streaming: that proves the bytes (and so the size) without another request. Only when the store
 * reported no ETag (Ceph after a multipart upload) does a HEAD of the copy decide.
 */
async function verify(destination: Endpoint, object: ListedObject, got: GetObjectCommandOutput, digest: StreamDigest, storedEtag: string | undefined): Promise<string | undefined> {
  if (isContentMd5(object.etag) && digest.md5() !== object.etag) return `the bytes read do not match the source ETag ${object.etag}`;
  const expected = digest.expectedEtag();
  if (cleanEtag(storedEtag)) return cleanEtag(storedEtag) === expected ? undefined : `destination ETag ${cleanEtag(storedEtag)} is not the ${expected} of the bytes sent`;
  const head = await destination.client.send(new HeadObjectCommand({ Bucket: destination.bucket, Key: object.key }));
  if (head.ContentLength !== object.size) return `destination holds ${head.ContentLength} bytes, source ${object.size}`;
  if (got.ContentType && head.ContentType !== got.ContentType) return `destination Content-Type ${head.ContentType}, source ${got.ContentType}`;
  if (cleanEtag(head.ETag) !== expected) return `destination ETag ${cleanEtag(head.ETag)} is not the ${expected} of the bytes sent`;
  return undefined;
}
