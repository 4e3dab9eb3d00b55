import type { Asset, FailureReason, NewAsset, Visibility } from './asset.js';
import { isVisibleTo } from './asset.js';
import { AssetError, notFound, validationError } from './errors.js';
import { decodeCursor, pageSize, type AssetPage, type ListRequest } from './asset-list.js';
import { assertUploadAllowed, type NamespaceCatalog } from './namespace.js';
import { normalizeSha256 } from './checksum.js';
import type { AssetRepository, Clock, ContentInspector, IdGenerator, LifecycleEvent, LifecycleEvents, ObjectStorage, StatusChange, UploadLimiter } from './ports.js';
import { PERMISSIONS, requirePermission, type Principal } from './principal.js';
import { StagedObjects } from './staged-objects.js';
import { renderStorageKey } from './storage-key.js';
import { uploadHeaders, type UploadHeader } from './upload-headers.js';
import { assertWellFormed, type UploadRequest } from './upload-request.js';
import { verifyUpload, type Verdict } from './upload-verification.js';

export interface AssetServiceSettings {
  /** Uploads wait for their confirm in the PRIVATE one (see STAGING_PREFIX). */
  buckets: Record<Visibility, string>;
  region: string;
  uploadTtlSeconds: number;
  maxDownloadTtlSeconds: number;
  maxUploadBytes: number;
  idempotencyWindowSeconds: number;
  /** After its URL died, how long a PUT may still be streaming (JOB_EXPIRE_GRACE_SECONDS): an upload is abandoned only after that. */
  uploadGraceSeconds: number;
}

export interface AssetServiceDeps {
  repository: AssetRepository;
  storage: ObjectStorage;
  inspector: ContentInspector;
  events: LifecycleEvents;
  limiter: UploadLimiter;
  namespaces: NamespaceCatalog;
  clock: Clock;
  ids: IdGenerator;
  settings: AssetServiceSettings;
}

const MAX_OPTIMISTIC_RETRIES = 3;

/** The asset lifecycle: PENDING on create, READY once the object is verified, DELETED on delete. */
export class AssetService {
  private readonly objects: StagedObjects;

  constructor(private readonly deps: AssetServiceDeps) {
    this.objects = new StagedObjects(deps.storage, deps.settings.buckets.PRIVATE);
  }

  async createUpload(principal: Principal, request: UploadRequest): Promise<Asset> {
    requirePermission(principal, PERMISSIONS.upload);
    assertWellFormed(request);
    const { settings, namespaces, clock, ids } = this.deps;
    const rules = namespaces.resolve(request.namespace);
    assertUploadAllowed(rules, request, settings.maxUploadBytes);
    // Whole seconds, because SigV4 signs whole seconds: the URL expires exactly at uploadExpiresAt.
    const createdAt = new Date(Math.floor(clock.now().getTime() / 1000) * 1000);
    const ttl = rules.uploadTtlSeconds ?? settings.uploadTtlSeconds;
    const id = ids.next();
    const { asset, created } = await this.insertAdmitted({
      id,
      ownerId: principal.ownerId,
      namespace: rules.name,
      visibility: rules.visibility,
      storageKey: renderStorageKey(rules.keyTemplate, { namespace: rules.name, ownerId: principal.ownerId, assetId: id }),
      storageRegion: settings.region,
      storageBucket: settings.buckets[rules.visibility],
      mimeType: request.mimeType,
      sizeBytes: request.sizeBytes,
      checksum: request.checksum ? normalizeSha256(request.checksum) : null,
      originalFilename: request.filename,
      uploadExpiresAt: new Date(createdAt.getTime() + ttl * 1000),
      idempotencyKey: request.idempotencyKey ?? null,
      createdAt,
    });
    if (created) this.emit('asset.created', asset, principal);
    return asset;
  }

