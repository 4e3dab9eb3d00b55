import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Asset } from '../../../src/domain/asset.js';
import { AssetError, type ErrorCode } from '../../../src/domain/errors.js';
import type { UploadRequest } from '../../../src/domain/upload-request.js';
import { PERMISSIONS } from '../../../src/domain/principal.js';
import { createHash } from 'node:crypto';
import { FakeObjectStorage, principal, serviceWithFakes, TEST_SETTINGS } from '../fakes.js';

const alice = principal('alice');
const bob = principal('bob');
const MISSING_ID = '00000000-0000-7000-8000-999999999999';

function request(overrides: Partial<UploadRequest> = {}): UploadRequest {
  return { namespace: 'default', filename: 'photo.png', mimeType: 'image/png', sizeBytes: 1000, ...overrides };
}

/** Matches an AssetError with this code (and, when given, details.field). */
function isAssetError(code: ErrorCode, field?: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof AssetError, `expected an AssetError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (field !== undefined) assert.equal(error.details.field, field, error.message);
    return true;
  };
}

type Fakes = ReturnType<typeof serviceWithFakes>;

async function uploaded(f: Fakes, asset: Asset, object: { sizeBytes?: number; contentType?: string; body?: string } = {}): Promise<void> {
  f.storage.putUpload(asset, { sizeBytes: object.sizeBytes ?? asset.sizeBytes, contentType: object.contentType ?? asset.mimeType, body: object.body });
}

/** Runs `before` once, as confirm's copy starts: what a racing PUT or confirm does between check and copy. */
function beforeFirstCopy(f: Fakes, before: () => Promise<void>): void {
  const copyObject = f.storage.copyObject.bind(f.storage);
  f.storage.copyObject = async (source, target) => {
    f.storage.copyObject = copyObject;
    await before();
    return copyObject(source, target);
  };
}

async function readyAsset(f: Fakes, owner = alice, overrides: Partial<UploadRequest> = {}): Promise<Asset> {
  const asset = await f.service.createUpload(owner, request(overrides));
  await uploaded(f, asset);
  return f.service.confirmUpload(owner, asset.id);
}

describe('AssetService.createUpload', () => {
  test('stores a PENDING asset in the namespace bucket, keyed under namespace and owner, expiring after the upload TTL', async () => {
    const f = serviceWithFakes();
    f.clock.advanceSeconds(0.75);
    const asset = await f.service.createUpload(alice, request({ idempotencyKey: 'k-1' }));
    assert.equal(asset.status, 'PENDING');
    assert.equal(asset.ownerId, 'alice');
    assert.equal(asset.storageBucket, 'bucket-private');
    assert.equal(asset.storageRegion, 'test-region');
    assert.equal(asset.storageKey, `default/alice/${asset.id}`);
    assert.equal(asset.createdAt.getTime() % 1000, 0, 'createdAt is truncated to whole seconds');
    assert.equal(asset.uploadExpiresAt.getTime() - asset.createdAt.getTime(), 900_000);
    assert.equal(asset.idempotencyKey, 'k-1');
    assert.deepEqual(await f.repository.findById(asset.id), asset);
  });

  test('puts PUBLIC namespaces in the public bucket and honours a namespace upload TTL', async () => {
    const f = serviceWithFakes();
    const logo = await f.service.createUpload(alice, request({ namespace: 'logos', mimeType: 'image/svg+xml', filename: 'logo.svg' }));
    assert.equal(logo.visibility, 'PUBLIC');
    assert.equal(logo.storageBucket, 'bucket-public');
    const doc = await f.service.createUpload(alice, request({ namespace: 'docs', mimeType: 'application/pdf', filename: 'a.pdf' }));
    assert.equal(doc.uploadExpiresAt.getTime() - doc.createdAt.getTime(), 60_000);
  });

  test('falls back to the default namespace for an unknown but well-formed name, with its rules', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request({ namespace: 'no-such-namespace' }));
    assert.equal(asset.namespace, 'default');
    assert.equal(asset.visibility, 'PRIVATE');
    assert.ok(asset.storageKey.startsWith('default/'));
    await assert.rejects(f.service.createUpload(alice, request({ namespace: 'no-such-namespace', mimeType: 'application/pdf' })), isAssetError('VALIDATION_ERROR', 'mimeType'));
  });

  const invalid: [string, Partial<UploadRequest>, string][] = [
    ['a namespace with capitals and spaces', { namespace: 'Bad Name' }, 'namespace'],
    ['a namespace with a path', { namespace: '../default' }, 'namespace'],
    ['an empty namespace', { namespace: '' }, 'namespace'],
    ['a MIME type the namespace does not allow', { mimeType: 'application/pdf' }, 'mimeType'],
    ['a malformed MIME type', { mimeType: 'PNG' }, 'mimeType'],
    ['a MIME type with parameters', { mimeType: 'image/png; charset=x' }, 'mimeType'],
    ['a size of zero', { sizeBytes: 0 }, 'sizeBytes'],
    ['a negative size', { sizeBytes: -5 }, 'sizeBytes'],
    ['a fractional size', { sizeBytes: 1.5 }, 'sizeBytes'],
    ['a size above the namespace limit', { sizeBytes: 2 * 1024 * 1024 + 1 }, 'sizeBytes'],
    ['an empty filename', { filename: '' }, 'filename'],
    ['a filename with a slash', { filename: '../etc/passwd' }, 'filename'],
    ['a filename with a backslash', { filename: 'a\\b.png' }, 'filename'],
    ['a filename of ".."', { filename: '..' }, 'filename'],
    ['a filename with a control character', { filename: 'a\u0000.png' }, 'filename'],
    ['a filename longer than 255 characters', { filename: `${'a'.repeat(252)}.png` }, 'filename'],
    ['a filename with an unpaired UTF-16 surrogate', { filename: '\ud800x.png' }, 'filename'],
    ['an idempotency key with spaces', { idempotencyKey: 'has space' }, 'idempotencyKey'],
    ['an empty idempotency key', { idempotencyKey: '' }, 'idempotencyKey'],
  ];
  for (const [what, overrides, field] of invalid) {
    test(`rejects ${what} with VALIDATION_ERROR naming ${field}, storing nothing`, async () => {
      const f = serviceWithFakes();
      await assert.rejects(f.service.createUpload(alice, request(overrides)), isAssetError('VALIDATION_ERROR', field));
      assert.equal(f.repository.rows.size, 0);
    });
  }

  test('accepts a filename with characters outside the BMP (surrogate pairs), such as emoji', async () => {
    const f = serviceWithFakes();
    assert.equal((await f.service.createUpload(alice, request({ filename: 'party 🎉.png' }))).originalFilename, 'party 🎉.png');
  });

  test('applies the global upload cap when it is lower than the namespace limit, naming the cap, not the namespace', async () => {
    const f = serviceWithFakes({ maxUploadBytes: 500 });
    await assert.rejects(f.service.createUpload(alice, request({ sizeBytes: 501 })), (error: AssetError) => {
      assert.equal(error.details.field, 'sizeBytes');
      assert.match(error.message, /this service accepts at most 500 bytes per upload \(STORAGE_MAX_UPLOAD_BYTES\)/);
      return true;
    });
    assert.equal((await f.service.createUpload(alice, request({ sizeBytes: 500 }))).sizeBytes, 500);
  });

  test('refuses a caller without the upload permission with FORBIDDEN, storing nothing', async () => {
    const f = serviceWithFakes();
    const viewer = principal('alice', [PERMISSIONS.view, PERMISSIONS.delete]);
    await assert.rejects(f.service.createUpload(viewer, request()), (e: unknown) => {
      isAssetError('FORBIDDEN')(e);
      assert.equal((e as AssetError).details.requiredPermission, PERMISSIONS.upload);
      return true;
    });
    assert.equal(f.repository.rows.size, 0);
  });
});

describe('AssetService.createUpload with an idempotency key', () => {
  test('returns the same asset for the same key and upload, storing one row', async () => {
    const f = serviceWithFakes();
    const first = await f.service.createUpload(alice, request({ idempotencyKey: 'retry-1' }));
    f.clock.advanceSeconds(600);
    const second = await f.service.createUpload(alice, request({ idempotencyKey: 'retry-1' }));
    assert.equal(second.id, first.id);
    assert.equal(f.repository.rows.size, 1);
  });

  test('keeps keys per owner: the same key from another owner creates another asset', async () => {
    const f = serviceWithFakes();
    const a = await f.service.createUpload(alice, request({ idempotencyKey: 'shared' }));
    const b = await f.service.createUpload(bob, request({ idempotencyKey: 'shared' }));
    assert.notEqual(a.id, b.id);
    assert.equal(b.ownerId, 'bob');
  });

  test('reports CONFLICT, naming the differing fields, when a key is reused with a different size', async () => {
    const f = serviceWithFakes();
    const first = await f.service.createUpload(alice, request({ idempotencyKey: 'k' }));
    await assert.rejects(f.service.createUpload(alice, request({ idempotencyKey: 'k', sizeBytes: 2000 })), (e: unknown) => {
      isAssetError('CONFLICT')(e);
      assert.deepEqual((e as AssetError).details, { assetId: first.id, differingFields: ['sizeBytes'] });
      return true;
    });
    assert.equal(f.repository.rows.size, 1);
  });

  test('lets the key of a FAILED asset start a new asset', async () => {
    const f = serviceWithFakes();
    const failed = await f.service.createUpload(alice, request({ idempotencyKey: 'k' }));
    await assert.rejects(f.service.confirmUpload(alice, failed.id), isAssetError('STATE_ERROR'));
    const retry = await f.service.createUpload(alice, request({ idempotencyKey: 'k' }));
    assert.notEqual(retry.id, failed.id);
    assert.equal(retry.status, 'PENDING');
    assert.equal((await f.repository.findById(failed.id))?.idempotencyKey, null);
  });

  test('lets the key of a DELETED asset start a new asset', async () => {
    const f = serviceWithFakes();
    const first = await f.service.createUpload(alice, request({ idempotencyKey: 'k' }));
    await f.service.delete(alice, first.id);
    const retry = await f.service.createUpload(alice, request({ idempotencyKey: 'k' }));
    assert.notEqual(retry.id, first.id);
  });

  test('a repeat after the upload URL died and its grace passed, with nothing uploaded, fails the old asset (UPLOAD_EXPIRED) and starts a new one', async () => {
    const f = serviceWithFakes({ uploadGraceSeconds: 300 });
    const abandoned = await f.service.createUpload(alice, request({ idempotencyKey: 'k' }));
    f.clock.advanceSeconds(900 + 299);
    assert.equal((await f.service.createUpload(alice, request({ idempotencyKey: 'k' }))).id, abandoned.id, 'within the grace a PUT may still be streaming: the same asset');
    assert.equal((await f.repository.findById(abandoned.id))?.status, 'PENDING');
    f.clock.advanceSeconds(1);
    const retry = await f.service.createUpload(alice, request({ idempotencyKey: 'k' }));
    assert.notEqual(retry.id, abandoned.id);
    assert.equal(retry.status, 'PENDING');
    const old = await f.repository.findById(abandoned.id);
    assert.deepEqual({ status: old?.status, failureReason: old?.failureReason }, { status: 'FAILED', failureReason: 'UPLOAD_EXPIRED' });
    assert.deepEqual(f.events.filter((e) => e.asset.id === abandoned.id).map((e) => [e.type, e.actor]), [['asset.created', 'alice'], ['asset.expired', 'alice']]);
  });

  test('a repeat after the upload URL died, with the bytes uploaded but never confirmed, returns the asset READY', async () => {
    const f = serviceWithFakes();
    const pending = await f.service.createUpload(alice, request({ idempotencyKey: 'k' }));
    await uploaded(f, pending);
    f.clock.advanceSeconds(900 + TEST_SETTINGS.uploadGraceSeconds);
    const repeat = await f.service.createUpload(alice, request({ idempotencyKey: 'k' }));
    assert.deepEqual({ id: repeat.id, status: repeat.status }, { id: pending.id, status: 'READY' });
    assert.equal(f.repository.rows.size, 1);
  });

  test('a repeat whose settle storage fails gets the asset as it was, for the expiry job to settle later', async (t) => {
    const f = serviceWithFakes();
    const abandoned = await f.service.createUpload(alice, request({ idempotencyKey: 'k' }));
    f.clock.advanceSeconds(900 + TEST_SETTINGS.uploadGraceSeconds);
    t.mock.method(f.storage, 'sampleObject', async () => {
      throw new AssetError('STORAGE_UNAVAILABLE', 'storage is down');
    });
    const repeat = await f.service.createUpload(alice, request({ idempotencyKey: 'k' }));
    assert.deepEqual({ id: repeat.id, status: repeat.status }, { id: abandoned.id, status: 'PENDING' });
  });

  test('creates a new asset once the idempotency window has passed', async () => {
    const f = serviceWithFakes({ idempotencyWindowSeconds: 100 });
    const first = await f.service.createUpload(alice, request({ idempotencyKey: 'k' }));
    f.clock.advanceSeconds(99);
    assert.equal((await f.service.createUpload(alice, request({ idempotencyKey: 'k' }))).id, first.id);
    f.clock.advanceSeconds(1);
    const later = await f.service.createUpload(alice, request({ idempotencyKey: 'k' }));
    assert.notEqual(later.id, first.id);
    assert.equal(f.repository.rows.size, 2);
  });
});

describe('AssetService.confirmUpload', () => {
  test('marks an upload READY when the object has the declared size and type', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request());
    await uploaded(f, asset);
    const ready = await f.service.confirmUpload(alice, asset.id);
    assert.equal(ready.status, 'READY');
    assert.equal((await f.repository.findById(asset.id))?.status, 'READY');
  });

  test('fails with STATE_ERROR before the upload and leaves the asset FAILED with OBJECT_MISSING', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request());
    await assert.rejects(f.service.confirmUpload(alice, asset.id), (e: unknown) => {
      isAssetError('STATE_ERROR')(e);
      assert.equal((e as AssetError).details.failureReason, 'OBJECT_MISSING');
      return true;
    });
    const stored = await f.repository.findById(asset.id);
    assert.equal(stored?.status, 'FAILED');
    assert.equal(stored?.failureReason, 'OBJECT_MISSING');
  });

  test('fails with INTEGRITY_ERROR on a size mismatch, deletes the object and leaves the asset FAILED', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request());
    await uploaded(f, asset, { sizeBytes: 999 });
    await assert.rejects(f.service.confirmUpload(alice, asset.id), (e: unknown) => {
      isAssetError('INTEGRITY_ERROR')(e);
      assert.equal((e as AssetError).details.failureReason, 'SIZE_MISMATCH');
      return true;
    });
    assert.equal(f.storage.objects.size, 0);
    const stored = await f.repository.findById(asset.id);
    assert.equal(stored?.status, 'FAILED');
    assert.equal(stored?.failureReason, 'SIZE_MISMATCH');
  });

  test('fails with INTEGRITY_ERROR when the object was stored with another Content-Type', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request());
    await uploaded(f, asset, { contentType: 'text/html' });
    await assert.rejects(f.service.confirmUpload(alice, asset.id), isAssetError('INTEGRITY_ERROR'));
    assert.equal((await f.repository.findById(asset.id))?.failureReason, 'CONTENT_TYPE_MISMATCH');
    assert.equal(f.storage.objects.size, 0);
  });

  test('returns a READY asset unchanged without asking storage again', async () => {
    const f = serviceWithFakes();
    const ready = await readyAsset(f);
    const reads = f.storage.calls.filter((c) => c.startsWith('sampleObject')).length;
    assert.deepEqual(await f.service.confirmUpload(alice, ready.id), ready);
    assert.equal(f.storage.calls.filter((c) => c.startsWith('sampleObject')).length, reads);
  });

  test('refuses to confirm a FAILED asset with STATE_ERROR', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request());
    await assert.rejects(f.service.confirmUpload(alice, asset.id));
    await uploaded(f, asset);
    await assert.rejects(f.service.confirmUpload(alice, asset.id), isAssetError('STATE_ERROR'));
    assert.equal((await f.repository.findById(asset.id))?.status, 'FAILED');
  });

  test('two concurrent confirmations both return the READY asset', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request());
    await uploaded(f, asset);
    const [a, b] = await Promise.all([f.service.confirmUpload(alice, asset.id), f.service.confirmUpload(alice, asset.id)]);
    assert.equal(a.status, 'READY');
    assert.equal(b.status, 'READY');
  });
});

describe('AssetService staging of uploads', () => {
  const atKey = (asset: Asset) => FakeObjectStorage.id(asset.storageBucket, asset.storageKey);
  const atStaging = (asset: Asset) => FakeObjectStorage.uploadId(asset);

  test('confirm copies the checked upload to the asset key with its type, immutable caching for a PUBLIC asset', async () => {
    const f = serviceWithFakes();
    const logo = await f.service.createUpload(alice, request({ namespace: 'logos' }));
    f.storage.putUpload(logo, { sizeBytes: logo.sizeBytes, contentType: logo.mimeType, body: 'LOGO' });
    await f.service.confirmUpload(alice, logo.id);
    assert.deepEqual(f.storage.objects.get(atKey(logo)), { sizeBytes: logo.sizeBytes, contentType: 'image/png', body: 'LOGO', cacheControl: 'public, max-age=31536000, immutable' });
    assert.ok(atKey(logo).startsWith('bucket-public/'), 'a PUBLIC asset lands in the public bucket');
  });

  test('confirm gives a PRIVATE asset no Cache-Control', async () => {
    const f = serviceWithFakes();
    const doc = await readyAsset(f);
    assert.equal(f.storage.objects.get(atKey(doc))?.cacheControl, undefined);
  });

  test('confirm answers CONFLICT and leaves the asset PENDING when the upload is replaced between its check and its copy', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request());
    await uploaded(f, asset);
    beforeFirstCopy(f, () => uploaded(f, asset, { body: 'OTHER BYTES' }));
    await assert.rejects(f.service.confirmUpload(alice, asset.id), isAssetError('CONFLICT'));
    assert.equal((await f.repository.findById(asset.id))?.status, 'PENDING');
    assert.equal(f.storage.objects.has(atKey(asset)), false, 'bytes nobody checked never reach the asset key');
  });

  test('a failed confirm removes the upload and anything at the asset key', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request());
    await uploaded(f, asset, { contentType: 'text/html' });
    f.storage.putObject(asset.storageBucket, asset.storageKey, { sizeBytes: 1, contentType: 'image/png' });
    await assert.rejects(f.service.confirmUpload(alice, asset.id), isAssetError('INTEGRITY_ERROR'));
    assert.deepEqual([...f.storage.objects.keys()], []);
  });

  test('a confirm that makes the asset READY removes its upload, leaving the object at its key only', async () => {
    const f = serviceWithFakes();
    const doc = await readyAsset(f);
    assert.deepEqual([...f.storage.objects.keys()], [atKey(doc)]);
  });

  test('a confirm whose check fails after a racing confirm made the asset READY deletes nothing and answers STATE_ERROR', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request());
    await uploaded(f, asset);
    f.inspector.inspect = async () => {
      f.inspector.inspect = async () => null;
      await f.service.confirmUpload(alice, asset.id); // the racing confirm, checked and done first
      return 'CONTENT_MISMATCH';
    };
    await assert.rejects(f.service.confirmUpload(alice, asset.id), isAssetError('STATE_ERROR'));
    assert.equal((await f.repository.findById(asset.id))?.status, 'READY');
    assert.equal(f.storage.objects.has(atKey(asset)), true, 'the READY asset keeps its object');
  });

  test('a confirm whose copy finds the upload gone because a racing confirm finished returns the READY asset', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request());
    await uploaded(f, asset);
    beforeFirstCopy(f, async () => void (await f.service.confirmUpload(alice, asset.id)));
    const ready = await f.service.confirmUpload(alice, asset.id);
    assert.equal(ready.status, 'READY');
    assert.equal(f.events.filter((e) => e.type === 'asset.confirmed').length, 1);
  });

  test('a failed confirm whose deletes storage refuses still answers with the verdict; the expiry job deletes them later', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request());
    await uploaded(f, asset, { contentType: 'text/html' });
    f.storage.failDeletes = new AssetError('STORAGE_UNAVAILABLE', 'down');
    await assert.rejects(f.service.confirmUpload(alice, asset.id), isAssetError('INTEGRITY_ERROR'));
    assert.equal((await f.repository.findById(asset.id))?.status, 'FAILED');
    f.storage.failDeletes = null;
    await f.service.removeLateUpload((await f.repository.findById(asset.id))!);
    assert.deepEqual([...f.storage.objects.keys()], []);
  });

  test('removing a late upload of a READY asset deletes its staging key only', async () => {
    const f = serviceWithFakes();
    const doc = await readyAsset(f);
    f.storage.putUpload(doc, { sizeBytes: 1, contentType: 'image/png' });
    await f.service.removeLateUpload(doc);
    assert.deepEqual([...f.storage.objects.keys()], [atKey(doc)]);
  });

  test('removing a late upload of a FAILED asset deletes its staging key and its asset key', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request());
    await assert.rejects(f.service.confirmUpload(alice, asset.id), isAssetError('STATE_ERROR'));
    await uploaded(f, asset);
    f.storage.putObject(asset.storageBucket, asset.storageKey, { sizeBytes: asset.sizeBytes, contentType: asset.mimeType });
    await f.service.removeLateUpload((await f.repository.findById(asset.id))!);
    assert.deepEqual([f.storage.objects.has(atStaging(asset)), f.storage.objects.has(atKey(asset))], [false, false]);
  });
});

describe('AssetService access to other owners\' assets', () => {
  test('answers NOT_FOUND, shaped like a truly missing id, when a non-owner confirms or deletes a PRIVATE asset', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request());
    await uploaded(f, asset);
    const missing = await f.service.confirmUpload(bob, MISSING_ID).catch((e: AssetError) => e);
    assert.ok(missing instanceof AssetError);
    for (const attempt of [() => f.service.confirmUpload(bob, asset.id), () => f.service.delete(bob, asset.id)]) {
      const error = await attempt().then(() => assert.fail('expected NOT_FOUND'), (e: unknown) => e);
      assert.ok(error instanceof AssetError);
      assert.equal(error.code, 'NOT_FOUND');
      assert.equal(error.message.replace(asset.id, '<id>'), missing.message.replace(MISSING_ID, '<id>'));
      assert.deepEqual(error.details, missing.details);
    }
    const stored = await f.repository.findById(asset.id);
    assert.equal(stored?.status, 'PENDING');
    assert.equal(f.storage.objects.size, 1);
  });

  test('answers FORBIDDEN when a non-owner confirms or deletes a PUBLIC asset, changing nothing', async () => {
    const f = serviceWithFakes();
    const logo = await readyAsset(f, alice, { namespace: 'logos' });
    const stored = [...f.storage.objects.keys()];
    await assert.rejects(f.service.confirmUpload(bob, logo.id), isAssetError('FORBIDDEN'));
    await assert.rejects(f.service.delete(bob, logo.id), isAssetError('FORBIDDEN'));
    assert.deepEqual(await f.repository.findById(logo.id), logo);
    assert.deepEqual([...f.storage.objects.keys()], stored);
  });
});

describe('AssetService.get', () => {
  test('shows a PRIVATE asset to its owner only', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request());
    assert.equal((await f.service.get(alice, asset.id))?.id, asset.id);
    assert.equal(await f.service.get(bob, asset.id), null);
  });

  test('shows a PUBLIC asset to any caller with the view permission', async () => {
    const f = serviceWithFakes();
    const logo = await f.service.createUpload(alice, request({ namespace: 'logos' }));
    assert.equal((await f.service.get(bob, logo.id))?.id, logo.id);
  });

  test('hides DELETED assets, even from their owner, and returns null for unknown ids', async () => {
    const f = serviceWithFakes();
    const logo = await readyAsset(f, alice, { namespace: 'logos' });
    await f.service.delete(alice, logo.id);
    assert.equal(await f.service.get(alice, logo.id), null);
    assert.equal(await f.service.get(bob, logo.id), null);
    assert.equal(await f.service.get(alice, MISSING_ID), null);
  });

  test('requires the view permission', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request());
    await assert.rejects(f.service.get(principal('alice', [PERMISSIONS.upload]), asset.id), isAssetError('FORBIDDEN'));
  });
});

describe('AssetService URLs', () => {
  test('gives the owner of a PENDING asset an upload URL signed at creation for the declared headers', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request());
    const url = new URL(f.service.uploadUrl(alice, asset) ?? assert.fail('expected an upload URL'));
    assert.equal(url.pathname, `/bucket-private/~uploads/${asset.id}`, 'the upload waits under its staging key for the confirm');
    assert.deepEqual([...url.searchParams.keys()].sort(), ['at', 'content-length', 'content-type', 'exp'], 'only the declared type and size are asked of the PUT');
    assert.equal(url.searchParams.get('content-type'), 'image/png');
    assert.equal(url.searchParams.get('content-length'), '1000');
    assert.equal(url.searchParams.get('at'), asset.createdAt.toISOString());
    assert.equal(url.searchParams.get('exp'), '900');
  });

  test('never gives a non-owner the upload URL, even of a PUBLIC asset', async () => {
    const f = serviceWithFakes();
    const logo = await f.service.createUpload(alice, request({ namespace: 'logos' }));
    assert.equal(f.service.uploadUrl(bob, logo), null);
  });

  test('stops giving the upload URL when the upload window closes', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request());
    f.clock.advanceSeconds(899);
    assert.notEqual(f.service.uploadUrl(alice, asset), null);
    f.clock.advanceSeconds(1);
    assert.equal(f.service.uploadUrl(alice, asset), null);
  });

  test('gives no upload URL once the asset is READY', async () => {
    const f = serviceWithFakes();
    assert.equal(f.service.uploadUrl(alice, await readyAsset(f)), null);
  });

  test('gives a public URL for READY PUBLIC assets only', async () => {
    const f = serviceWithFakes();
    const logo = await readyAsset(f, alice, { namespace: 'logos' });
    assert.equal(f.service.publicUrl(logo), `https://cdn.test/${logo.storageKey}`);
    assert.equal(f.service.publicUrl(await f.service.createUpload(alice, request({ namespace: 'logos' }))), null);
    assert.equal(f.service.publicUrl(await readyAsset(f)), null);
  });

  test('gives a download URL for READY PRIVATE assets only', async () => {
    const f = serviceWithFakes();
    const doc = await readyAsset(f);
    assert.equal(f.service.downloadUrl(alice, doc, 60), `https://storage.test/bucket-private/${doc.storageKey}?ttl=60`);
    assert.equal(f.service.downloadUrl(alice, await readyAsset(f, alice, { namespace: 'logos' }), 60), null);
    assert.equal(f.service.downloadUrl(alice, await f.service.createUpload(alice, request()), 60), null);
  });

  test('never gives a download URL of a PRIVATE asset to anyone but its owner, whatever row it is handed', async () => {
    const f = serviceWithFakes();
    const doc = await readyAsset(f);
    assert.equal(f.service.downloadUrl(bob, doc, 60), null);
    assert.notEqual(f.service.downloadUrl(alice, doc, 60), null);
  });

  test('caps the download TTL at the configured maximum', async () => {
    const f = serviceWithFakes({ maxDownloadTtlSeconds: 600 });
    const doc = await readyAsset(f);
    assert.match(f.service.downloadUrl(alice, doc, 86_400) ?? '', /\?ttl=600$/);
    assert.match(f.service.downloadUrl(alice, doc, 600) ?? '', /\?ttl=600$/);
  });

  test('gives download URLs only to a token that may view, and upload URLs only to one that may upload: null for the others', async () => {
    const f = serviceWithFakes();
    const uploadOnly = principal('alice', [PERMISSIONS.upload]);
    const viewOnly = principal('alice', [PERMISSIONS.view]);
    const doc = await readyAsset(f);
    assert.equal(f.service.downloadUrl(uploadOnly, doc, 60), null);
    assert.notEqual(f.service.downloadUrl(viewOnly, doc, 60), null);
    const pending = await f.service.createUpload(alice, request());
    assert.equal(f.service.uploadUrl(viewOnly, pending), null);
    assert.equal(f.service.uploadHeaders(viewOnly, pending), null);
    assert.notEqual(f.service.uploadUrl(uploadOnly, pending), null);
  });

  for (const ttl of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    test(`rejects a download TTL of ${ttl} with VALIDATION_ERROR naming ttlSeconds`, async () => {
      const f = serviceWithFakes();
      const doc = await readyAsset(f);
      assert.throws(() => f.service.downloadUrl(alice, doc, ttl), isAssetError('VALIDATION_ERROR', 'ttlSeconds'));
    });
  }
});

