// Storage itself enforces what the client declared: Content-Type and Content-Length are signed into
// the upload URL, so Ceph refuses any other PUT, and confirm then finds nothing and fails the asset.
import assert from 'node:assert/strict';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { after, before, describe, test } from 'node:test';
import { countAssets, createUpload, errorOf, type AssetJson } from '../support/flows.js';
import { CONFIRM, GET, uploadInput } from '../support/operations.js';
import { startServiceFor, type TestService } from '../support/test-service.js';

const DECLARED = 'hello world'; // 11 bytes, as uploadInput() declares

describe('uploads that storage refuses, and confirming them', () => {
  let svc: TestService;
  let token: string;
  before(async () => ({ svc, token } = await startServiceFor('refused-uploader')));
  after(() => svc.stop());

  /** PUTs with the signed headers, except those in `override`. */
  function putWith(asset: AssetJson, body: string, override: Record<string, string> = {}): Promise<Response> {
    const headers = Object.fromEntries(asset.uploadHeaders.map((h) => [h.name.toLowerCase(), h.value]));
    return fetch(asset.uploadUrl, { method: 'PUT', body, headers: { ...headers, ...override } });
  }

  async function assertNoObject(asset: AssetJson): Promise<void> {
    await assert.rejects(svc.s3.send(new HeadObjectCommand({ Bucket: asset.storageBucket, Key: asset.storageKey })), { name: 'NotFound' });
  }

  async function assertConfirmFailsAsMissing(id: string): Promise<void> {
    const error = errorOf(await svc.gql(CONFIRM, { id }, token), 'STATE_ERROR');
    assert.equal(error.extensions.failureReason, 'OBJECT_MISSING');
    assert.match(error.message, /PUT the file first/);
    const { data } = await svc.gql(GET, { id }, token);
    assert.equal(data!.asset.status, 'FAILED');
    assert.equal(data!.asset.failureReason, 'OBJECT_MISSING');
  }

  for (const [what, body, override] of [
    ['another Content-Type', DECLARED, { 'content-type': 'text/html' }],
    ['a body longer than the declared sizeBytes', `${DECLARED}!`, {}],
    ['a body shorter than the declared sizeBytes', DECLARED.slice(0, -1), {}],
  ] as const) {
    test(`storage answers 403 to a PUT with ${what}, and confirm then fails the asset as OBJECT_MISSING`, async () => {
      const asset = await createUpload(svc, token, uploadInput());
      const put = await putWith(asset, body, override);
      assert.equal(put.status, 403, await put.text());
      await assertNoObject(asset);
      await assertConfirmFailsAsMissing(asset.id);
    });
  }

  test('a PUT with exactly the declared type and length is accepted (the refusals above are not a broken URL)', async () => {
    const asset = await createUpload(svc, token, uploadInput());
    const put = await putWith(asset, DECLARED);
    assert.equal(put.status, 200, await put.text());
    const confirmed = await svc.gql(CONFIRM, { id: asset.id }, token);
    assert.equal(confirmed.data?.confirmAssetUpload.status, 'READY', JSON.stringify(confirmed.errors));
  });

  test('confirm before any upload is a STATE_ERROR, and the asset stays FAILED with OBJECT_MISSING', async () => {
    const rowsBefore = await countAssets(svc.db);
    const asset = await createUpload(svc, token, uploadInput());
    await assertConfirmFailsAsMissing(asset.id);
    const { rows } = await svc.db.query('SELECT status, failure_reason FROM assets WHERE id = $1', [asset.id]);
    assert.deepEqual(rows, [{ status: 'FAILED', failure_reason: 'OBJECT_MISSING' }]);
    const again = errorOf(await svc.gql(CONFIRM, { id: asset.id }, token), 'STATE_ERROR');
    assert.equal(again.extensions.status, 'FAILED');
    assert.equal(again.extensions.failureReason, 'OBJECT_MISSING');
    assert.equal((await svc.gql(GET, { id: asset.id }, token)).data!.asset.status, 'FAILED');
    assert.equal(await countAssets(svc.db), rowsBefore + 1, 'failing neither duplicates nor removes the row');
  });

  test('a failed asset no longer hands out an upload URL or its headers', async () => {
    const asset = await createUpload(svc, token, uploadInput());
    await assertConfirmFailsAsMissing(asset.id);
    const { data } = await svc.gql(GET, { id: asset.id }, token);
    assert.equal(data!.asset.uploadUrl, null);
    assert.equal(data!.asset.uploadHeaders, null);
  });
});
