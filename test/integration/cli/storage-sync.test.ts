import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { migrate } from '../../../src/db/migrate.js';
import { createPool } from '../../../src/db/pool.js';
import { loadStorageSettings, required } from '../../../src/operations/settings.js';
import { listBucket } from '../../../src/operations/sync/listing.js';
import { rewriteAssetLocations } from '../../../src/operations/sync/rewrite-metadata.js';
import { syncBucket, type SyncReport } from '../../../src/operations/sync/sync.js';
import { createS3Client } from '../../../src/storage/s3-client.js';
import { createDatabase, deleteBuckets, endPool, requireEnv, s3Endpoint, uniqueName } from '../../support/infra.js';
import { runCli, startCli } from '../../support/cli-process.js';
import { eventually } from '../../support/eventually.js';
import { fillBucket, SYNC_DATASET } from './sync-dataset.js';

const TOTAL = SYNC_DATASET.smallObjects + SYNC_DATASET.largeObjects;

/** The test Ceph's two gateway users, each described the way an operator would: prefixed STORAGE_* settings. */
function storeEnv(prefix: string, user: 1 | 2): Record<string, string> {
  const suffix = user === 2 ? '_2' : '';
  const endpoint = s3Endpoint();
  const settings: Record<string, string> = {
    STORAGE_HOSTNAME: endpoint.hostname,
    STORAGE_PORT: endpoint.port,
    STORAGE_USE_HTTPS: 'false',
    STORAGE_FORCE_PATH_STYLE: 'true',
    STORAGE_REGION: process.env.TEST_S3_REGION ?? 'us-east-1',
    STORAGE_ACCESS_KEY: requireEnv(`TEST_S3_ACCESS_KEY${suffix}`),
    STORAGE_SECRET: requireEnv(`TEST_S3_SECRET_KEY${suffix}`),
    STORAGE_TIMEOUT_MS: '30000',
  };
  return Object.fromEntries(Object.entries(settings).map(([k, v]) => [`${prefix}${k}`, v]));
}

const ENV = { ...storeEnv('SRC_', 1), ...storeEnv('DST_', 2) };
const storageOf = (prefix: string) => required(loadStorageSettings(ENV, prefix)).storage;
const client = (prefix: string): S3Client => createS3Client(storageOf(prefix));
const jsonLines = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
const summaryOf = (stdout: string) => jsonLines(stdout).find((l) => l.event === 'summary') as SyncReport & { seconds: number };

/** A source bucket of the first gateway user and a destination bucket of the second, with a client for each. */
function bucketPair(name: string) {
  const source = client('SRC_');
  const destination = client('DST_');
  const [from, to] = [uniqueName(`${name}-src`), uniqueName(`${name}-dst`)];
  return {
    source,
    destination,
    from,
    to,
    async create(): Promise<void> {
      await source.send(new CreateBucketCommand({ Bucket: from }));
      await destination.send(new CreateBucketCommand({ Bucket: to }));
    },
    async remove(): Promise<void> {
      await deleteBuckets(source, from);
      await deleteBuckets(destination, to);
      source.destroy();
      destination.destroy();
    },
  };
}

