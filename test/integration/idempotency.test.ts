// A client that retries createAssetUpload with the same idempotency key gets the same asset back,
// however many retries race each other; PostgreSQL's unique index decides, not a read-then-write.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { createUpload, errorOf, readyAsset, uploadedAsset } from '../support/flows.js';
import { CONFIRM, CREATE, uploadInput } from '../support/operations.js';
import { ownInfra, startTestService, type TestService } from '../support/test-service.js';
import { assetRow, confirmReady } from '../support/uploads.js';

// Every service of this file on one issuer, database and bucket pair: each test has keys of its own.
let infra: Awaited<ReturnType<typeof ownInfra>>;
// The service with the default settings (a 24 h idempotency window); only the 3600 s window needs another.
let svc: TestService;
before(async () => {
  infra = await ownInfra();
  svc = await startTestService({}, { shareWith: infra });
});
after(async () => {
  await svc?.stop();
  await infra?.release();
});

/** An upload input with an idempotency key no other test uses. */
const keyed = (overrides: Record<string, unknown> = {}) => uploadInput({ idempotencyKey: `key-${randomUUID()}`, ...overrides });

describe('idempotent createAssetUpload', () => {
  async function rowsWithKey(key: string): Promise<{ id: string; owner_id: string }[]> {
    const { rows } = await svc.db.query('SELECT id, owner_id FROM assets WHERE idempotency_key = $1 ORDER BY owner_id', [key]);
    return rows;
  }

  test('the same owner and key return the same asset, with the same uploadUrl', async () => {
    const token = await svc.token('retrying-client');
    const input = keyed();
    const first = await createUpload(svc, token, input);
    const second = await createUpload(svc, token, input);
    assert.equal(second.id, first.id);
    assert.equal(second.uploadUrl, first.uploadUrl);
    assert.equal(second.idempotencyKey, input.idempotencyKey);
    assert.equal((await rowsWithKey(input.idempotencyKey as string)).length, 1);
  });

  test('different owners using the same key get different assets', async () => {
    const input = keyed();
    const ann = await createUpload(svc, await svc.token('ann'), input);
    const ben = await createUpload(svc, await svc.token('ben'), input);
    assert.notEqual(ann.id, ben.id);
    assert.deepEqual(await rowsWithKey(input.idempotencyKey as string), [
      { id: ann.id, owner_id: 'ann' },
      { id: ben.id, owner_id: 'ben' },
    ]);
  });

  test('20 concurrent duplicates yield one row and the same id in all 20 answers', async () => {
    const token = await svc.token('stampede');
    const input = keyed();
    const answers = await Promise.all(Array.from({ length: 20 }, () => svc.gql(CREATE, { input }, token)));
    for (const answer of answers) assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    const ids = new Set(answers.map((a) => a.data!.createAssetUpload.id));
    assert.equal(ids.size, 1);
    assert.deepEqual(await rowsWithKey(input.idempotencyKey as string), [{ id: [...ids][0], owner_id: 'stampede' }]);
  });

  test('a reused key with a different sizeBytes is a CONFLICT naming the field, and the first asset is unchanged', async () => {
    const token = await svc.token('careless-client');
    const input = keyed();
    const first = await createUpload(svc, token, input);
    const error = errorOf(await svc.gql(CREATE, { input: { ...input, sizeBytes: 12 } }, token), 'CONFLICT');
    assert.deepEqual(error.extensions.differingFields, ['sizeBytes']);
    assert.equal(error.extensions.assetId, first.id);
    const { rows } = await svc.db.query('SELECT size_bytes FROM assets WHERE id = $1', [first.id]);
    assert.deepEqual(rows, [{ size_bytes: '11' }]);
  });

  test('a key whose asset FAILED starts a new upload, so a client can retry after a failure', async () => {
    const token = await svc.token('second-try');
    const input = keyed();
    const failed = await createUpload(svc, token, input);
    errorOf(await svc.gql(CONFIRM, { id: failed.id }, token), 'STATE_ERROR');
    const retry = await createUpload(svc, token, input);
    assert.notEqual(retry.id, failed.id);
    assert.equal(retry.status, 'PENDING');
    assert.deepEqual(await rowsWithKey(input.idempotencyKey as string), [{ id: retry.id, owner_id: 'second-try' }]);
  });
});

