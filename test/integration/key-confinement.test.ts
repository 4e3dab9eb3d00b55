// The owner id comes from the token's subject, which the service does not choose: whatever it holds,
// the object lands under its namespace prefix, in one segment, in the real bucket.
import assert from 'node:assert/strict';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { after, before, describe, test } from 'node:test';
import { fixture } from '../support/fixtures.js';
import { countAssets, errorOf, readyAsset } from '../support/flows.js';
import { CREATE, uploadInput } from '../support/operations.js';
import { startTestService, type TestService } from '../support/test-service.js';

const PNG_BYTES = fixture('image.png');

const HOSTILE_OWNERS: [string, string][] = [
  ['a path climbing to /etc/passwd', '../../etc/passwd'],
  ['nested slashes', 'a/b/c'],
  ['".."', '..'],
  ['"."', '.'],
  ['a leading slash', '/root'],
  ['backslashes', '..\\..\\windows'],
  ['percent-encoded traversal', '%2e%2e%2f%2e%2e%2f'],
  ['unicode letters and CJK', 'ünïcödé漢字'],
  ['a right-to-left override', '\u202eevil'],
  ['fullwidth look-alike dots and slash', '\uff0e\uff0e\uff0f'],
  ['255 characters', 'o'.repeat(255)],
];

const NAMESPACES = [
  { namespace: 'attachments', mimeType: 'text/plain', filename: 'notes.txt', body: Buffer.from('hello world') },
  { namespace: 'group-assets', mimeType: 'image/png', filename: 'logo.png', body: PNG_BYTES },
];

describe('storage keys built from hostile owner ids', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
  });
  after(() => svc.stop());

  // Independent owners: uploaded side by side, then the listing looks at everything at once.
  describe('each owner id', { concurrency: true }, () => {
    for (const [what, ownerId] of HOSTILE_OWNERS) {
      test(`an owner id with ${what} stays in one segment under the namespace prefix, where the object really lands`, async () => {
        const token = await svc.token(ownerId);
        for (const { namespace, mimeType, filename, body } of NAMESPACES) {
          const asset = await readyAsset(svc, token, uploadInput({ namespace, mimeType, filename, sizeBytes: body.length }), body);
          assert.equal(asset.ownerId, ownerId, 'the owner id itself is kept as given');
          const [prefix, ownerSegment, idSegment, ...rest] = asset.storageKey.split('/');
          assert.deepEqual([prefix, idSegment, rest], [namespace, asset.id, []], asset.storageKey);
          assert.match(ownerSegment!, /^[A-Za-z0-9._-]{1,128}$/);
          assert.doesNotMatch(ownerSegment!, /^\.+$/);
          const head = await svc.s3.send(new HeadObjectCommand({ Bucket: asset.storageBucket, Key: asset.storageKey }));
          assert.equal(head.ContentLength, body.length);
        }
      });
    }
  });

  test('an owner id with a NUL byte is refused as UNAUTHENTICATED, and nothing is stored', async () => {
    const rowsBefore = await countAssets(svc.db);
    const response = await svc.gql(CREATE, { input: uploadInput() }, await svc.token('x\u0000y'));
    assert.match(errorOf(response, 'UNAUTHENTICATED').message, /"sub" claim/);
    assert.equal(await countAssets(svc.db), rowsBefore);
  });

  test('a listing of both buckets shows every object under its namespace prefix, and nothing else (each upload went at its confirm)', async () => {
    for (const bucket of [svc.privateBucket, svc.publicBucket]) {
      const listed = await svc.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      const keys = (listed.Contents ?? []).map((o) => o.Key!);
      const expectedPrefix = bucket === svc.privateBucket ? 'attachments/' : 'group-assets/';
      assert.equal(keys.length, HOSTILE_OWNERS.length, `one object per owner in ${bucket}: ${keys.join(', ')}`);
      for (const key of keys) {
        assert.ok(key.startsWith(expectedPrefix), key);
        const segments = key.split('/');
        assert.equal(segments.length, 3, key);
        assert.ok(segments.every((s) => !/^\.*$/.test(s)), key);
      }
    }
  });
});
