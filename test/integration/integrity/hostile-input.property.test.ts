import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { CREATE } from '../../support/operations.js';
import { startTestService, type TestService } from '../../support/test-service.js';

/** Hostile text: any code units, whole graphemes, and runs of path and encoding tricks. */
const hostileText = (maxLength: number) =>
  fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: Math.min(maxLength, 60) }),
    fc.array(fc.constantFrom('.', '..', '/', '\\', '%2e', '%2f', '\u0000', '\n', '\u202e', '\uff0f', '漢', ' ', 'a'), { minLength: 1, maxLength: 30 }).map((p) => p.join('')),
  );

/**
 * A token subject with control characters is refused at authentication (U+0000 is tested below);
 * owner ids are hostile in every other way.
 */
const hostileOwnerId = hostileText(300).map((s) => s.replaceAll('\u0000', '\u0001'));

const SHIPPED_NAMESPACES = ['user-profiles', 'group-assets', 'attachments', 'default'];

describe('createAssetUpload with hostile owner ids, filenames and MIME types, through the real API (property)', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
  });
  after(() => svc.stop());

  test('never answers INTERNAL, and every created key is <namespace>/<one safe owner segment>/<asset id>', async () => {
    let created = 0;
    await fc.assert(
      fc.asyncProperty(
        hostileOwnerId,
        fc.oneof(fc.constant('photo.png'), hostileText(300)),
        fc.oneof({ arbitrary: fc.constant('image/png'), weight: 2 }, { arbitrary: hostileText(60), weight: 1 }),
        fc.oneof(fc.constantFrom(...SHIPPED_NAMESPACES, 'no-such-namespace'), hostileText(80)),
        async (ownerId, filename, mimeType, namespace) => {
          const token = await svc.issuer.token({ sub: ownerId });
          const response = await svc.gql(CREATE, { input: { namespace, filename, mimeType, sizeBytes: 100 } }, token);
          assert.ok(response.status < 500, `HTTP ${response.status}`);
          if (response.errors) {
            const code = response.errors[0]!.extensions.code;
            assert.notEqual(code, 'INTERNAL', JSON.stringify({ ownerId, filename, mimeType, namespace, errors: response.errors }));
            return;
          }
          created++;
          const asset = response.data!.createAssetUpload;
          const [ns, owner, id, ...rest] = (asset.storageKey as string).split('/');
          assert.deepEqual([ns, id, rest], [asset.namespace, asset.id, []], asset.storageKey);
          assert.match(owner!, /^[A-Za-z0-9._-]+$/);
          assert.ok(owner !== '.' && owner !== '..', asset.storageKey);
          assert.equal(asset.ownerId, ownerId, 'the owner id itself is kept exactly');
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 60) },
    );
    assert.ok(created > 5, `only ${created} uploads were created: the property barely exercised key rendering`);
  });

  test('a token whose subject contains U+0000 is refused as UNAUTHENTICATED rather than failing inside the database', async () => {
    const response = await svc.gql(CREATE, { input: { namespace: 'attachments', filename: 'a.txt', mimeType: 'text/plain', sizeBytes: 1 } }, await svc.issuer.token({ sub: 'user\u0000x' }));
    assert.equal(response.errors?.[0]?.extensions.code, 'UNAUTHENTICATED', JSON.stringify(response.errors));
  });
});