describe('AssetService.delete', () => {
  test('removes the object before marking the asset DELETED by its owner', async () => {
    const f = serviceWithFakes();
    const doc = await readyAsset(f);
    const statusWhenObjectDeleted: string[] = [];
    const deleteObject = f.storage.deleteObject.bind(f.storage);
    f.storage.deleteObject = async (bucket, key) => {
      statusWhenObjectDeleted.push(f.repository.rows.get(doc.id)?.status ?? 'gone');
      return deleteObject(bucket, key);
    };
    assert.equal(await f.service.delete(alice, doc.id), true);
    assert.deepEqual(statusWhenObjectDeleted, ['READY', 'READY'], 'the object and its upload, both while the asset was READY');
    assert.equal(f.storage.objects.size, 0);
    const stored = await f.repository.findById(doc.id);
    assert.equal(stored?.status, 'DELETED');
    assert.equal(stored?.deletedBy, 'alice');
    assert.ok(stored?.deletedAt instanceof Date);
  });

  test('leaves the asset unchanged when storage fails to delete the object', async () => {
    const f = serviceWithFakes();
    const doc = await readyAsset(f);
    f.storage.failDeletes = new AssetError('STORAGE_UNAVAILABLE', 'storage down');
    await assert.rejects(f.service.delete(alice, doc.id), isAssetError('STORAGE_UNAVAILABLE'));
    assert.deepEqual(await f.repository.findById(doc.id), doc);
  });

  test('answers NOT_FOUND for an already deleted asset', async () => {
    const f = serviceWithFakes();
    const doc = await readyAsset(f);
    await f.service.delete(alice, doc.id);
    await assert.rejects(f.service.delete(alice, doc.id), isAssetError('NOT_FOUND'));
  });

  test('requires the delete permission', async () => {
    const f = serviceWithFakes();
    const doc = await readyAsset(f);
    const stored = [...f.storage.objects.keys()];
    await assert.rejects(f.service.delete(principal('alice', [PERMISSIONS.view, PERMISSIONS.upload]), doc.id), isAssetError('FORBIDDEN'));
    assert.deepEqual([...f.storage.objects.keys()], stored);
  });
});

