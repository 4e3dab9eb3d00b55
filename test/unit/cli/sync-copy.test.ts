import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { loadStorageSettings, required } from '../../../src/operations/settings.js';
import { asPutObjectFields, copiedHeaders } from '../../../src/operations/sync/copied-headers.js';
import { copyObject, partsInFlight, type TransferEndpoint } from '../../../src/operations/sync/copy-object.js';
import { ObjectTransfer } from '../../../src/operations/sync/object-transfer.js';
import { createS3Client } from '../../../src/storage/s3-client.js';

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');
const BODY = Buffer.from('the source bytes');

/** A store that answers GET, PUT and DELETE like S3, with an ETag for PUT chosen by the test. */
class FakeStore {
  requests: string[] = [];
  stored = new Map<string, { body: Buffer; headers: IncomingMessage['headers'] }>();
  getAnswer: (res: ServerResponse) => void = (res) => res.writeHead(200, { 'content-length': BODY.length, 'content-type': 'text/plain', etag: `"${md5(BODY)}"`, 'x-amz-meta-owner': 'u1' }).end(BODY);
  putEtag: (body: Buffer) => string = md5;
  /** Runs once a PUT's whole body has arrived, before the store answers. */
  beforePutAnswer: () => Promise<void> = async () => undefined;
  readonly server: Server = createServer((req, res) => void this.answer(req, res).catch(() => res.destroy())); // a client that aborts breaks off the request

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests.push(`${req.method} ${req.url}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method === 'GET') return this.getAnswer(res);
    if (req.method === 'PUT') {
      this.stored.set(req.url!, { body: Buffer.concat(chunks), headers: req.headers });
      await this.beforePutAnswer();
      res.writeHead(200, { etag: `"${this.putEtag(Buffer.concat(chunks))}"` }).end();
      return;
    }
    res.writeHead(204).end();
  }
}

describe('copying one object through the lean HTTP path', () => {
  const store = new FakeStore();
  let source: TransferEndpoint;
  let destination: TransferEndpoint;
  const object = { key: 'docs/a b+(1).txt', size: BODY.length, etag: md5(BODY) };
  const copy = () => copyObject(source, destination, object, { partSize: 5 * 1024 * 1024 });

  before(async () => {
    store.server.listen(0, '127.0.0.1');
    await once(store.server, 'listening');
    const { port } = store.server.address() as AddressInfo;
    const env = { STORAGE_HOSTNAME: '127.0.0.1', STORAGE_PORT: String(port), STORAGE_USE_HTTPS: 'false', STORAGE_FORCE_PATH_STYLE: 'true', STORAGE_ACCESS_KEY: 'key', STORAGE_SECRET: 'secret', STORAGE_TIMEOUT_MS: '5000' };
    const storage = required(loadStorageSettings(env, '')).storage;
    const endpoint = (bucket: string) => ({ client: createS3Client(storage), bucket, storage, transfer: new ObjectTransfer(storage, 2) });
    [source, destination] = [endpoint('src'), endpoint('dst')];
  });
  beforeEach(() => {
    store.requests = [];
    store.putEtag = md5;
    store.beforePutAnswer = async () => undefined;
  });
  after(() => {
    for (const side of [source, destination]) {
      side.transfer.destroy();
      side.client.destroy();
    }
    store.server.close();
  });

  test('a small object is copied with one signed GET and one signed PUT, checked by the ETag the PUT returned, without a HEAD', async () => {
    await copy();
    assert.deepEqual(store.requests, ['GET /src/docs/a%20b%2B%281%29.txt', 'PUT /dst/docs/a%20b%2B%281%29.txt']);
    const stored = store.stored.get('/dst/docs/a%20b%2B%281%29.txt')!;
    assert.deepEqual(stored.body, BODY);
    assert.match(String(stored.headers.authorization), /^AWS4-HMAC-SHA256 Credential=key\//);
    assert.equal(stored.headers['content-type'], 'text/plain');
    assert.equal(stored.headers['x-amz-meta-owner'], 'u1');
    assert.equal(stored.headers['x-amz-meta-neotool-sync-source-etag'], object.etag);
  });

  test('a copy whose stored ETag is not the MD5 of the bytes sent fails and is deleted again', async () => {
    store.putEtag = () => md5('other bytes');
    await assert.rejects(copy(), /verification failed: destination ETag [0-9a-f]{32} is not the/);
    assert.match(store.requests.at(-1)!, /^DELETE \/dst\/docs\/a%20b%2B%281%29.txt/);
  });

  test('bytes read that do not match the listed source ETag fail the copy, which is deleted again', async () => {
    const listed = { ...object, etag: md5('what the listing saw') };
    await assert.rejects(copyObject(source, destination, listed, { partSize: 5 * 1024 * 1024 }), /verification failed: the bytes read do not match the source ETag/);
    assert.match(store.requests.at(-1)!, /^DELETE \/dst\/docs\/a%20b%2B%281%29.txt/);
  });

  test('an interrupt after the whole body was sent lets the copy finish and verify, as the store keeps it anyway', async () => {
    const interrupt = new AbortController();
    store.beforePutAnswer = async () => {
      interrupt.abort();
      await new Promise((resolve) => setTimeout(resolve, 50));
    };
    await copyObject(source, destination, object, { partSize: 5 * 1024 * 1024, signal: interrupt.signal });
    assert.deepEqual(store.requests, ['GET /src/docs/a%20b%2B%281%29.txt', 'PUT /dst/docs/a%20b%2B%281%29.txt']);
  });

  test('an interrupt while the body is still being sent aborts the copy', async (t) => {
    const interrupt = new AbortController();
    store.getAnswer = (res) => {
      res.writeHead(200, { 'content-length': BODY.length, 'content-type': 'text/plain', etag: `"${md5(BODY)}"` });
      res.write(BODY.subarray(0, 4));
      setTimeout(() => interrupt.abort(), 20);
      setTimeout(() => res.end(BODY.subarray(4)), 200);
    };
    t.after(() => (store.getAnswer = new FakeStore().getAnswer));
    await assert.rejects(copyObject(source, destination, object, { partSize: 5 * 1024 * 1024, signal: interrupt.signal }), { name: 'AbortError' });
  });

  test('an object too big for any multipart upload is refused before a byte of it is read', async () => {
    const huge = { ...object, size: 10_000 * 5 * 1024 ** 3 + 1 };
    await assert.rejects(copyObject(source, destination, huge, { partSize: 5 * 1024 * 1024 }), /do not fit into 10000 parts/);
    assert.deepEqual(store.requests, []);
  });

  test('an error answer of the store fails the copy with its S3 error code and status', async (t) => {
    store.getAnswer = (res) => res.writeHead(412).end('<?xml version="1.0"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>');
    t.after(() => (store.getAnswer = new FakeStore().getAnswer));
    await assert.rejects(copy(), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    assert.deepEqual(store.requests, ['GET /src/docs/a%20b%2B%281%29.txt']);
  });
});

describe('the headers a copy is stored with', () => {
  test('carry the listed size as content-length even when the source answered chunked, with its content headers and metadata', () => {
    const source = { 'content-type': 'image/png', 'transfer-encoding': 'chunked', 'x-amz-meta-owner': 'alice', server: 'minio' };
    const headers = copiedHeaders(source, 'abc123', 4096);
    assert.equal(headers['content-length'], 4096);
    assert.equal(headers['content-type'], 'image/png');
    assert.equal(headers['x-amz-meta-owner'], 'alice');
    assert.equal(headers['transfer-encoding'], undefined);
    assert.equal(headers.server, undefined);
    assert.equal(asPutObjectFields(headers).ContentLength, 4096);
  });
});

describe('the parts of one object uploading at once', () => {
  const MiB = 1024 * 1024;

  test('are four of the default 8 MB, fewer as parts grow (32 MB in flight), and never none', () => {
    assert.deepEqual([5, 8, 16, 20, 32, 105, 1024].map((mb) => partsInFlight(mb * MiB)), [4, 4, 2, 1, 1, 1, 1]);
  });
});
