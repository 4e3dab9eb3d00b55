import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type { StorageConfig } from '../../config/storage-config.js';
import { objectLocation } from '../../storage/object-url.js';
import type { StorageSettings } from '../settings.js';

/** What the storage checks share: the client, and every probe key written, so cleanup finds them all. */
export class StorageProbe {
  readonly body = `neotool-assets doctor probe ${new Date().toISOString()}`;
  private readonly written = new Map<string, Set<string>>();

  constructor(
    readonly settings: StorageSettings,
    readonly client: S3Client,
  ) {}

  get storage(): StorageConfig {
    return this.settings.storage;
  }

  /** A fresh key under a prefix that says who wrote it, recorded before anything is written to it. */
  newKey(bucket: string): string {
    const key = `neotool-doctor/${randomUUID()}.txt`;
    const keys = this.written.get(bucket) ?? new Set<string>();
    keys.add(key);
    this.written.set(bucket, keys);
    return key;
  }

  keysIn(bucket: string): string[] {
    return [...(this.written.get(bucket) ?? [])];
  }

  /** The object's URL at the storage endpoint itself, as an anonymous client would request it. */
  directUrl(bucket: string, key: string): string {
    const { protocol, hostname, port, path } = objectLocation(this.storage, bucket, key);
    return `${protocol}//${hostname}:${port}${path}`;
  }

  timeout(): AbortSignal {
    return AbortSignal.timeout(this.storage.timeoutMs);
  }
}