// A repeat that finds the upload URL dead (and the grace for a PUT still streaming passed) settles the
// asset, as the expiry job would, instead of returning an asset nobody can upload to. Moving
// upload_expires_at back is what time does to the row.
describe('a repeated createAssetUpload after the upload URL died', () => {
  async function urlDied(id: string): Promise<void> {
    const graceSeconds = loadConfig(svc.env).jobs.expire.graceSeconds;
    const { rowCount } = await svc.db.query(`UPDATE assets SET upload_expires_at = now() - make_interval(secs => $2 + 1) WHERE id = $1`, [id, graceSeconds]);
    assert.equal(rowCount, 1);
  }

  test('with nothing uploaded starts a new upload with a live uploadUrl, and the old asset is FAILED (UPLOAD_EXPIRED)', async () => {
    const token = await svc.token('late-retrier');
    const input = keyed();
    const abandoned = await createUpload(svc, token, input);
    await urlDied(abandoned.id);
    const retry = await uploadedAsset(svc, token, input, 'hello world');
    assert.notEqual(retry.id, abandoned.id);
    assert.equal(retry.status, 'PENDING');
    assert.match(retry.uploadUrl, /X-Amz-Signature=/);
    const { status, failure_reason } = await assetRow(svc, abandoned.id);
    assert.deepEqual({ status, failure_reason }, { status: 'FAILED', failure_reason: 'UPLOAD_EXPIRED' });
    await confirmReady(svc, token, retry.id);
  });

  test('with the bytes uploaded but never confirmed returns the same asset, READY', async () => {
    const token = await svc.token('lost-answer');
    const input = keyed();
    const pending = await uploadedAsset(svc, token, input, 'hello world');
    await urlDied(pending.id);
    const repeat = await createUpload(svc, token, input);
    assert.deepEqual({ id: repeat.id, status: repeat.status }, { id: pending.id, status: 'READY' });
  });
});

// The window is the domain's (AssetService.keyStillHolds): the created_at PostgreSQL returns for the
// key's holder, compared with the service's clock. Ageing a row with SQL is what time does to it.
describe('the idempotency window against the real database', () => {
  const DAY = 86_400;
  const MARGIN = 60; // seconds either side of the window's end: far more than a slow test takes

  for (const [setting, windowSeconds] of [[undefined, DAY], ['3600', 3600]] as const) {
    describe(setting === undefined ? 'with the default window (ASSET_IDEMPOTENCY_WINDOW_SECONDS unset: 24 h)' : `with ASSET_IDEMPOTENCY_WINDOW_SECONDS=${setting}`, () => {
      // The default window is the file's default service; another window needs a service of its own.
      let windowSvc: TestService;
      let own: TestService | undefined;
      before(async () => {
        if (setting !== undefined) own = await startTestService({ ASSET_IDEMPOTENCY_WINDOW_SECONDS: setting }, { shareWith: infra });
        windowSvc = own ?? svc;
      });
      after(() => own?.stop());

      /** A READY asset (so the expiry job has no say) for `key`, made `ageSeconds` old by moving created_at (and its upload deadline) back. */
      async function agedAsset(token: string, input: Record<string, unknown>, ageSeconds: number): Promise<string> {
        const asset = await readyAsset(windowSvc, token, input, 'hello world');
        const { rowCount } = await windowSvc.db.query(
          `UPDATE assets SET created_at = created_at - make_interval(secs => $2), upload_expires_at = upload_expires_at - make_interval(secs => $2) WHERE id = $1`,
          [asset.id, ageSeconds],
        );
        assert.equal(rowCount, 1);
        return asset.id;
      }

      async function rowsWithKey(key: string): Promise<{ id: string; status: string }[]> {
        const { rows } = await windowSvc.db.query('SELECT id, status FROM assets WHERE idempotency_key = $1', [key]);
        return rows;
      }

      test('the service runs with the window under test', () => {
        assert.equal(windowSvc.env.ASSET_IDEMPOTENCY_WINDOW_SECONDS, setting);
        assert.equal(loadConfig(windowSvc.env).assets.idempotencyWindowSeconds, windowSeconds);
      });

      test(`a key whose asset was created just inside the window (${windowSeconds - MARGIN} s ago) returns that asset`, async () => {
        const token = await windowSvc.token('window-inside');
        const input = keyed();
        const id = await agedAsset(token, input, windowSeconds - MARGIN);
        const again = await createUpload(windowSvc, token, input);
        assert.equal(again.id, id);
        assert.equal(again.status, 'READY');
        assert.deepEqual(await rowsWithKey(input.idempotencyKey as string), [{ id, status: 'READY' }]);
      });

      test(`a key whose asset is older than the window (${windowSeconds + MARGIN} s) starts a new asset; the old one keeps its state and gives up the key`, async () => {
        const token = await windowSvc.token('window-outside');
        const input = keyed();
        const id = await agedAsset(token, input, windowSeconds + MARGIN);
        const fresh = await createUpload(windowSvc, token, input);
        assert.notEqual(fresh.id, id);
        assert.equal(fresh.status, 'PENDING');
        assert.deepEqual(await rowsWithKey(input.idempotencyKey as string), [{ id: fresh.id, status: 'PENDING' }]);
        const { rows } = await windowSvc.db.query('SELECT status, idempotency_key FROM assets WHERE id = $1', [id]);
        assert.deepEqual(rows, [{ status: 'READY', idempotency_key: null }]);
        // And the new asset holds the key from now on.
        assert.equal((await createUpload(windowSvc, token, input)).id, fresh.id);
      });
    });
  }
});
