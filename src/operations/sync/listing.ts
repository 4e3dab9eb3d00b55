import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { LISTING_PAGE_SIZE } from '../../storage/s3-client.js';
import { cleanEtag } from '../../storage/etag.js';

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
}

/** Every object of a bucket, by key. Only keys, sizes and ETags are kept, so millions of objects still fit. */
export async function listBucket(client: S3Client, bucket: string, abortSignal?: AbortSignal): Promise<Map<string, ListedObject>> {
  const objects = new Map<string, ListedObject>();
  for await (const page of paginateListObjectsV2({ client, pageSize: LISTING_PAGE_SIZE }, { Bucket: bucket }, { abortSignal })) {
    for (const o of page.Contents ?? []) objects.set(o.Key!, { key: o.Key!, size: o.Size ?? 0, etag: cleanEtag(o.ETag) });
  }
  return objects;
}
