// One caller against another's assets: a PRIVATE asset is indistinguishable from one that does not
// exist, and a PUBLIC one can be read but never written, confirmed or deleted by anyone but its owner.
import assert from 'node:assert/strict';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { after, before, describe, test } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { fixture } from '../support/fixtures.js';
import { createUpload, errorOf, readyAsset, type AssetJson } from '../support/flows.js';
import { CONFIRM, DELETE, GET, GET_DOWNLOAD, uploadInput, uploadTo } from '../support/operations.js';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.js';

const PNG_BYTES = fixture('image.png');

describe("another owner's assets", () => {
  let svc: TestService;
  let alice: string;
  let bob: string;
  before(async () => {
    svc = await startTestService();
    [alice, bob] = await Promise.all([svc.token('alice'), svc.token('bob')]);
  });
  after(() => svc.stop());

  /** The error with the asset id blanked out, so that two answers can be compared whole. */
  function withoutId(response: GraphQLResponse, id: string): unknown {
    const error = errorOf(response, 'NOT_FOUND');
    return JSON.parse(JSON.stringify(error).replaceAll(id, '<id>'));
  }

  async function assertLooksNonexistent(operation: string, asset: AssetJson): Promise<void> {
    const stranger = uuidv7();
    const forAsset = withoutId(await svc.gql(operation, { id: asset.id }, bob), asset.id);
    const forNothing = withoutId(await svc.gql(operation, { id: stranger }, bob), stranger);
    assert.deepEqual(forAsset, forNothing);
  }

  async function assertUntouched(asset: AssetJson, status: string): Promise<void> {
    const { data } = await svc.gql(GET, { id: asset.id }, alice);
    assert.equal(data!.asset.status, status);
  }

  test("bob's asset(id) of alice's PRIVATE asset is null, pending or READY, exactly as for an id that does not exist", async () => {
    const pending = await createUpload(svc, alice, uploadInput());
    const ready = await readyAsset(svc, alice, uploadInput(), 'hello world');
    for (const asset of [pending, ready]) {
      const seen = await svc.gql(GET_DOWNLOAD, { id: asset.id, ttl: 60 }, bob);
      assert.deepEqual(seen, { status: 200, data: { asset: null } });
    }
    assert.deepEqual(await svc.gql(GET, { id: uuidv7() }, bob), { status: 200, data: { asset: null } });
  });

  test("bob's confirm of alice's PRIVATE asset is NOT_FOUND with the same answer as for a random id, and changes nothing", async () => {
    const asset = await createUpload(svc, alice, uploadInput());
    assert.equal((await uploadTo(asset, 'hello world')).status, 200);
    await assertLooksNonexistent(CONFIRM, asset);
    await assertUntouched(asset, 'PENDING');
  });

  test("bob's delete of alice's PRIVATE asset is NOT_FOUND with the same answer as for a random id, and the object stays", async () => {
    const asset = await readyAsset(svc, alice, uploadInput(), 'hello world');
    await assertLooksNonexistent(DELETE, asset);
    await assertUntouched(asset, 'READY');
    await svc.s3.send(new HeadObjectCommand({ Bucket: asset.storageBucket, Key: asset.storageKey }));
  });

  test('ids that are not UUIDs (SQL included) answer exactly like missing assets, and the table stays intact', async () => {
    for (const id of ['not-a-uuid', "'; DROP TABLE assets; --", '00000000-0000-0000-0000-00000000000g']) {
      assert.deepEqual(await svc.gql(GET, { id }, alice), { status: 200, data: { asset: null } });
      const error = errorOf(await svc.gql(CONFIRM, { id }, alice), 'NOT_FOUND');
      assert.match(error.message, /does not exist or is not visible to you/);
    }
    await svc.db.query('SELECT 1 FROM assets LIMIT 1');
  });

  test("bob sees alice's pending PUBLIC asset but never its uploadUrl, uploadHeaders or idempotencyKey", async () => {
    const asset = await createUpload(svc, alice, uploadInput({ namespace: 'group-assets', filename: 'logo.png', mimeType: 'image/png', sizeBytes: PNG_BYTES.length, idempotencyKey: 'alice-logo-v1' }));
    const { data } = await svc.gql(GET, { id: asset.id }, bob);
    assert.equal(data!.asset.id, asset.id);
    assert.equal(data!.asset.status, 'PENDING');
    assert.equal(data!.asset.uploadUrl, null);
    assert.equal(data!.asset.uploadHeaders, null);
    assert.equal(data!.asset.idempotencyKey, null);
    const own = await svc.gql(GET, { id: asset.id }, alice);
    assert.match(own.data!.asset.uploadUrl, /X-Amz-Signature=/, 'the owner still sees it: the null above is about bob');
    assert.equal(own.data!.asset.idempotencyKey, 'alice-logo-v1');
  });

  test("bob cannot confirm or delete alice's PUBLIC asset (FORBIDDEN), and alice's upload goes on unharmed", async () => {
    const asset = await createUpload(svc, alice, uploadInput({ namespace: 'group-assets', filename: 'logo.png', mimeType: 'image/png', sizeBytes: PNG_BYTES.length }));
    assert.equal((await uploadTo(asset, PNG_BYTES)).status, 200);
    assert.match(errorOf(await svc.gql(CONFIRM, { id: asset.id }, bob), 'FORBIDDEN').message, /Only the owner/);
    assert.match(errorOf(await svc.gql(DELETE, { id: asset.id }, bob), 'FORBIDDEN').message, /Only the owner/);
    await assertUntouched(asset, 'PENDING');
    const confirmed = await svc.gql(CONFIRM, { id: asset.id }, alice);
    assert.equal(confirmed.data?.confirmAssetUpload.status, 'READY', JSON.stringify(confirmed.errors));
  });
});