  /**
   * Only new uploads count against the owner's limits: the limiter must refuse before anything is
   * stored, and gets its admission back when nothing was created (an idempotent repeat, a failed insert).
   */
  private async insertAdmitted(asset: NewAsset): Promise<{ asset: Asset; created: boolean }> {
    const { limiter } = this.deps;
    try {
      await limiter.admit(asset.ownerId, asset.sizeBytes);
    } catch (refusal) {
      return this.repeatOrRefuse(asset, () => refusal);
    }
    const result = await this.insertIdempotent(asset).catch(async (error: unknown) => {
      await limiter.cancel(asset.ownerId, asset.sizeBytes);
      throw error;
    });
    if (!result.created) await limiter.cancel(asset.ownerId, asset.sizeBytes);
    return result;
  }

  /** The live asset a refused request repeats, if any. */
  private async repeatedUpload(asset: NewAsset, idempotencyKey: string): Promise<Asset | null> {
    const found = await this.deps.repository.findByIdempotencyKey(asset.ownerId, idempotencyKey);
    return found && this.liveRepeat(found, asset);
  }

  /** The asset a repeat gets while its key holds; an abandoned one is settled first, so a dead upload is never handed out. */
  private async liveRepeat(found: Asset, asset: NewAsset): Promise<Asset | null> {
    const existing = await this.settledIfAbandoned(found);
    return this.keyStillHolds(existing) ? assertSameUpload(existing, asset) : null;
  }

  /**
   * A repeat finds a PENDING asset whose upload URL has died (and the grace for a PUT still streaming
   * has passed): nobody can upload to it any more, so it is settled now, as the expiry job would later:
   * READY when its bytes arrived (the client lost the answer to its PUT), else FAILED, which frees the
   * key, so the repeat starts a new upload instead of returning one that can only fail at confirm.
   * Storage failing the check leaves the asset as it was: the repeat gets it, and the job settles it.
   */
  private async settledIfAbandoned(asset: Asset): Promise<Asset> {
    const abandonedAt = asset.uploadExpiresAt.getTime() + this.deps.settings.uploadGraceSeconds * 1000;
    if (asset.status !== 'PENDING' || abandonedAt > this.deps.clock.now().getTime()) return asset;
    let settled: Asset | undefined;
    try {
      ({ settled } = await this.settle(asset, asset.ownerId));
    } catch {
      return asset;
    }
    return settled ?? (await this.deps.repository.findById(asset.id)) ?? asset;
  }

  /**
   * The database decides which of several concurrent duplicates wins. A key whose window has
   * passed, or whose asset failed or was deleted, is released so that the client can retry with it.
   */
  private async insertIdempotent(asset: NewAsset): Promise<{ asset: Asset; created: boolean }> {
    const { repository } = this.deps;
    for (let attempt = 0; attempt < MAX_OPTIMISTIC_RETRIES; attempt++) {
      const result = await repository.insertOrFindByIdempotencyKey(asset);
      if ('overQuota' in result) return this.repeatOrRefuse(asset, () => this.deps.limiter.quotaRefusal(asset.sizeBytes));
      if (result.created) return result;
      const repeat = await this.liveRepeat(result.asset, asset);
      if (repeat) return { asset: repeat, created: false };
      await repository.releaseIdempotencyKey(result.asset.id);
    }
    throw new AssetError('CONFLICT', `Idempotency key "${asset.idempotencyKey}" is being reused concurrently; retry the request.`);
  }

  /** A retry of an upload already made still gets its asset, however full the owner's limits or quota are now; anything else is refused. */
  private async repeatOrRefuse(asset: NewAsset, refusal: () => unknown): Promise<{ asset: Asset; created: false }> {
    const repeated = asset.idempotencyKey ? await this.repeatedUpload(asset, asset.idempotencyKey) : null;
    if (repeated) return { asset: repeated, created: false };
    throw refusal();
  }

