import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, type CopyObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { StorageConfig } from '../config/storage-config.js';
import type { CopyTarget, ObjectLocation, ObjectSample, ObjectStorage, SampleRequest, UploadTarget } from '../domain/ports.js';
import { readSample } from './object-sampler.js';
import { cleanEtag } from './etag.js';
import { encodeKey, publicObjectUrl } from './object-url.js';
import type { Presigner } from './presigner.js';
import { isMissingObject, isNotFound, isPreconditionFailed, storageUnavailable } from './storage-errors.js';

/** The lifecycle's view of storage, over any S3-compatible endpoint. */
export class S3ObjectStorage implements ObjectStorage {
  constructor(
    private readonly client: S3Client,
    private readonly presigner: Presigner,
    private readonly config: StorageConfig,
  ) {}

  presignUpload(target: UploadTarget): string {
    return this.presigner.presign({
      method: 'PUT',
      bucket: target.bucket,
      key: target.key,
      headers: target.headers,
      signedAt: target.signedAt,
      expiresInSeconds: target.expiresInSeconds,
    });
  }

  presignDownload(bucket: string, key: string, ttlSeconds: number): string {
    return this.presigner.presign({ method: 'GET', bucket, key, expiresInSeconds: ttlSeconds });
  }

  publicUrl(key: string): string {
    return publicObjectUrl(this.config, key);
  }

  /** One GET: ranged to the first bytes when that is all we need, the whole object streamed otherwise. */
  async sampleObject(bucket: string, key: string, request: SampleRequest): Promise<ObjectSample | null> {
    const whole = request.wholeBody || request.sha256;
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, Range: whole ? undefined : `bytes=0-${request.headBytes - 1}` }),
      );
      const body = object.Body as Readable;
      const sizeBytes = Number(/\/(\d+)$/.exec(object.ContentRange ?? '')?.[1] ?? object.ContentLength ?? 0);
      const contentType = object.ContentType;
      if (sizeBytes !== request.expected.sizeBytes || contentType !== request.expected.contentType) {
        body.destroy(); // not what was declared: no need to read a byte of it
        return { sizeBytes, contentType, head: new Uint8Array() };
      }
      return { ...(await readSample(body, request)), sizeBytes, contentType, etag: object.ETag };
    } catch (error) {
      // A missing bucket is the store's fault, not the uploader's: the asset must not fail for good over it.
      if (isMissingObject(error)) return null;
      throw storageUnavailable('read the uploaded object', error);
    }
  }

  /**
   * One server-side copy; the bytes never pass through the service. False when the source is gone or
   * no longer holds the bytes of `source.etag`: refused by the store (x-amz-copy-source-if-match), or
   * copied by a store that ignores that condition (Ceph 16) and seen in the ETag of the copy, which is
   * then deleted again.
   */
  async copyObject(source: ObjectLocation & { etag?: string }, target: CopyTarget): Promise<boolean> {
    let copied: CopyObjectCommandOutput;
    try {
      copied = await this.client.send(
        new CopyObjectCommand({
          Bucket: target.bucket,
          Key: target.key,
          CopySource: `${source.bucket}/${encodeKey(source.key)}`,
          CopySourceIfMatch: source.etag,
          MetadataDirective: 'REPLACE',
          ContentType: target.contentType,
          CacheControl: target.cacheControl,
        }),
      );
    } catch (error) {
      if (isNotFound(error) || isPreconditionFailed(error)) return false;
      throw storageUnavailable('copy the checked upload to its key', error);
    }
    if (!copiedOtherBytes(copied, source.etag)) return true;
    // Unchecked bytes must not stay at the asset's key: failing to delete them fails the confirm (the asset stays PENDING).
    await this.deleteObject(target.bucket, target.key);
    return false;
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (!isNotFound(error)) throw storageUnavailable('delete the object', error);
    }
  }
}

/**
 * Whether the copy's ETag shows other bytes than those checked. A copy's ETag is the MD5 of its bytes,
 * as the upload's (one PUT) is, except under SSE-KMS, where neither is an MD5: there only the
 * condition, which AWS honours, stands guard.
 */
function copiedOtherBytes(copied: CopyObjectCommandOutput, checkedEtag: string | undefined): boolean {
  const copiedEtag = copied.CopyObjectResult?.ETag;
  if (!checkedEtag || !copiedEtag || copied.ServerSideEncryption?.startsWith('aws:kms')) return false;
  return cleanEtag(copiedEtag) !== cleanEtag(checkedEtag);
}
