import type { Asset } from './asset.js';
import type { ObjectLocation, ObjectStorage } from './ports.js';
import { stagingKey } from './storage-key.js';
import { cacheControlFor } from './upload-headers.js';

/**
 * Where an asset's bytes are: its upload waits at a staging key in the private bucket (see
 * STAGING_PREFIX) until confirm has checked it and copied it to the asset's own key.
 */
export class StagedObjects {
  constructor(
    private readonly storage: ObjectStorage,
    private readonly stagingBucket: string,
  ) {}

  /** Where the asset's upload URL puts the bytes. */
  upload(asset: Pick<Asset, 'id'>): ObjectLocation {
    return { bucket: this.stagingBucket, key: stagingKey(asset.id) };
  }

  /**
   * Copies the upload to the asset's key, with the headers it is served with, if the upload still has
   * `etag` (the bytes that were checked); false when it was replaced or is gone.
   */
  promote(asset: Asset, etag: string | undefined): Promise<boolean> {
    const target = { bucket: asset.storageBucket, key: asset.storageKey, contentType: asset.mimeType, cacheControl: cacheControlFor(asset) };
    return this.storage.copyObject({ ...this.upload(asset), etag }, target);
  }

  async removeUpload(asset: Pick<Asset, 'id'>): Promise<void> {
    const upload = this.upload(asset);
    await this.storage.deleteObject(upload.bucket, upload.key);
  }

  /** The asset's object and its upload, wherever either is. */
  async removeAll(asset: Asset): Promise<void> {
    await Promise.all([this.storage.deleteObject(asset.storageBucket, asset.storageKey), this.removeUpload(asset)]);
  }
}