describe('neotool-assets storage sync between two gateway users', () => {
  const buckets = bucketPair('sync');
  const { source, destination, from: sourceBucket, to: destinationBucket } = buckets;
  const cli = (...args: string[]) => runCli(['storage', 'sync', sourceBucket, destinationBucket, '--from-env-prefix', 'SRC_', '--to-env-prefix', 'DST_', ...args], ENV, { timeoutMs: 300_000 });

  before(async () => {
    await buckets.create();
    await fillBucket(source, sourceBucket, SYNC_DATASET);
  });
  after(() => buckets.remove());

  let copiedBeforeInterruption = 0;

  test('an interrupted sync stops early, counts no failure and leaves only complete objects', async (t) => {
    const controller = new AbortController();
    const started = performance.now();
    const report = await syncBucket({
      source: { client: source, bucket: sourceBucket, storage: storageOf('SRC_') },
      destination: { client: destination, bucket: destinationBucket, storage: storageOf('DST_') },
      concurrency: 8,
      partSize: 5 * 1024 * 1024,
      signal: controller.signal,
      onStart: (progress) => {
        const timer = setInterval(() => {
          if (progress.snapshot().objects >= 500) {
            controller.abort();
            clearInterval(timer);
          }
        }, 20);
      },
    });
    t.diagnostic(`interrupted after ${report.copied} objects in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(report.interrupted, true);
    assert.deepEqual(report.failed, []);
    assert.ok(report.copied >= 500 && report.copied < TOTAL, `copied ${report.copied}`);
    const [sourceObjects, copied] = [await listBucket(source, sourceBucket), await listBucket(destination, destinationBucket)];
    assert.ok(copied.size >= report.copied && copied.size < TOTAL);
    for (const object of copied.values()) assert.equal(object.size, sourceObjects.get(object.key)?.size, object.key);
    copiedBeforeInterruption = copied.size;
  });

  test('the rerun skips what was copied, copies the rest with multipart for large objects, verified, and exits 0', async (t) => {
    const result = await cli('--part-size-mb', '5', '--concurrency', '8');
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-2000));
    const summary = summaryOf(result.stdout);
    t.diagnostic(`rerun copied ${summary.copied} and skipped ${summary.skipped} in ${summary.seconds} s`);
    assert.equal(summary.skipped, copiedBeforeInterruption);
    assert.equal(summary.copied, TOTAL - copiedBeforeInterruption);
    assert.deepEqual(summary.failed, []);
    assert.ok(jsonLines(result.stdout).some((l) => l.event === 'progress' && l.objects === TOTAL && l.totalBytes > 100_000_000), 'a final progress line');
    await assertSameContent(source, sourceBucket, destination, destinationBucket);
  });

  test('large objects copied in 5 MiB parts carry multipart ETags that match the MD5s of the parts sent', async () => {
    const copy = await destination.send(new HeadObjectCommand({ Bucket: destinationBucket, Key: 'large/019.bin' }));
    assert.match(copy.ETag ?? '', /^"[0-9a-f]{32}-2"$/);
    assert.ok(copy.Metadata?.['neotool-sync-source-etag']);
  });

  test('a third run finds everything identical and copies nothing, multipart sources included', async () => {
    const report = await syncBucket({
      source: { client: source, bucket: sourceBucket, storage: storageOf('SRC_') },
      destination: { client: destination, bucket: destinationBucket, storage: storageOf('DST_') },
      concurrency: 8,
      partSize: 8 * 1024 * 1024,
    });
    assert.equal(report.copied, 0);
    assert.equal(report.skipped, TOTAL);
  });

  test('--dry-run lists the changed and the extraneous object and changes nothing', async () => {
    await source.send(new PutObjectCommand({ Bucket: sourceBucket, Key: 'small/00007.txt', Body: Buffer.alloc(SYNC_DATASET.smallBytes, 7), ContentType: 'text/plain' }));
    await destination.send(new PutObjectCommand({ Bucket: destinationBucket, Key: 'stray/old.txt', Body: 'left over' }));
    const before = await destination.send(new HeadObjectCommand({ Bucket: destinationBucket, Key: 'small/00007.txt' }));
    const result = await cli('--dry-run', '--delete');
    assert.equal(result.code, 0, result.stderr);
    const events = jsonLines(result.stdout).filter((l) => l.event.startsWith('would'));
    assert.deepEqual(events.map((e) => [e.event, e.key]), [['would-copy', 'small/00007.txt'], ['would-delete', 'stray/old.txt']]);
    assert.match(events[0]?.detail, /^changed/);
    const summary = summaryOf(result.stdout) as unknown as Record<string, unknown>;
    assert.deepEqual([summary.wouldCopy, summary.wouldDelete, summary.dryRun], [1, 1, true]);
    assert.ok(!('copied' in summary) && !('deleted' in summary), 'a dry run labels its counts as would-copy and would-delete, not copied');
    const after = await destination.send(new HeadObjectCommand({ Bucket: destinationBucket, Key: 'small/00007.txt' }));
    assert.equal(after.ETag, before.ETag);
    await destination.send(new HeadObjectCommand({ Bucket: destinationBucket, Key: 'stray/old.txt' }));
  });

  test('a changed object is copied again, and --delete removes what the source does not have', async () => {
    const result = await cli('--delete');
    assert.equal(result.code, 0, result.stderr);
    const summary = summaryOf(result.stdout);
    assert.deepEqual([summary.copied, summary.skipped, summary.deleted], [1, TOTAL - 1, 1]);
    assert.deepEqual(jsonLines(result.stdout).filter((l) => l.event === 'deleted').map((l) => l.key), ['stray/old.txt']);
    await assertSameContent(source, sourceBucket, destination, destinationBucket);
  });
});

describe('neotool-assets storage sync, other outcomes', () => {
  test('--rewrite-metadata points the asset rows from the source bucket to the destination bucket', async () => {
    const buckets = bucketPair('rw');
    const { source, from, to } = buckets;
    const database = await createDatabase();
    const pool = createPool(database.url, 2);
    try {
      await buckets.create();
      await source.send(new PutObjectCommand({ Bucket: from, Key: 'attachments/u1/a.txt', Body: 'hello', ContentType: 'text/plain' }));
      await migrate(pool);
      await insertAsset(pool, from, 'attachments/u1/a.txt');
      await insertAsset(pool, 'some-other-bucket', 'attachments/u1/b.txt');
      const result = await runCli(['storage', 'sync', from, to, '--from-env-prefix', 'SRC_', '--to-env-prefix', 'DST_', '--rewrite-metadata'], { ...ENV, DATABASE_URL: database.url });
      assert.equal(result.code, 0, result.stderr);
      assert.ok(jsonLines(result.stdout).some((l) => l.event === 'note' && l.rows === 1));
      const { rows } = await pool.query<{ storage_bucket: string }>('SELECT storage_bucket FROM assets ORDER BY storage_key');
      assert.deepEqual(rows.map((r) => r.storage_bucket), [to, 'some-other-bucket']);
    } finally {
      await endPool(pool);
      await database.drop();
      await buckets.remove();
    }
  });

  // On a big assets table, or behind rows the running service holds, the one UPDATE may outlast the
  // pool's statement timeout (10 s; 200 ms here, so that the test need not wait that long).
  test('--rewrite-metadata\'s UPDATE is not cut off by the pool\'s statement timeout, and the pool keeps that timeout', async () => {
    const database = await createDatabase();
    const pool = new pg.Pool({ connectionString: database.url, max: 1, statement_timeout: 200 });
    // Without the pool's timeout, which is for the rewrite alone: the set-up and the reads around it go
    // through this client, so that a busy PostgreSQL cannot time them out. (migrate() lifts the timeout itself.)
    const holder = new pg.Client({ connectionString: database.url });
    try {
      await migrate(pool);
      await holder.connect();
      await insertAsset(holder, 'old-bucket', 'attachments/u1/a.txt');
      await holder.query('BEGIN');
      await holder.query("SELECT 1 FROM assets WHERE storage_bucket = 'old-bucket' FOR UPDATE");
      const started = Date.now();
      const rewriting = rewriteAssetLocations(pool, { bucket: 'old-bucket', region: 'us-east-1' }, { bucket: 'new-bucket', region: 'eu-west-1' }, false);
      await sleep(1000);
      await holder.query('COMMIT');
      assert.equal(await rewriting, 1);
      assert.ok(Date.now() - started >= 1000, 'the UPDATE waited for the row lock');
      const { rows } = await holder.query<{ storage_bucket: string; storage_region: string }>('SELECT storage_bucket, storage_region FROM assets');
      assert.deepEqual(rows, [{ storage_bucket: 'new-bucket', storage_region: 'eu-west-1' }]);
      assert.equal((await pool.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0]?.statement_timeout, '200ms');
    } finally {
      await holder.end().catch(() => undefined);
      await endPool(pool);
      await database.drop();
    }
  });

  test('--both-buckets copies the public and the private bucket, named by the prefixed settings', async () => {
    const source = client('SRC_');
    const destination = client('DST_');
    const names = { SRC_STORAGE_PUBLIC_BUCKET: uniqueName('both-spub'), SRC_STORAGE_PRIVATE_BUCKET: uniqueName('both-spriv'), DST_STORAGE_PUBLIC_BUCKET: uniqueName('both-dpub'), DST_STORAGE_PRIVATE_BUCKET: uniqueName('both-dpriv') };
    try {
      for (const [setting, bucket] of Object.entries(names)) await (setting.startsWith('SRC_') ? source : destination).send(new CreateBucketCommand({ Bucket: bucket }));
      await source.send(new PutObjectCommand({ Bucket: names.SRC_STORAGE_PUBLIC_BUCKET, Key: 'logo.png', Body: 'png', ContentType: 'image/png' }));
      await source.send(new PutObjectCommand({ Bucket: names.SRC_STORAGE_PRIVATE_BUCKET, Key: 'doc.pdf', Body: 'pdf', ContentType: 'application/pdf' }));
      const result = await runCli(['storage', 'sync', '--both-buckets', '--from-env-prefix', 'SRC_', '--to-env-prefix', 'DST_'], { ...ENV, ...names });
      assert.equal(result.code, 0, result.stderr);
      const summaries = jsonLines(result.stdout).filter((l) => l.event === 'summary');
      assert.deepEqual(summaries.map((s) => [s.source, s.destination, s.copied]), [
        [names.SRC_STORAGE_PUBLIC_BUCKET, names.DST_STORAGE_PUBLIC_BUCKET, 1],
        [names.SRC_STORAGE_PRIVATE_BUCKET, names.DST_STORAGE_PRIVATE_BUCKET, 1],
      ]);
      const copied = await destination.send(new HeadObjectCommand({ Bucket: names.DST_STORAGE_PRIVATE_BUCKET, Key: 'doc.pdf' }));
      assert.equal(copied.ContentType, 'application/pdf');
    } finally {
      for (const [setting, bucket] of Object.entries(names)) await deleteBuckets(setting.startsWith('SRC_') ? source : destination, bucket);
      source.destroy();
      destination.destroy();
    }
  });

  test('keys with spaces, reserved and non-ASCII characters are signed as the store expects and copied with their metadata', async () => {
    const buckets = bucketPair('keys');
    const { source, destination, from, to } = buckets;
    const keys = ['a b/c+d (1).txt', "it's!*~.txt", 'ü/日本.txt', 'x=1&y=2;z.txt'];
    try {
      await buckets.create();
      for (const Key of keys) await source.send(new PutObjectCommand({ Bucket: from, Key, Body: Key, ContentType: 'text/plain', Metadata: { owner: 'u1' } }));
      const report = await syncBucket({
        source: { client: source, bucket: from, storage: storageOf('SRC_') },
        destination: { client: destination, bucket: to, storage: storageOf('DST_') },
        concurrency: 2,
        partSize: 5 * 1024 * 1024,
      });
      assert.deepEqual(report.failed, []);
      assert.equal(report.copied, keys.length);
      await assertSameContent(source, from, destination, to);
      const copy = await destination.send(new HeadObjectCommand({ Bucket: to, Key: keys[2] }));
      assert.deepEqual([copy.ContentType, copy.Metadata?.owner], ['text/plain', 'u1']);
    } finally {
      await buckets.remove();
    }
  });

  test('a bucket that does not exist stops it with the cause and a non-zero exit', async () => {
    const result = await runCli(['storage', 'sync', 'no-such-source-bucket', 'no-such-destination', '--from-env-prefix', 'SRC_', '--to-env-prefix', 'DST_'], ENV);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Bucket "no-such-(source|destination)[a-z-]*" \((source|destination) bucket\) does not exist at /);
    assert.ok(result.stderr.includes(`does not exist at ${process.env.TEST_S3_ENDPOINT}`), result.stderr);
  });

  // Each test names one side that does not exist; the other side is a bucket of this pair, made once for both.
  describe('with one of the two buckets missing', () => {
    const buckets = bucketPair('missing');
    before(() => buckets.create());
    after(() => buckets.remove());

    test('a source bucket that does not exist is named with the settings to check, not storage init, which is for destinations', async () => {
      const result = await runCli(['storage', 'sync', 'no-such-source-bucket', buckets.to, '--from-env-prefix', 'SRC_', '--to-env-prefix', 'DST_'], ENV);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /Bucket "no-such-source-bucket" \(source bucket\) does not exist at /);
      assert.match(result.stderr, /Check the source bucket name .*SRC_STORAGE_PUBLIC_BUCKET .* SRC_STORAGE_\* settings/);
      assert.doesNotMatch(result.stderr, /storage init/);
    });

    test('a destination bucket that does not exist is named with its prefixed settings and how to create it there', async () => {
      const result = await runCli(['storage', 'sync', buckets.from, 'no-such-destination-bucket', '--from-env-prefix', 'SRC_', '--to-env-prefix', 'DST_'], ENV);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /Bucket "no-such-destination-bucket" \(destination bucket\) does not exist at /);
      assert.match(result.stderr, /Create it there .*storage init` given its settings as plain STORAGE_\*\), or check the destination bucket name \(the second argument, or DST_STORAGE_PUBLIC_BUCKET .* DST_STORAGE_\* settings \(--to-env-prefix\) describe the store to copy to\./);
    });
  });

  test('a wrong secret for the source is named by its prefixed setting, SRC_STORAGE_SECRET, not the service\'s STORAGE_SECRET', async () => {
    const result = await runCli(['storage', 'sync', 'any-source', 'any-destination', '--from-env-prefix', 'SRC_', '--to-env-prefix', 'DST_'], { ...ENV, SRC_STORAGE_SECRET: 'not-the-secret' });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /rejected the request signature: SRC_STORAGE_SECRET does not belong to SRC_STORAGE_ACCESS_KEY \(or SRC_STORAGE_REGION is wrong\)\. Fix SRC_STORAGE_SECRET\./);
  });

  test('bucket names together with --both-buckets are refused, saying both were given and only one form may be used', async () => {
    const result = await runCli(['storage', 'sync', 'a-bucket', 'b-bucket', '--both-buckets', '--from-env-prefix', 'SRC_', '--to-env-prefix', 'DST_'], ENV);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Both bucket names \(a-bucket b-bucket\) and --both-buckets were given: use only one form/);
  });

  test('--help says --rewrite-metadata needs DATABASE_URL or the POSTGRES_* settings', async () => {
    const result = await runCli(['storage', 'sync', '--help'], {});
    assert.equal(result.code, 0, result.stderr);
    const help = result.stdout.replace(/\s+/g, ' ');
    assert.match(help, /--rewrite-metadata .*DATABASE_URL or POSTGRES_\*/, result.stdout);
  });

  test('a part size outside 5 MiB (S3\'s smallest) to 1 GiB is refused as a usage mistake (exit 2), naming the range', async () => {
    for (const size of ['4', '1025']) {
      const result = await runCli(['storage', 'sync', 'a-bucket', 'b-bucket', '--part-size-mb', size, '--from-env-prefix', 'SRC_', '--to-env-prefix', 'DST_'], ENV);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`--part-size-mb must be a whole number from 5 to 1024 \\(got ${size}\\)`));
    }
  });

  test('missing or ambiguous bucket arguments are refused as a usage mistake (exit 2) before anything is listed', async () => {
    const result = await runCli(['storage', 'sync', 'only-one', '--from-env-prefix', 'SRC_', '--to-env-prefix', 'DST_'], ENV);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Give SOURCE_BUCKET DESTINATION_BUCKET, or --both-buckets/);
  });

  test('arguments are checked before the settings: with no STORAGE_* set, a usage mistake is still exit 2 with its usage message', async () => {
    const mistakes: [string[], RegExp][] = [
      [['only-one'], /Give SOURCE_BUCKET DESTINATION_BUCKET, or --both-buckets/],
      [['a-bucket', 'b-bucket', '--both-buckets'], /Both bucket names \(a-bucket b-bucket\) and --both-buckets were given/],
      [['a-bucket', 'b-bucket', '--concurrency', '0'], /--concurrency must be a whole number at least 1 \(got 0\)/],
      [['a-bucket', 'b-bucket', '--progress-every', 'soon'], /--progress-every must be a whole number at least 1 \(got soon\)/],
    ];
    for (const [args, usage] of mistakes) {
      const result = await runCli(['storage', 'sync', ...args, '--from-env-prefix', 'SRC_', '--to-env-prefix', 'DST_'], {});
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, usage);
      assert.doesNotMatch(result.stderr, /STORAGE_HOSTNAME/);
    }
  });
});

