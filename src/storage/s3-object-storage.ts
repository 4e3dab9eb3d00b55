import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { StorageConfig } from '../config/storage-config.js';
import type { ObjectSample, ObjectStorage, SampleRequest, StoredObject, UploadTarget } from '../domain/ports.js';
import { readSample } from './object-sampler.js';
import { publicObjectUrl } from './object-url.js';
import type { Presigner } from './presigner.js';
import { isNotFound, storageUnavailable } from './storage-errors.js';

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

  async headObject(bucket: string, key: string): Promise<StoredObject | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { sizeBytes: head.ContentLength ?? 0, contentType: head.ContentType };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw storageUnavailable('inspect the uploaded object', error);
    }
  }

  /** One GET: ranged to the first bytes when that is all we need, the whole object streamed otherwise. */
  async sampleObject(bucket: string, key: string, request: SampleRequest): Promise<ObjectSample | null> {
    const whole = request.wholeBody || request.sha256;
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, Range: whole ? undefined : `bytes=0-${request.headBytes - 1}` }),
      );
      const sample = await readSample(object.Body as Readable, request);
      const sizeBytes = whole ? sample.readBytes : Number(/\/(\d+)$/.exec(object.ContentRange ?? '')?.[1] ?? object.ContentLength ?? 0);
      return { ...sample, sizeBytes, contentType: object.ContentType };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw storageUnavailable('read the uploaded object', error);
    }
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (!isNotFound(error)) throw storageUnavailable('delete the object', error);
    }
  }
}