  /** An idempotency key stands for its asset while the asset is PENDING or READY and the window lasts. */
  private keyStillHolds(existing: Asset): boolean {
    const windowEnd = existing.createdAt.getTime() + this.deps.settings.idempotencyWindowSeconds * 1000;
    return (existing.status === 'PENDING' || existing.status === 'READY') && windowEnd > this.deps.clock.now().getTime();
  }

  async get(principal: Principal, id: string): Promise<Asset | null> {
    requirePermission(principal, PERMISSIONS.view);
    const asset = await this.deps.repository.findById(id);
    return asset && isVisibleTo(asset, principal.ownerId) ? asset : null;
  }

  /** The caller's own assets, newest first; READY PUBLIC assets of others only when asked for. */
  async list(principal: Principal, request: ListRequest): Promise<AssetPage> {
    requirePermission(principal, PERMISSIONS.view);
    const limit = pageSize(request.first);
    const namespace = request.namespace ? this.deps.namespaces.resolve(request.namespace).name : null;
    const rows = await this.deps.repository.list({
      ownerId: principal.ownerId,
      includePublic: request.includePublic ?? false,
      namespace,
      status: request.status ?? null,
      after: request.after ? decodeCursor(request.after) : null,
      // One row more than asked for tells whether another page follows.
      limit: limit + 1,
    });
    return { assets: rows.slice(0, limit), hasNextPage: rows.length > limit };
  }

  /**
   * Checks the uploaded object against everything declared (size, type, checksum, content);
   * READY with the object copied to its key on success, FAILED with the upload removed otherwise.
   * Confirming a READY asset is a no-op.
   */
  async confirmUpload(principal: Principal, assetId: string, checksum?: string | null): Promise<Asset> {
    requirePermission(principal, PERMISSIONS.upload);
    const asset = await this.ownedAsset(principal, assetId, 'confirm');
    const given = checksum ? normalizeSha256(checksum) : null;
    assertSameChecksum(asset, given);
    if (asset.status === 'READY') return asset;
    assertPending(asset);
    const verdict = await this.verify(asset, asset.checksum ?? given);
    if (verdict.failure) return this.fail(asset, verdict.failure, principal);
    const ready = await this.markReady(asset, verdict);
    if (ready.changed) this.emit('asset.confirmed', ready.asset, principal);
    return ready.asset;
  }

  /**
   * Settles, for a background job (`actor`), an upload whose window closed without a confirm:
   * confirm's checks decide. A client that crashed after its PUT still gets a READY asset
   * (asset.rescued); anything else becomes FAILED (asset.expired), UPLOAD_EXPIRED when nothing
   * arrived. Returns null when a racing confirm or delete had already settled the asset.
   */
  async settleExpiredUpload(asset: Asset, actor: string): Promise<'asset.rescued' | 'asset.expired' | null> {
    return (await this.settle(asset, actor)).type;
  }

  /** The settle's event (null when a racing confirm or delete was first) and the row it left, when it knows it. */
  private async settle(asset: Asset, actor: string): Promise<{ type: 'asset.rescued' | 'asset.expired' | null; settled?: Asset }> {
    const verdict = await this.verify(asset, asset.checksum);
    const reason = verdict.failure === 'OBJECT_MISSING' ? 'UPLOAD_EXPIRED' : verdict.failure;
    try {
      const settled = reason ? await this.markFailed(asset, reason) : await this.markReady(asset, verdict);
      if (!settled.changed) return { type: null, settled: settled.asset };
      const type = reason ? 'asset.expired' : 'asset.rescued';
      this.deps.events.emit({ type, asset, actor, reason: reason ?? undefined });
      return { type, settled: settled.asset };
    } catch (error) {
      if (error instanceof AssetError && error.code === 'STATE_ERROR') return { type: null };
      throw error;
    }
  }

