import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { StorageConfig } from '../config/storage-config.js';
import type { ObjectStorage, StoredObject, UploadTarget } from '../domain/ports.js';
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
      headers: { 'content-type': target.contentType, 'content-length': String(target.contentLength) },
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

  async deleteObject(bucket: string, key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (!isNotFound(error)) throw storageUnavailable('delete the object', error);
    }
  }
}
