import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Asset } from '../../../src/domain/asset.js';
import { DEFAULT_IMAGE_LIMITS, type NamespaceRules } from '../../../src/domain/namespace.js';
import type { ObjectSample, ObjectStorage, SampleRequest } from '../../../src/domain/ports.js';
import { verifyUpload } from '../../../src/domain/upload-verification.js';
import { FileContentInspector } from '../../../src/inspection/content-inspector.js';
import { fixture, MIME_TYPES, sha256Hex, type FixtureName } from '../../support/fixtures.js';
import { docx } from '../../support/zip.js';

/** Serves one object's real bytes the way S3 does, and records what was asked of it and whether a body was read. */
class OneObjectStorage implements Pick<ObjectStorage, 'sampleObject'> {
  readonly requests: SampleRequest[] = [];
  bodiesRead = 0;
  constructor(private readonly object: { bytes: Buffer; contentType: string } | null) {}

  async sampleObject(_bucket: string, _key: string, request: SampleRequest): Promise<ObjectSample | null> {
    this.requests.push(request);
    if (!this.object) return null;
    const { bytes, contentType } = this.object;
    if (bytes.length !== request.expected.sizeBytes || contentType !== request.expected.contentType) {
      return { sizeBytes: bytes.length, contentType, head: new Uint8Array() };
    }
    this.bodiesRead++;
    return {
      sizeBytes: bytes.length,
      contentType,
      etag: `"${bytes.length}"`,
      head: Buffer.from(bytes.subarray(0, request.headBytes)),
      ...(request.wholeBody ? { body: Buffer.from(bytes) } : {}),
      ...(request.sha256 ? { sha256Hex: sha256Hex(bytes) } : {}),
    };
  }
}

const rules = { imageLimits: DEFAULT_IMAGE_LIMITS } as NamespaceRules;

function assetFor(bytes: Buffer, mimeType: string, visibility: Asset['visibility'] = 'PRIVATE'): Asset {
  return { storageBucket: 'b', storageKey: 'k', sizeBytes: bytes.length, mimeType, visibility } as Asset;
}

async function verify(bytes: Buffer, mimeType: string, options: { stored?: Partial<{ bytes: Buffer; contentType: string }> | null; sha256?: string | null } = {}) {
  const stored = options.stored === null ? null : { bytes, contentType: mimeType, ...options.stored };
  const storage = new OneObjectStorage(stored);
  const verdict = await verifyUpload(storage as unknown as ObjectStorage, new FileContentInspector(), assetFor(bytes, mimeType), { bucket: 'b', key: 'k' }, rules, options.sha256 ?? null);
  return { verdict, requests: storage.requests, bodiesRead: storage.bodiesRead };
}

describe('verifyUpload', () => {
  test('a missing object is OBJECT_MISSING, without reading anything', async () => {
    const { verdict, bodiesRead } = await verify(fixture('image.png'), MIME_TYPES.png, { stored: null });
    assert.equal(verdict.failure, 'OBJECT_MISSING');
    assert.equal(bodiesRead, 0);
  });

  test('a stored size other than the declared one is SIZE_MISMATCH, without reading the body', async () => {
    const { verdict, bodiesRead } = await verify(fixture('image.png'), MIME_TYPES.png, { stored: { bytes: fixture('image.gif') } });
    assert.equal(verdict.failure, 'SIZE_MISMATCH');
    assert.equal(bodiesRead, 0);
  });

  test('a stored Content-Type other than the declared one is CONTENT_TYPE_MISMATCH, without reading the body', async () => {
    const { verdict, bodiesRead } = await verify(fixture('image.png'), MIME_TYPES.png, { stored: { contentType: 'application/octet-stream' } });
    assert.equal(verdict.failure, 'CONTENT_TYPE_MISMATCH');
    assert.equal(bodiesRead, 0);
  });

  test('the SHA-256 is computed, compared and returned only when a checksum was declared', async () => {
    const png = fixture('image.png');
    const declared = await verify(png, MIME_TYPES.png, { sha256: sha256Hex(png) });
    assert.deepEqual(declared.verdict, { failure: null, sha256Hex: sha256Hex(png), etag: `"${png.length}"` });
    assert.equal(declared.requests[0]!.sha256, true);
    const undeclared = await verify(png, MIME_TYPES.png);
    assert.equal(undeclared.requests[0]!.sha256, false);
    assert.equal(undeclared.verdict.sha256Hex, undefined);
  });

  test('a body whose SHA-256 differs from the declared one is CHECKSUM_MISMATCH before any content check', async () => {
    const { verdict } = await verify(fixture('notes.txt'), MIME_TYPES.png, { sha256: sha256Hex('something else') });
    assert.equal(verdict.failure, 'CHECKSUM_MISMATCH');
  });

  const wholeBodyTypes: [FixtureName, string, boolean][] = [
    ['image.png', MIME_TYPES.png, true],
    ['safe.svg', MIME_TYPES.svg, true],
    ['document.docx', MIME_TYPES.docx, true],
    ['document.pdf', MIME_TYPES.pdf, false],
    ['notes.txt', MIME_TYPES.text, false],
  ];
  for (const [name, mime, whole] of wholeBodyTypes) {
    test(`${mime} is ${whole ? 'read whole' : 'judged from its first bytes (a ranged read)'}`, async () => {
      const { verdict, requests } = await verify(fixture(name), mime);
      assert.equal(verdict.failure, null);
      assert.equal(requests[0]!.wholeBody, whole);
    });
  }

  test('a Word document whose [Content_Types].xml comes after 70 KB of media is recognised', async () => {
    const { verdict } = await verify(docx('late content types', randomBytes(70_000)), MIME_TYPES.docx);
    assert.equal(verdict.failure, null);
  });

  test('content the inspector refuses is reported with its reason', async () => {
    const { verdict } = await verify(fixture('image.png'), MIME_TYPES.jpeg);
    assert.equal(verdict.failure, 'CONTENT_MISMATCH');
  });
});