  /**
   * For a background job, once the upload URL of a settled asset has died: deletes its staging key,
   * where a PUT after confirm lands (or an upload stays whose delete failed). Of a FAILED or DELETED asset, also its own
   * key: a confirm's copy may have landed there while a racing delete or failure removed it, and
   * uploads made before staging (URLs signed for the asset's key) went there.
   */
  async removeLateUpload(asset: Asset): Promise<void> {
    await (asset.status === 'READY' ? this.objects.removeUpload(asset) : this.objects.removeAll(asset));
  }

  private verify(asset: Asset, expectedSha256: string | null): Promise<Verdict> {
    const { storage, inspector, namespaces } = this.deps;
    return verifyUpload(storage, inspector, asset, this.objects.upload(asset), namespaces.resolve(asset.namespace), expectedSha256);
  }

  /**
   * Copies the checked upload to the asset's key, on the condition that it still is the object that was
   * checked (a PUT may replace it until the URL dies), marks the asset READY, then deletes the upload.
   * A delete storage refuses now is left to the expiry job, as is a PUT after it (the READY mark).
   */
  private async markReady(asset: Asset, verdict: Verdict): Promise<{ asset: Asset; changed: boolean }> {
    if (!(await this.objects.promote(asset, verdict.etag))) return this.copyRefused(asset);
    const ready = await this.transitionOrReload(asset, { status: 'READY', checksum: verdict.sha256Hex });
    if (ready.changed) await this.objects.removeUpload(asset).catch(() => undefined);
    return ready;
  }

  /** The upload changed or went away since it was checked: a racing confirm may have made the asset READY (and removed it), or a new PUT came. */
  private async copyRefused(asset: Asset): Promise<{ asset: Asset; changed: false }> {
    const current = await this.deps.repository.findById(asset.id);
    if (current?.status === 'READY') return { asset: current, changed: false };
    if (current) assertPending(current);
    throw new AssetError('CONFLICT', `The upload of asset ${asset.id} was replaced while it was being checked; confirm again.`);
  }

  async delete(principal: Principal, assetId: string): Promise<boolean> {
    requirePermission(principal, PERMISSIONS.delete);
    const asset = await this.ownedAsset(principal, assetId, 'delete');
    // Objects first: if storage is down nothing changes and the caller can simply retry.
    await this.objects.removeAll(asset);
    const deleted = await this.transitionOrReload(asset, { status: 'DELETED', deletedBy: principal.ownerId });
    if (deleted.changed) this.emit('asset.deleted', asset, principal);
    return true;
  }

  /** Only the owner, and only while the upload can still happen, ever sees the URL. */
  uploadUrl(principal: Principal, asset: Asset): string | null {
    const headers = this.uploadHeaders(principal, asset);
    if (!headers) return null;
    const signed: Record<string, string> = { 'content-length': String(asset.sizeBytes) };
    for (const { name, value } of headers) signed[name.toLowerCase()] = value;
    return this.deps.storage.presignUpload({
      ...this.objects.upload(asset),
      headers: signed,
      signedAt: asset.createdAt,
      expiresInSeconds: Math.round((asset.uploadExpiresAt.getTime() - asset.createdAt.getTime()) / 1000),
    });
  }

  /**
   * The headers the PUT to uploadUrl must carry; shown under the same rule as the URL itself, and only to a
   * token that may upload: the owner's view-only token must not get a URL that writes.
   */
  uploadHeaders(principal: Principal, asset: Asset): UploadHeader[] | null {
    const open = asset.status === 'PENDING' && asset.uploadExpiresAt > this.deps.clock.now();
    return open && asset.ownerId === principal.ownerId && principal.permissions.has(PERMISSIONS.upload) ? uploadHeaders(asset) : null;
  }

  /** The key a client chose for its retries is its own business, like its uploadUrl: hidden from other callers. */
  idempotencyKey(principal: Principal, asset: Asset): string | null {
    return asset.ownerId === principal.ownerId ? asset.idempotencyKey : null;
  }