describe('neotool-assets storage sync interrupted while copying large objects in parts', () => {
  const buckets = bucketPair('mpu');
  const { destination, from, to } = buckets;
  const multipartUploadsIn = async (bucket: string) => (await destination.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? [];

  before(async () => {
    await buckets.create();
    await fillBucket(buckets.source, from, { smallObjects: 200, smallBytes: 1000, largeObjects: 6, largeBytes: 12 * 1024 * 1024 });
  });
  after(() => buckets.remove());

  test('an interrupted sync has aborted its unfinished multipart uploads by the time it returns', async () => {
    const to = uniqueName('mpu-dst2');
    await destination.send(new CreateBucketCommand({ Bucket: to }));
    const uploadsIn = () => multipartUploadsIn(to);
    try {
      const controller = new AbortController();
      let watching: Promise<void> = Promise.resolve();
      let finished = false;
      const report = await syncBucket({
        source: { client: buckets.source, bucket: from, storage: storageOf('SRC_') },
        destination: { client: destination, bucket: to, storage: storageOf('DST_') },
        concurrency: 8,
        partSize: 5 * 1024 * 1024,
        signal: controller.signal,
        onStart: () => {
          watching = (async () => {
            while (!controller.signal.aborted && !finished && (await uploadsIn()).length === 0) await sleep(10);
            controller.abort();
          })();
        },
      });
      finished = true; // a sync that ended before any upload was seen stops the watcher (and fails below)
      await watching;
      assert.equal(report.interrupted, true);
      assert.deepEqual((await uploadsIn()).map((u) => u.Key), []);
    } finally {
      await deleteBuckets(destination, to);
    }
  });

  test('Ctrl-C aborts the multipart uploads it started and counts as copied exactly the complete objects it left', async () => {
    const cli = startCli(['storage', 'sync', from, to, '--from-env-prefix', 'SRC_', '--to-env-prefix', 'DST_', '--part-size-mb', '5', '--concurrency', '8'], ENV);
    try {
      await eventually(async () => (await multipartUploadsIn(to)).length > 0, () => `a multipart upload: ${cli.stdout().slice(-1000)}`, { timeoutMs: 60_000, intervalMs: 20 });
      cli.child.kill('SIGINT');
      assert.equal(await cli.exitCode(), 130, cli.stderr() + cli.stdout().slice(-2000));
    } finally {
      await cli.kill();
    }
    assert.deepEqual((await multipartUploadsIn(to)).map((u) => u.Key), []);
    const summary = summaryOf(cli.stdout());
    const copied = await listBucket(destination, to);
    assert.equal(summary.interrupted, true);
    assert.deepEqual(summary.failed, []);
    assert.equal(summary.copied, copied.size, 'copied counts the complete objects in the destination');
    const lastProgress = jsonLines(cli.stdout()).filter((l) => l.event === 'progress').at(-1);
    assert.equal(lastProgress?.objects, summary.copied + summary.skipped, 'the progress counts only objects done');
    const sourceObjects = await listBucket(buckets.source, from);
    for (const object of copied.values()) assert.equal(object.size, sourceObjects.get(object.key)?.size, object.key);
  });
});

async function insertAsset(db: pg.Pool | pg.Client, bucket: string, key: string): Promise<void> {
  await db.query(
    `INSERT INTO assets (id, owner_id, namespace, visibility, storage_key, storage_region, storage_bucket, mime_type, size_bytes, original_filename, upload_expires_at)
     VALUES (gen_random_uuid(), 'u1', 'attachments', 'PRIVATE', $1, 'us-east-1', $2, 'text/plain', 5, 'a.txt', now())`,
    [key, bucket],
  );
}

/** Same keys, same sizes, same bytes: ETags where both are MD5s, otherwise SHA-256 of both downloads. */
async function assertSameContent(source: S3Client, sourceBucket: string, destination: S3Client, destinationBucket: string): Promise<void> {
  const [a, b] = [await listBucket(source, sourceBucket), await listBucket(destination, destinationBucket)];
  assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
  for (const object of a.values()) {
    const copy = b.get(object.key)!;
    assert.equal(copy.size, object.size, object.key);
    if (object.etag.length === 32 && copy.etag.length === 32) assert.equal(copy.etag, object.etag, object.key);
    else assert.equal(await sha256(destination, destinationBucket, object.key), await sha256(source, sourceBucket, object.key), object.key);
  }
}

async function sha256(client: S3Client, bucket: string, key: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body as Readable) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