describe('AssetService.confirmUpload content checks', () => {
  const BODY = 'the bytes of the file';
  const SHA256 = createHash('sha256').update(BODY).digest('hex');
  const size = Buffer.byteLength(BODY);

  test('stores the verified checksum when the bytes match the one declared at create', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request({ sizeBytes: size, checksum: SHA256.toUpperCase() }));
    assert.equal(asset.checksum, SHA256, 'declared checksums are kept as lowercase hex');
    f.storage.putUpload(asset, { sizeBytes: size, contentType: 'image/png', body: BODY });
    const ready = await f.service.confirmUpload(alice, asset.id);
    assert.equal(ready.status, 'READY');
    assert.equal(ready.checksum, SHA256);
  });

  test('accepts a base64 checksum as the same digest', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request({ sizeBytes: size, checksum: Buffer.from(SHA256, 'hex').toString('base64') }));
    assert.equal(asset.checksum, SHA256);
  });

  test('rejects a malformed checksum with VALIDATION_ERROR naming checksum', async () => {
    const f = serviceWithFakes();
    await assert.rejects(f.service.createUpload(alice, request({ checksum: 'md5:abc' })), isAssetError('VALIDATION_ERROR', 'checksum'));
    assert.equal(f.repository.rows.size, 0);
  });

  test('fails with INTEGRITY_ERROR CHECKSUM_MISMATCH when the stored bytes differ, deleting them', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request({ sizeBytes: size, checksum: SHA256 }));
    f.storage.putUpload(asset, { sizeBytes: size, contentType: 'image/png', body: 'THE BYTES OF THE FILE' });
    await assert.rejects(f.service.confirmUpload(alice, asset.id), (e: unknown) => {
      isAssetError('INTEGRITY_ERROR')(e);
      assert.equal((e as AssetError).details.failureReason, 'CHECKSUM_MISMATCH');
      return true;
    });
    assert.equal(f.storage.objects.size, 0);
    assert.equal((await f.repository.findById(asset.id))?.status, 'FAILED');
  });

  test('refuses a checksum at confirm that contradicts the declared one as VALIDATION_ERROR, leaving the asset PENDING', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request({ sizeBytes: size, checksum: SHA256 }));
    f.storage.putUpload(asset, { sizeBytes: size, contentType: 'image/png', body: BODY });
    await assert.rejects(f.service.confirmUpload(alice, asset.id, 'f'.repeat(64)), isAssetError('VALIDATION_ERROR'));
    assert.equal((await f.repository.findById(asset.id))?.status, 'PENDING');
  });

  test('checks a checksum given only at confirm against the stored bytes', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request({ sizeBytes: size }));
    f.storage.putUpload(asset, { sizeBytes: size, contentType: 'image/png', body: BODY });
    assert.equal((await f.service.confirmUpload(alice, asset.id, SHA256)).checksum, SHA256);
  });

  test('fails with INTEGRITY_ERROR and the inspector\'s reason when the content is not what was declared', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request());
    await uploaded(f, asset);
    f.inspector.verdict = 'CONTENT_MISMATCH';
    await assert.rejects(f.service.confirmUpload(alice, asset.id), isAssetError('INTEGRITY_ERROR'));
    const stored = await f.repository.findById(asset.id);
    assert.equal(stored?.status, 'FAILED');
    assert.equal(stored?.failureReason, 'CONTENT_MISMATCH');
    assert.equal(f.storage.objects.size, 0);
    assert.equal(f.inspector.inspected, 1);
  });
});

