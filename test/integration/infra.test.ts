// Smoke test of the test infrastructure itself (scripts/infra/up.sh): if this fails, every other
// integration test would fail for a reason that has nothing to do with the service.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import pg from 'pg';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with "npm test", which starts the infrastructure.`);
  return value;
}

function s3(user: 1 | 2): S3Client {
  const suffix = user === 2 ? '_2' : '';
  return new S3Client({
    endpoint: env('TEST_S3_ENDPOINT'),
    region: process.env.TEST_S3_REGION ?? 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: env(`TEST_S3_ACCESS_KEY${suffix}`), secretAccessKey: env(`TEST_S3_SECRET_KEY${suffix}`) },
    // Ceph does not accept the SDK's default checksums on every request.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

const uniqueBucket = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

describe('the test infrastructure', () => {
  const clients = [s3(1), s3(2)];
  after(() => clients.forEach((c) => c.destroy()));

  test('PostgreSQL answers a query at TEST_DATABASE_URL', async () => {
    const client = new pg.Client({ connectionString: env('TEST_DATABASE_URL') });
    await client.connect();
    try {
      const { rows } = await client.query<{ one: number }>('select 1 as one');
      assert.deepEqual(rows, [{ one: 1 }]);
    } finally {
      await client.end();
    }
  });

  for (const [index, user] of ([1, 2] as const).entries()) {
    test(`S3 user ${user} can create a bucket, store bytes, read the same bytes back and delete both`, async () => {
      const client = clients[index]!;
      const bucket = uniqueBucket(`infra-u${user}`);
      const body = randomBytes(64 * 1024);
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      try {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'probe.bin', Body: body }));
        const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'probe.bin' }));
        assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body);
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'probe.bin' }));
      } finally {
        await client.send(new DeleteBucketCommand({ Bucket: bucket }));
      }
    });
  }

  test("the two S3 users are separate accounts: user 2 cannot read user 1's objects", async () => {
    const [owner, stranger] = clients as [S3Client, S3Client];
    const bucket = uniqueBucket('infra-private');
    await owner.send(new CreateBucketCommand({ Bucket: bucket }));
    try {
      await owner.send(new PutObjectCommand({ Bucket: bucket, Key: 'secret.txt', Body: 'only for user 1' }));
      await assert.rejects(stranger.send(new GetObjectCommand({ Bucket: bucket, Key: 'secret.txt' })), { name: 'AccessDenied' });
    } finally {
      await owner.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'secret.txt' })).catch(() => undefined);
      await owner.send(new DeleteBucketCommand({ Bucket: bucket }));
    }
  });
});