  /** Anyone may GET it, and it follows from storageKey: no permission to check. */
  publicUrl(asset: Asset): string | null {
    if (asset.status !== 'READY' || asset.visibility !== 'PUBLIC') return null;
    return this.deps.storage.publicUrl(asset.storageKey);
  }

  /**
   * A presigned GET reads private bytes: only for a token that may view. Null, not an error, for one that
   * may only upload, so that its confirm (which returns the asset) still answers.
   */
  downloadUrl(principal: Principal, asset: Asset, ttlSeconds: number): string | null {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
      throw validationError('ttlSeconds must be a positive whole number of seconds.', 'ttlSeconds');
    }
    if (asset.status !== 'READY' || asset.visibility !== 'PRIVATE' || !principal.permissions.has(PERMISSIONS.view)) return null;
    // The lookups already show a PRIVATE asset only to its owner; this holds whatever row a resolver was handed.
    if (asset.ownerId !== principal.ownerId) return null;
    const ttl = Math.min(ttlSeconds, this.deps.settings.maxDownloadTtlSeconds);
    return this.deps.storage.presignDownload(asset.storageBucket, asset.storageKey, ttl);
  }

  private async ownedAsset(principal: Principal, assetId: string, action: string): Promise<Asset> {
    const asset = await this.deps.repository.findById(assetId);
    if (!asset || !isVisibleTo(asset, principal.ownerId)) throw notFound(assetId);
    if (asset.ownerId !== principal.ownerId) {
      throw new AssetError('FORBIDDEN', `Only the owner of asset ${assetId} can ${action} it.`);
    }
    return asset;
  }

  /** Removes whatever was uploaded, records why, and tells the caller. Never returns. */
  private async fail(asset: Asset, reason: FailureReason, principal: Principal): Promise<never> {
    const failed = await this.markFailed(asset, reason);
    if (failed.changed) this.emit('asset.failed', asset, principal, reason);
    // A racing confirm may have failed it first (and deleted the object): its verdict is the one on record.
    throw failureError(asset, failed.asset.failureReason ?? reason);
  }

  /**
   * The row first, then the objects: when a racing confirm made the asset READY, the transition refuses
   * and its object stays. Objects storage will not delete now are deleted by the expiry job once the URL
   * has died (the FAILED mark, see removeLateUpload), as is anything a late PUT leaves. When nothing was
   * found, nothing is deleted.
   */
  private async markFailed(asset: Asset, reason: FailureReason): Promise<{ asset: Asset; changed: boolean }> {
    const failed = await this.transitionOrReload(asset, { status: 'FAILED', failureReason: reason });
    if (failed.changed && !nothingUploaded(reason)) await this.objects.removeAll(asset).catch(() => undefined);
    return failed;
  }

  private emit(type: LifecycleEvent['type'], asset: Asset, principal: Principal, reason?: FailureReason): void {
    this.deps.events.emit({ type, asset, actor: principal.ownerId, reason, requestId: principal.requestId });
  }

  /**
   * Applies a status change under optimistic locking. When another request won the race, the
   * current row decides: the same target status means the work is already done.
   */
  private async transitionOrReload(asset: Asset, change: StatusChange): Promise<{ asset: Asset; changed: boolean }> {
    let current = asset;
    for (let attempt = 0; attempt < MAX_OPTIMISTIC_RETRIES; attempt++) {
      const updated = await this.deps.repository.transition(current.id, current.version, change);
      if (updated) return { asset: updated, changed: true };
      const reloaded = await this.deps.repository.findById(current.id);
      if (!reloaded) throw notFound(current.id);
      if (reloaded.status === change.status) return { asset: reloaded, changed: false };
      assertPendingOrReady(reloaded, change);
      current = reloaded;
    }
    throw new AssetError('CONFLICT', `Asset ${asset.id} is being changed concurrently; retry the request.`);
  }
}

