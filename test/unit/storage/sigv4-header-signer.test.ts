import assert from 'node:assert/strict';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import { SigV4HeaderSigner } from '../../../src/storage/sigv4-header-signer.js';

const SIGNED_AT = new Date('2025-03-04T05:06:07.000Z');
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

type SourceData = string | ArrayBuffer | ArrayBufferView;

/** The hash the SDK signer takes (a class with an async digest), on node:crypto. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }

  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

async function sdkHeaders(method: string, path: string, headers: Record<string, string>, region: string, signingDate = SIGNED_AT): Promise<Record<string, string>> {
  const signer = new SignatureV4({ service: 's3', region, credentials: CREDENTIALS, sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
  const request = { method, protocol: 'https:', hostname: headers.host!, path, query: {}, headers: { ...headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } };
  return (await signer.sign(request, { signingDate })).headers;
}

describe('SigV4HeaderSigner matches the AWS SDK signer byte for byte', () => {
  const cases: [string, string, string, Record<string, string>][] = [
    ['a GET with If-Match', 'GET', '/bucket/docs/a%20b%2B%281%29.txt', { host: '127.0.0.1:7480', 'if-match': '"0123456789abcdef0123456789abcdef"' }],
    [
      'a PUT with content headers and metadata, Cache-Control left unsigned as the SDK does',
      'PUT',
      '/docs/%C3%BCn%C3%AFc%C3%B6d%C3%A9.pdf',
      { host: 'bucket.s3.example.com', 'content-length': '1024', 'content-type': 'application/pdf', 'cache-control': 'max-age=60', 'x-amz-meta-note': '  two  spaces\tand a tab ' },
    ],
  ];
  for (const [name, method, path, headers] of cases) {
    test(name, async () => {
      const ours = new SigV4HeaderSigner(CREDENTIALS.accessKeyId, CREDENTIALS.secretAccessKey, 'eu-west-1').sign({ method, path, headers, signedAt: SIGNED_AT });
      assert.deepEqual(ours, await sdkHeaders(method, path, headers, 'eu-west-1'));
    });
  }

  test('a request on the next day is signed with that day’s key, not the cached one', async () => {
    const signer = new SigV4HeaderSigner(CREDENTIALS.accessKeyId, CREDENTIALS.secretAccessKey, 'us-east-1');
    const headers = { host: 's3.example.com' };
    signer.sign({ method: 'GET', path: '/b/k', headers, signedAt: SIGNED_AT });
    const nextDay = new Date(SIGNED_AT.getTime() + 86_400_000);
    assert.deepEqual(signer.sign({ method: 'GET', path: '/b/k', headers, signedAt: nextDay }), await sdkHeaders('GET', '/b/k', headers, 'us-east-1', nextDay));
  });
});
