import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fixture, MIME_TYPES } from '../../support/fixtures.js';
import { createUpload, uploadedAsset } from '../../support/flows.js';
import { CREATE } from '../../support/operations.js';
import type { GraphQLResponse } from '../../support/test-service.js';
import { startServiceFor, type TestService } from '../../support/test-service.js';
import { assertError, assetRow, confirm, confirmReady, fixtureInput } from '../../support/uploads.js';

const PNG = fixture('image.png');
const CONCURRENT_CONFIRMS = 20;
const pngInput = (extra: Record<string, unknown> = {}) => fixtureInput('image.png', 'user-profiles', MIME_TYPES.png, extra);

/** Error codes a racing confirm may legitimately answer with: each tells the client what happened. */
const CLEAR_CODES = new Set(['STATE_ERROR', 'INTEGRITY_ERROR', 'CONFLICT']);

describe('confirm is idempotent and race-free; idempotency keys describe one upload (PostgreSQL + Ceph)', () => {
  let svc: TestService;
  let token: string;
  before(async () => ({ svc, token } = await startServiceFor('alice')));
  after(() => svc.stop());

  function confirmConcurrently(id: string): Promise<GraphQLResponse[]> {
    return Promise.all(Array.from({ length: CONCURRENT_CONFIRMS }, () => confirm(svc, token, id)));
  }

  test(`${CONCURRENT_CONFIRMS} concurrent confirms of one upload make exactly one READY transition, and each answers READY or a clear error`, async () => {
    const asset = await uploadedAsset(svc, token, pngInput(), PNG);
    const pending = await assetRow(svc, asset.id);
    const responses = await confirmConcurrently(asset.id);
    for (const response of responses) {
      if (response.errors) assert.ok(CLEAR_CODES.has(response.errors[0]!.extensions.code), JSON.stringify(response.errors));
      else assert.equal(response.data!.confirmAssetUpload.status, 'READY');
    }
    assert.ok(responses.some((r) => !r.errors), 'at least one confirm must return the READY asset');
    const ready = await assetRow(svc, asset.id);
    assert.equal(ready.status, 'READY');
    assert.equal(ready.version, pending.version + 1, 'more than one transition was written');
  });

  test(`${CONCURRENT_CONFIRMS} concurrent confirms of a mismatched upload make exactly one FAILED transition and no INTERNAL error`, async () => {
    const asset = await uploadedAsset(svc, token, fixtureInput('notes.txt', 'user-profiles', MIME_TYPES.png), fixture('notes.txt'));
    const pending = await assetRow(svc, asset.id);
    const responses = await confirmConcurrently(asset.id);
    for (const response of responses) {
      assert.ok(response.errors && CLEAR_CODES.has(response.errors[0]!.extensions.code), JSON.stringify(response.errors ?? response.data));
    }
    const failed = await assetRow(svc, asset.id);
    assert.deepEqual([failed.status, failed.failure_reason], ['FAILED', 'CONTENT_MISMATCH']);
    assert.equal(failed.version, pending.version + 1);
  });

  test(
    'racing confirms of a mismatched upload all report the failureReason recorded on the row',
    async () => {
      const asset = await uploadedAsset(svc, token, fixtureInput('notes.txt', 'user-profiles', MIME_TYPES.png), fixture('notes.txt'));
      const reasons = new Set((await confirmConcurrently(asset.id)).map((r) => r.errors?.[0]?.extensions.failureReason));
      assert.deepEqual([...reasons], ['CONTENT_MISMATCH']);
    },
  );

  test('confirming a READY asset again returns it unchanged: same updatedAt, no new version', async () => {
    const asset = await uploadedAsset(svc, token, pngInput(), PNG);
    const first = await confirmReady(svc, token, asset.id);
    const versionAfterFirst = (await assetRow(svc, asset.id)).version;
    const again = await confirmReady(svc, token, asset.id);
    assert.deepEqual(again, first);
    assert.equal((await assetRow(svc, asset.id)).version, versionAfterFirst);
  });

  test('the same idempotency key with the same input returns the same asset', async () => {
    const key = `same-${Date.now()}`;
    const first = await createUpload(svc, token, pngInput({ idempotencyKey: key }));
    const second = await createUpload(svc, token, pngInput({ idempotencyKey: key }));
    assert.equal(second.id, first.id);
  });

  const differences: [string, Record<string, unknown>][] = [
    ['another size', { sizeBytes: PNG.length + 1 }],
    ['another type', { mimeType: MIME_TYPES.jpeg }],
    ['another namespace', { namespace: 'group-assets' }],
  ];
  for (const [what, change] of differences) {
    test(`an idempotency key reused with ${what} is a CONFLICT naming the first asset`, async () => {
      const key = `reuse-${what.replace(/\W/g, '-')}-${Date.now()}`;
      const first = await createUpload(svc, token, pngInput({ idempotencyKey: key }));
      const reused = await svc.gql(CREATE, { input: { ...pngInput({ idempotencyKey: key }), ...change } }, token);
      assertError(reused, 'CONFLICT');
      assert.equal(reused.errors![0]!.extensions.assetId, first.id);
    });
  }

  test('a FAILED asset does not block a retry with the same idempotency key: the retry is a new asset that can become READY', async () => {
    const key = `retry-${Date.now()}`;
    const failed = await uploadedAsset(svc, token, pngInput({ idempotencyKey: key }), Buffer.from(PNG).fill(0x20, 0, 8));
    assertError(await confirm(svc, token, failed.id), 'INTEGRITY_ERROR', 'CONTENT_MISMATCH');
    const retry = await uploadedAsset(svc, token, pngInput({ idempotencyKey: key }), PNG);
    assert.notEqual(retry.id, failed.id);
    assert.equal(retry.status, 'PENDING');
    assert.equal(retry.idempotencyKey, key);
    await confirmReady(svc, token, retry.id);
    assert.equal((await assetRow(svc, failed.id)).status, 'FAILED');
  });
});
