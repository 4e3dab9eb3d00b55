import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AssetError } from '../../../src/domain/errors.js';
import { NamespaceCatalog } from '../../../src/domain/namespace.js';
import type { UploadRequest } from '../../../src/domain/upload-request.js';
import { principal, serviceWithFakes, TEST_NAMESPACES } from '../fakes.js';

const catalog = new NamespaceCatalog(TEST_NAMESPACES);

/** Hostile text: any code units, whole graphemes, and runs of path and encoding tricks. */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.array(fc.constantFrom('.', '..', '/', '\\', '%2e', '%2f', '\u0000', '\n', '\u202e', '\uff0f', '\u2024', '漢', ' ', 'a'), { maxLength: 30 }).map((p) => p.join('')),
);

/** Usually a valid value, so that most requests reach key rendering; otherwise hostile. */
function mostly<T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: hostile, weight: 1 });
}

const mimeType = mostly(
  fc.constantFrom('image/png', 'image/jpeg', 'image/svg+xml', 'application/pdf'),
  fc.oneof(fc.constantFrom('IMAGE/PNG', 'image/png; charset=x', 'image/png ', 'image/../png', ''), hostileText),
);

const hexDigest = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: 64, maxLength: 64 });

const request: fc.Arbitrary<UploadRequest> = fc.record({
  namespace: mostly(fc.constantFrom('default', 'logos', 'docs', 'unknown-ns'), hostileText),
  filename: mostly(fc.constantFrom('photo.png', 'a', 'résumé final (2).pdf'), hostileText),
  mimeType,
  sizeBytes: mostly(fc.integer({ min: 1, max: 1000 }), fc.oneof(fc.integer(), fc.double())),
  idempotencyKey: fc.option(hostileText, { nil: undefined, freq: 2 }),
  checksum: fc.option(mostly(hexDigest, hostileText), { nil: undefined, freq: 2 }),
});

/** Every key of a namespace starts with its template's fixed part, {namespace} filled in. */
function expectedPrefix(namespaceName: string): string {
  const template = catalog.resolve(namespaceName).keyTemplate;
  const firstValue = template.search(/\{(ownerId|assetId)\}/);
  return template.slice(0, firstValue).replaceAll('{namespace}', namespaceName);
}

describe('AssetService.createUpload with hostile input (property)', () => {
  test('never throws anything but an AssetError, and every key stays under its namespace prefix with the template shape', async () => {
    let created = 0;
    await fc.assert(
      fc.asyncProperty(hostileText, request, async (ownerId, input) => {
        const { service } = serviceWithFakes();
        let asset;
        try {
          asset = await service.createUpload(principal(ownerId), input);
        } catch (error) {
          assert.ok(error instanceof AssetError, `not an AssetError: ${String(error)}`);
          return;
        }
        created++;
        const template = catalog.resolve(asset.namespace).keyTemplate;
        assert.ok(asset.storageKey.startsWith(expectedPrefix(asset.namespace)), asset.storageKey);
        const segments = asset.storageKey.split('/');
        assert.equal(segments.length, template.split('/').length, asset.storageKey);
        assert.ok(segments.every((s) => s !== '' && s !== '.' && s !== '..'), asset.storageKey);
        assert.match(asset.storageKey, /^[A-Za-z0-9._\/-]+$/);
      }),
      { numRuns: 1000 },
    );
    assert.ok(created > 50, `only ${created} requests were valid: the property barely exercised key rendering`);
  });
});