/**
 * A confirm's checksum that contradicts the one declared at create describes other bytes than storage was
 * told to accept: the caller's mistake, refused before anything is read or changed, so the upload stays.
 * Of a READY asset, the stored bytes' checksum is known: a repeated confirm claiming others is refused too.
 */
function assertSameChecksum(asset: Asset, given: string | null): void {
  if (given && asset.checksum && given !== asset.checksum) {
    const known = asset.status === 'READY' ? 'of the stored bytes' : 'declared at createAssetUpload';
    throw validationError(
      `checksum ${given} differs from the SHA-256 ${known} (${asset.checksum}); nothing was changed: confirm with that checksum, or with none.`,
      'checksum',
    );
  }
}

/**
 * A reused idempotency key must describe the same upload; anything else is a client bug worth reporting.
 * A checksum left out of the repeated request is no difference: confirm may have stored one since.
 */
function assertSameUpload(existing: Asset, requested: NewAsset): Asset {
  const differs = (['namespace', 'mimeType', 'sizeBytes', 'originalFilename', 'checksum'] as const).filter(
    (f) => existing[f] !== requested[f] && !(f === 'checksum' && requested.checksum === null),
  );
  if (differs.length > 0) {
    throw new AssetError(
      'CONFLICT',
      `Idempotency key "${requested.idempotencyKey}" was already used for a different upload (differing: ${differs.join(', ')}); use a new key for a new file.`,
      { assetId: existing.id, differingFields: differs },
    );
  }
  return existing;
}

function assertPending(asset: Asset): void {
  if (asset.status !== 'PENDING') {
    throw new AssetError('STATE_ERROR', `Asset ${asset.id} is ${asset.status}, not PENDING: start a new upload with createAssetUpload.`, {
      status: asset.status,
      failureReason: asset.failureReason,
    });
  }
}

/** A racing request may only have moved the asset along the path this change also takes. */
function assertPendingOrReady(asset: Asset, change: StatusChange): void {
  if (change.status === 'DELETED' && asset.status !== 'DELETED') return;
  assertPending(asset);
}

const FAILURE_ADVICE: Record<FailureReason, string> = {
  OBJECT_MISSING: 'no object was uploaded to uploadUrl; PUT the file first (with uploadHeaders), then confirm',
  SIZE_MISMATCH: 'the uploaded object does not have the declared sizeBytes; declare the exact size of the file',
  CONTENT_TYPE_MISMATCH: 'the object was not stored with the declared mimeType as Content-Type; send the uploadHeaders with the PUT',
  CHECKSUM_MISMATCH: 'the SHA-256 of the stored bytes differs from the declared checksum; the file changed or was corrupted in transit',
  CONTENT_MISMATCH: 'the file content is not of the declared mimeType (its signature bytes say otherwise); declare the real type',
  BINARY_CONTENT: 'a text type was declared but the file is binary (or not UTF-8); declare the real type',
  UNSAFE_SVG: 'the SVG contains scripts, event handlers or external references, which a public namespace does not serve; remove them',
  IMAGE_UNREADABLE: 'the image dimensions could not be read; the file is damaged or not the declared image type',
  IMAGE_TOO_LARGE: "the image dimensions exceed the namespace's limits; scale it down",
  UPLOAD_EXPIRED: 'the upload window closed before the file arrived',
};

function nothingUploaded(reason: FailureReason): boolean {
  return reason === 'OBJECT_MISSING' || reason === 'UPLOAD_EXPIRED';
}

function failureError(asset: Asset, reason: FailureReason): AssetError {
  const code = nothingUploaded(reason) ? 'STATE_ERROR' : 'INTEGRITY_ERROR';
  return new AssetError(
    code,
    `Upload of asset ${asset.id} failed: ${FAILURE_ADVICE[reason]}. The asset is now FAILED; start a new upload with createAssetUpload.`,
    { failureReason: reason, status: 'FAILED' },
  );
}
