import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fixture, MIME_TYPES, sha256Base64, sha256Hex } from '../../support/fixtures.js';
import { createUpload, uploadedAsset } from '../../support/flows.js';
import { uploadTo } from '../../support/operations.js';
import { startServiceFor, type TestService } from '../../support/test-service.js';
import { assertError, assetRow, confirm, confirmReady, fixtureInput, nothingStored, objectExists, uploadLocation } from '../../support/uploads.js';

const PNG = fixture('image.png');
/** Same length as the PNG, so the signed Content-Length still matches, but other bytes. */
const TAMPERED = Buffer.from(PNG).fill(0x41, 40, 50);

const pngInput = (extra: Record<string, unknown> = {}) => fixtureInput('image.png', 'user-profiles', MIME_TYPES.png, extra);

describe('checksums are verified end to end (PostgreSQL + Ceph)', () => {
  let svc: TestService;
  let token: string;
  before(async () => ({ svc, token } = await startServiceFor('alice')));
  after(() => svc.stop());

  test('a checksum given at create is signed into the PUT as x-amz-checksum-sha256 (base64) and confirmed READY with its hex stored', async () => {
    const asset = await uploadedAsset(svc, token, pngInput({ checksum: sha256Hex(PNG) }), PNG);
    assert.deepEqual(asset.uploadHeaders.find((h) => h.name.toLowerCase() === 'x-amz-checksum-sha256')?.value, sha256Base64(PNG));
    assert.match(asset.uploadUrl, /X-Amz-SignedHeaders=[^&]*x-amz-checksum-sha256/i);
    const ready = await confirmReady(svc, token, asset.id);
    assert.equal(ready.checksum, sha256Hex(PNG));
    assert.equal((await assetRow(svc, asset.id)).checksum, sha256Hex(PNG));
  });

  test('a body whose SHA-256 differs from the declared checksum is stored by Ceph, then failed by confirm with CHECKSUM_MISMATCH and deleted', async () => {
    const asset = await createUpload(svc, token, pngInput({ checksum: sha256Hex(PNG) }));
    // Ceph 16 does not verify x-amz-checksum-sha256 against the body (R2 and S3 would refuse it here).
    const put = await uploadTo(asset, TAMPERED);
    assert.equal(put.status, 200, await put.text());
    assert.equal(await objectExists(svc, uploadLocation(svc, asset)), true);
    assertError(await confirm(svc, token, asset.id), 'INTEGRITY_ERROR', 'CHECKSUM_MISMATCH');
    assert.equal(await nothingStored(svc, asset), true);
    assert.deepEqual((await assetRow(svc, asset.id)).status, 'FAILED');
  });

  test('a checksum given in base64 at create is accepted and stored as hex', async () => {
    const asset = await uploadedAsset(svc, token, pngInput({ checksum: sha256Base64(PNG) }), PNG);
    assert.equal(asset.checksum, sha256Hex(PNG));
    assert.equal((await confirmReady(svc, token, asset.id)).checksum, sha256Hex(PNG));
  });

  test('a checksum given only at confirm, when right, makes the asset READY with that checksum stored', async () => {
    const asset = await uploadedAsset(svc, token, pngInput(), PNG);
    assert.equal(asset.checksum, null);
    const ready = await confirmReady(svc, token, asset.id, sha256Hex(PNG).toUpperCase());
    assert.equal(ready.checksum, sha256Hex(PNG));
    assert.equal((await assetRow(svc, asset.id)).checksum, sha256Hex(PNG));
  });

  test('a checksum given only at confirm, when wrong, fails the asset with CHECKSUM_MISMATCH and deletes the object', async () => {
    const asset = await uploadedAsset(svc, token, pngInput(), PNG);
    assertError(await confirm(svc, token, asset.id, sha256Base64(TAMPERED)), 'INTEGRITY_ERROR', 'CHECKSUM_MISMATCH');
    assert.equal(await nothingStored(svc, asset), true);
    assert.equal((await assetRow(svc, asset.id)).failure_reason, 'CHECKSUM_MISMATCH');
  });

  test('a checksum at confirm that contradicts the one declared at create is a VALIDATION_ERROR that changes nothing, and the right confirm then succeeds', async () => {
    const asset = await uploadedAsset(svc, token, pngInput({ checksum: sha256Hex(PNG) }), PNG);
    const refused = await confirm(svc, token, asset.id, sha256Hex(TAMPERED));
    assertError(refused, 'VALIDATION_ERROR');
    assert.equal(refused.errors![0]!.extensions.field, 'checksum');
    assert.match(refused.errors![0]!.message, /differs from the SHA-256 declared at createAssetUpload .*nothing was changed: confirm with that checksum, or with none\.$/);
    assert.equal((await assetRow(svc, asset.id)).status, 'PENDING');
    assert.equal(await objectExists(svc, uploadLocation(svc, asset)), true, 'the upload is kept');
    assert.equal((await confirmReady(svc, token, asset.id, sha256Base64(PNG))).checksum, sha256Hex(PNG));
    const repeated = await confirm(svc, token, asset.id, sha256Hex(TAMPERED));
    assertError(repeated, 'VALIDATION_ERROR');
    assert.match(repeated.errors![0]!.message, /differs from the SHA-256 of the stored bytes/, 'a READY asset is not confirmed for other bytes either');
    await confirmReady(svc, token, asset.id); // and stays READY
  });

  test('repeating a create without its checksum after a confirm that gave one returns the same READY asset; another checksum is a CONFLICT', async () => {
    const input = pngInput({ idempotencyKey: `logo-${Date.now()}` });
    const asset = await uploadedAsset(svc, token, input, PNG);
    await confirmReady(svc, token, asset.id, sha256Hex(PNG));
    const again = await createUpload(svc, token, input);
    assert.deepEqual({ id: again.id, status: again.status }, { id: asset.id, status: 'READY' });
    const sameChecksum = await createUpload(svc, token, { ...input, checksum: sha256Base64(PNG) });
    assert.equal(sameChecksum.id, asset.id);
    const other = await svc.gql(`mutation($input: CreateAssetUploadInput!) { createAssetUpload(input: $input) { id } }`, { input: { ...input, checksum: sha256Hex(TAMPERED) } }, token);
    assertError(other, 'CONFLICT');
    assert.deepEqual(other.errors![0]!.extensions.differingFields, ['checksum']);
  });

  test('a checksum that is not a SHA-256 is a VALIDATION_ERROR at create and at confirm, and changes nothing', async () => {
    assertError(await svc.gql(`mutation($input: CreateAssetUploadInput!) { createAssetUpload(input: $input) { id } }`, { input: pngInput({ checksum: 'abc123' }) }, token), 'VALIDATION_ERROR');
    const asset = await uploadedAsset(svc, token, pngInput(), PNG);
    assertError(await confirm(svc, token, asset.id, 'not-a-digest'), 'VALIDATION_ERROR');
    assert.equal((await assetRow(svc, asset.id)).status, 'PENDING');
    assert.equal(await objectExists(svc, uploadLocation(svc, asset)), true, 'the upload waits for a valid confirm');
  });
});