describe('lifecycle events for the audit trail', () => {
  test('create, confirm and delete each emit one event naming the asset, its owner and the request', async () => {
    const f = serviceWithFakes();
    const caller = { ...alice, requestId: 'req-1' };
    const asset = await f.service.createUpload(caller, request());
    await uploaded(f, asset);
    await f.service.confirmUpload(caller, asset.id);
    await f.service.delete(caller, asset.id);
    assert.deepEqual(
      f.events.map((e) => [e.type, e.asset.id, e.actor, e.requestId]),
      [
        ['asset.created', asset.id, 'alice', 'req-1'],
        ['asset.confirmed', asset.id, 'alice', 'req-1'],
        ['asset.deleted', asset.id, 'alice', 'req-1'],
      ],
    );
  });

  test('a failed confirm emits asset.failed with the reason, and an idempotent repeat of create emits nothing', async () => {
    const f = serviceWithFakes();
    const asset = await f.service.createUpload(alice, request({ idempotencyKey: 'k1' }));
    await f.service.createUpload(alice, request({ idempotencyKey: 'k1' }));
    await assert.rejects(f.service.confirmUpload(alice, asset.id), isAssetError('STATE_ERROR'));
    assert.deepEqual(f.events.map((e) => [e.type, e.reason]), [['asset.created', undefined], ['asset.failed', 'OBJECT_MISSING']]);
  });
});
