// The storage client's two timeouts against a local HTTP server standing in for S3: the service's calls
// end when no answer has started within STORAGE_TIMEOUT_MS; bulk calls may stream as long as bytes move.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { StorageConfig } from '../../../src/config/storage-config.js';
import { BULK_SILENCE_MS, callTimeout, createS3Client, type CallTimeout } from '../../../src/storage/s3-client.js';

const TIMEOUT_MS = 300;
const CHUNKS = 10;
const CHUNK_EVERY_MS = 100; // 1 s of upload in all, every gap well below the timeout

/** Takes every PUT's body as it comes, then answers as S3 does. A GET answers its headers and the first bytes of its body, then nothing more. */
function fakeS3(request: IncomingMessage, response: ServerResponse): void {
  request.resume();
  if (request.method === 'GET') return void response.writeHead(200, { 'content-length': '2048', etag: '"abc"' }).write(Buffer.alloc(1024));
  request.on('end', () => response.writeHead(200, { etag: '"abc"' }).end());
}

/** A body that trickles in: CHUNKS chunks, one every CHUNK_EVERY_MS. */
function tricklingBody(): Readable {
  let sent = 0;
  return new Readable({
    read() {
      setTimeout(() => this.push(sent++ < CHUNKS ? Buffer.alloc(1024, 1) : null), CHUNK_EVERY_MS);
    },
  });
}

// A timeout that no longer works makes a call hang: the suite's own limit turns that into a failure.
describe('storage call timeouts (STORAGE_TIMEOUT_MS)', { timeout: 20_000 }, () => {
  let server: Server;
  let port: number;
  before(async () => {
    server = createServer(fakeS3).listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const client = (timeout: CallTimeout) => {
    const config = { hostname: '127.0.0.1', port, useHttps: false, region: 'us-east-1', forcePathStyle: true, accessKey: 'k', secret: 's', timeoutMs: TIMEOUT_MS } as StorageConfig;
    return createS3Client(config, timeout);
  };
  const put = (timeout: CallTimeout, bucket: string) => {
    const s3 = client(timeout);
    const command = new PutObjectCommand({ Bucket: bucket, Key: 'part', Body: tricklingBody(), ContentLength: CHUNKS * 1024 });
    return s3.send(command).finally(() => s3.destroy());
  };

  test("a service call ('answer') fails with a TimeoutError when its answer has not started within the timeout", async () => {
    await assert.rejects(put('answer', 'bucket'), { name: 'TimeoutError' });
  });

  test("a service call ('answer') whose answer's body stops coming fails once nothing moves for the timeout", async () => {
    const s3 = client('answer');
    try {
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'object' }));
      await assert.rejects(Body!.transformToByteArray(), { name: 'TimeoutError', message: /socket timed out after 300 ms of inactivity/ });
    } finally {
      s3.destroy();
    }
  });

  test("a bulk call (storage sync, the orphan sweep) streaming a body for longer than the timeout succeeds while bytes keep moving", async () => {
    const result = await put('bulk', 'bucket');
    assert.equal(result.ETag, '"abc"');
  });

  test('a bulk call may wait in silence for BULK_SILENCE_MS, or STORAGE_TIMEOUT_MS if longer, and has no limit until its answer starts', () => {
    assert.deepEqual(callTimeout('bulk', 5000), { socketTimeout: BULK_SILENCE_MS });
    assert.deepEqual(callTimeout('bulk', BULK_SILENCE_MS + 1), { socketTimeout: BULK_SILENCE_MS + 1 });
    assert.deepEqual(callTimeout('answer', 5000), { socketTimeout: 5000, requestTimeout: 5000, throwOnRequestTimeout: true });
  });
});
