import { randomBytes } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import pLimit from 'p-limit';

export interface DatasetSpec {
  smallObjects: number;
  smallBytes: number;
  largeObjects: number;
  largeBytes: number;
}

/**
 * The sync test and benchmark data: many ~1 KB objects and some multi-MB ones. Half of the large
 * ones are uploaded in 5 MiB parts, so the source also has multipart ETags that a copy with
 * another part size cannot reproduce.
 */
export const SYNC_DATASET: DatasetSpec = { smallObjects: 2000, smallBytes: 1024, largeObjects: 20, largeBytes: 5_500_000 };

const SOURCE_PART_SIZE = 5 * 1024 * 1024;

export async function fillBucket(client: S3Client, bucket: string, spec: DatasetSpec): Promise<void> {
  const limit = pLimit(16);
  const small = Array.from({ length: spec.smallObjects }, (_, i) => limit(() => put(client, bucket, `small/${String(i).padStart(5, '0')}.txt`, randomBytes(spec.smallBytes), 'text/plain')));
  const large = Array.from({ length: spec.largeObjects }, (_, i) =>
    limit(() => (i % 2 === 0 ? putMultipart : put)(client, bucket, `large/${String(i).padStart(3, '0')}.bin`, randomBytes(spec.largeBytes), 'application/octet-stream')),
  );
  await Promise.all([...small, ...large]);
}

async function put(client: S3Client, bucket: string, key: string, body: Buffer, contentType: string): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
}

async function putMultipart(client: S3Client, bucket: string, key: string, body: Buffer, contentType: string): Promise<void> {
  await new Upload({ client, partSize: SOURCE_PART_SIZE, params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType } }).done();
}
