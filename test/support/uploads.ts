import assert from 'node:assert/strict';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { stagingKey } from '../../src/domain/storage-key.js';
import { fixture, type FixtureName } from './fixtures.js';
import { CONFIRM, DELETE, uploadInput } from './operations.js';
import { createUpload, uploadedAsset } from './flows.js';
import type { GraphQLResponse, TestService } from './test-service.js';

/** The Asset fields tests read, as the API returns them (ASSET_FIELDS). */
export interface AssetView {
  id: string;
  ownerId: string;
  namespace: string;
  visibility: 'PUBLIC' | 'PRIVATE';
  storageKey: string;
  storageBucket: string;
  mimeType: string;
  sizeBytes: number;
  checksum: string | null;
  uploadUrl: string | null;
  uploadHeaders: { name: string; value: string }[] | null;
  publicUrl: string | null;
  status: 'PENDING' | 'READY' | 'FAILED' | 'DELETED';
  failureReason: string | null;
  idempotencyKey: string | null;
  createdAt: string;
  updatedAt: string;
}

/** createAssetUpload input for a fixture: its real size, under the given name and type. */
export function fixtureInput(name: FixtureName, namespace: string, mimeType: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return uploadInput({ namespace, filename: name, mimeType, sizeBytes: fixture(name).length, ...extra });
}

export function confirm(svc: TestService, token: string, id: string, checksum?: string): Promise<GraphQLResponse> {
  return svc.gql(CONFIRM, { id, checksum }, token);
}

/** Confirms and expects READY. */
export async function confirmReady(svc: TestService, token: string, id: string, checksum?: string): Promise<AssetView> {
  const confirmed = await confirm(svc, token, id, checksum);
  assert.equal(confirmed.errors, undefined, JSON.stringify(confirmed.errors));
  const asset = confirmed.data!.confirmAssetUpload as AssetView;
  assert.equal(asset.status, 'READY');
  return asset;
}

/** The single error of a response, which must carry this code (and, when given, this failureReason). */
export function assertError(response: GraphQLResponse, code: string, failureReason?: string): void {
  assert.equal(response.errors?.length, 1, `expected one ${code} error, got ${JSON.stringify(response.errors ?? response.data)}`);
  const [error] = response.errors!;
  assert.equal(error!.extensions.code, code, error!.message);
  if (failureReason !== undefined) assert.equal(error!.extensions.failureReason, failureReason, error!.message);
}

/** Where the asset's upload URL puts the bytes: its staging key in the private bucket, until confirm copies them to the asset key. */
export function uploadLocation(svc: Pick<TestService, 'privateBucket'>, asset: Pick<AssetView, 'id'>): Pick<AssetView, 'storageBucket' | 'storageKey'> {
  return { storageBucket: svc.privateBucket, storageKey: stagingKey(asset.id) };
}

export async function objectExists(svc: TestService, asset: Pick<AssetView, 'storageBucket' | 'storageKey'>): Promise<boolean> {
  try {
    await svc.s3.send(new HeadObjectCommand({ Bucket: asset.storageBucket, Key: asset.storageKey }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw error;
  }
}

/** Neither at the asset's key nor at its upload's staging key: what a failed or deleted asset leaves. */
export async function nothingStored(svc: TestService, asset: Pick<AssetView, 'id' | 'storageBucket' | 'storageKey'>): Promise<boolean> {
  return !(await objectExists(svc, uploadLocation(svc, asset))) && !(await objectExists(svc, asset));
}

export async function objectBytes(svc: TestService, asset: Pick<AssetView, 'storageBucket' | 'storageKey'>): Promise<Buffer> {
  const object = await svc.s3.send(new GetObjectCommand({ Bucket: asset.storageBucket, Key: asset.storageKey }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

export interface AssetRowView {
  status: string;
  failure_reason: string | null;
  checksum: string | null;
  version: number;
  updated_at: Date;
}

/** The asset's row as PostgreSQL holds it, read around the service. */
export async function assetRow(svc: TestService, id: string): Promise<AssetRowView> {
  const result = await svc.db.query<AssetRowView>('SELECT status, failure_reason, checksum, version, updated_at FROM assets WHERE id = $1', [id]);
  assert.equal(result.rowCount, 1, `no row for asset ${id}`);
  return result.rows[0]!;
}

/**
 * Uploads a fixture under a declared type, confirms, and checks the whole failure contract:
 * INTEGRITY_ERROR naming the reason, the asset FAILED with that reason in the API and in
 * PostgreSQL, and the object gone from the bucket.
 */
export async function assertRejectedUpload(svc: TestService, token: string, input: Record<string, unknown>, body: Uint8Array | string, reason: string): Promise<void> {
  const asset = await uploadedAsset(svc, token, input, body);
  assertError(await confirm(svc, token, asset.id), 'INTEGRITY_ERROR', reason);
  const fetched = await svc.gql(`query($id: ID!) { asset(id: $id) { status failureReason } }`, { id: asset.id }, token);
  assert.deepEqual(fetched.data!.asset, { status: 'FAILED', failureReason: reason });
  const row = await assetRow(svc, asset.id);
  assert.deepEqual({ status: row.status, failureReason: row.failure_reason }, { status: 'FAILED', failureReason: reason });
  assert.equal(await nothingStored(svc, asset), true, 'the rejected upload is still in storage');
}

/**
 * The id of a DELETED asset (created, then deleted through the API) as it looks `daysAgo` days after its
 * deletion: its upload URL long dead and the late-upload cleanup of its key done (the expiry job's part),
 * only the retention left.
 */
export async function deletedDaysAgo(svc: TestService, token: string, daysAgo: number): Promise<string> {
  const asset = await createUpload(svc, token, uploadInput());
  assert.equal((await svc.gql(DELETE, { id: asset.id }, token)).data!.deleteAsset, true);
  await svc.db.query(`UPDATE assets SET deleted_at = now() - make_interval(days => $2), late_upload_cleanup_after = NULL WHERE id = $1`, [asset.id, daysAgo]);
  return asset.id;
}

/** Whether the asset still has its row in PostgreSQL (the purge removes DELETED rows). */
export async function rowExists(svc: TestService, id: string): Promise<boolean> {
  return (await svc.db.query('SELECT 1 FROM assets WHERE id = $1', [id])).rowCount === 1;
}
