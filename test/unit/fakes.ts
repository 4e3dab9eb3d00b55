import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Asset, FailureReason, NewAsset } from '../../src/domain/asset.js';
import { AssetService, type AssetServiceSettings } from '../../src/domain/asset-service.js';
import { AssetError } from '../../src/domain/errors.js';
import { NamespaceCatalog, type NamespaceRules } from '../../src/domain/namespace.js';
import type { AssetRepository, Clock, InsertOutcome, ContentInspector, CopyTarget, IdGenerator, LifecycleEvent, ObjectLocation, ObjectSample, ObjectStorage, SampleRequest, StatusChange, StoredObject, UploadLimiter, UploadTarget } from '../../src/domain/ports.js';
import { PERMISSIONS, type Principal } from '../../src/domain/principal.js';
import { stagingKey } from '../../src/domain/storage-key.js';
import type { StorageConfig } from '../../src/config/storage-config.js';

/** In-memory AssetRepository with the database's guarantees: optimistic versions and unique (ownerId, idempotencyKey). */
export class InMemoryAssetRepository implements AssetRepository {
  readonly rows = new Map<string, Asset>();
  transitions: { id: string; change: StatusChange }[] = [];

  constructor(private readonly clock: Clock) {}

  /** Bytes an owner may hold in PENDING and READY assets, checked at insert as the database does; 0 for none. */
  quotaBytes = 0;

  async insertOrFindByIdempotencyKey(asset: NewAsset): Promise<InsertOutcome> {
    if (this.quotaBytes > 0 && this.heldBy(asset.ownerId) + asset.sizeBytes > this.quotaBytes) return { overQuota: true };
    if (asset.idempotencyKey !== null) {
      const holder = [...this.rows.values()].find((a) => a.ownerId === asset.ownerId && a.idempotencyKey === asset.idempotencyKey);
      if (holder) return { asset: structuredClone(holder), created: false };
    }
    if (this.rows.has(asset.id)) throw new Error(`duplicate primary key ${asset.id}`);
    const row: Asset = { ...asset, status: 'PENDING', failureReason: null, version: 1, updatedAt: asset.createdAt, deletedAt: null, deletedBy: null };
    this.rows.set(row.id, row);
    return { asset: structuredClone(row), created: true };
  }

  private heldBy(ownerId: string): number {
    const held = [...this.rows.values()].filter((a) => a.ownerId === ownerId && (a.status === 'PENDING' || a.status === 'READY'));
    return held.reduce((sum, a) => sum + a.sizeBytes, 0);
  }

  async releaseIdempotencyKey(id: string): Promise<void> {
    const row = this.rows.get(id);
    if (row) row.idempotencyKey = null;
  }

  async findByIdempotencyKey(ownerId: string, idempotencyKey: string): Promise<Asset | null> {
    const holder = [...this.rows.values()].find((a) => a.ownerId === ownerId && a.idempotencyKey === idempotencyKey);
    return holder ? structuredClone(holder) : null;
  }

  async findById(id: string): Promise<Asset | null> {
    const row = this.rows.get(id);
    return row ? structuredClone(row) : null;
  }

  async list(): Promise<Asset[]> {
    throw new Error('the assets list is tested against PostgreSQL (test/integration/list)');
  }

  async transition(id: string, expectedVersion: number, change: StatusChange): Promise<Asset | null> {
    const row = this.rows.get(id);
    if (!row || row.version !== expectedVersion) return null;
    this.transitions.push({ id, change });
    row.status = change.status;
    row.failureReason = change.failureReason ?? null;
    row.checksum = change.checksum ?? row.checksum;
    row.deletedAt = change.status === 'DELETED' ? this.clock.now() : null;
    row.deletedBy = change.deletedBy ?? null;
    row.version += 1;
    row.updatedAt = this.clock.now();
    return structuredClone(row);
  }

  /** Puts a row in place directly, as another request or a job would have. */
  put(asset: Asset): Asset {
    this.rows.set(asset.id, structuredClone(asset));
    return asset;
  }
}

interface StoredFake extends StoredObject {
  body?: string;
  cacheControl?: string;
}

/** Like S3's ETag of a single-part object: the MD5 of its bytes, quoted. */
function fakeEtag(object: StoredFake): string {
  return `"${createHash('md5').update(object.body ?? '').digest('hex')}"`;
}

/** In-memory ObjectStorage that records every call in order; `failDeletes` simulates an unreachable store. */
export class FakeObjectStorage implements ObjectStorage {
  readonly objects = new Map<string, StoredFake>();
  readonly calls: string[] = [];
  failDeletes: Error | null = null;

  static id(bucket: string, key: string): string {
    return `${bucket}/${key}`;
  }

  putObject(bucket: string, key: string, object: StoredFake): void {
    this.objects.set(FakeObjectStorage.id(bucket, key), object);
  }

  /** What a client's PUT to the asset's upload URL leaves: the object at its staging key in the private bucket. */
  putUpload(asset: Pick<Asset, 'id'>, object: StoredFake): void {
    this.objects.set(FakeObjectStorage.uploadId(asset), object);
  }

  /** The id (bucket/key) of the asset's upload: its staging key in the private bucket. */
  static uploadId(asset: Pick<Asset, 'id'>): string {
    return FakeObjectStorage.id(TEST_SETTINGS.buckets.PRIVATE, stagingKey(asset.id));
  }

  presignUpload(target: UploadTarget): string {
    this.calls.push(`presignUpload ${target.bucket}/${target.key}`);
    const q = new URLSearchParams({ ...target.headers, at: target.signedAt.toISOString(), exp: String(target.expiresInSeconds) });
    return `https://storage.test/${target.bucket}/${target.key}?${q}`;
  }

  presignDownload(bucket: string, key: string, ttlSeconds: number): string {
    this.calls.push(`presignDownload ${bucket}/${key}`);
    return `https://storage.test/${bucket}/${key}?ttl=${ttlSeconds}`;
  }

  publicUrl(key: string): string {
    return `https://cdn.test/${key}`;
  }

  /** Reads back what was stored: the first bytes, and the whole body and its SHA-256 when asked. */
  async sampleObject(bucket: string, key: string, request: SampleRequest): Promise<ObjectSample | null> {
    this.calls.push(`sampleObject ${bucket}/${key}`);
    const object = this.objects.get(FakeObjectStorage.id(bucket, key));
    if (!object) return null;
    const metadata = { sizeBytes: object.sizeBytes, contentType: object.contentType };
    if (metadata.sizeBytes !== request.expected.sizeBytes || metadata.contentType !== request.expected.contentType) {
      return { ...metadata, head: new Uint8Array() };
    }
    const bytes = new TextEncoder().encode(object.body ?? '');
    return {
      ...metadata,
      etag: fakeEtag(object),
      head: bytes.slice(0, request.headBytes),
      ...(request.wholeBody ? { body: bytes } : {}),
      ...(request.sha256 ? { sha256Hex: createHash('sha256').update(bytes).digest('hex') } : {}),
    };
  }

  /** Copies like S3 with x-amz-copy-source-if-match and a REPLACE metadata directive. */
  async copyObject(source: ObjectLocation & { etag?: string }, target: CopyTarget): Promise<boolean> {
    this.calls.push(`copyObject ${source.bucket}/${source.key} -> ${target.bucket}/${target.key}`);
    const object = this.objects.get(FakeObjectStorage.id(source.bucket, source.key));
    if (!object || (source.etag !== undefined && source.etag !== fakeEtag(object))) return false;
    this.putObject(target.bucket, target.key, { ...object, contentType: target.contentType, cacheControl: target.cacheControl });
    return true;
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    this.calls.push(`deleteObject ${bucket}/${key}`);
    if (this.failDeletes) throw this.failDeletes;
    this.objects.delete(FakeObjectStorage.id(bucket, key));
  }
}

/** A clock that only moves when told to. */
export class FakeClock implements Clock {
  constructor(private current: Date = new Date('2025-01-15T10:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  advanceSeconds(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

/** Deterministic UUID-shaped ids: 00000000-0000-7000-8000-000000000001, ...02, ... */
export class SequentialIds implements IdGenerator {
  private n = 0;
  next(): string {
    this.n += 1;
    return `00000000-0000-7000-8000-${String(this.n).padStart(12, '0')}`;
  }
}

export const ALL_PERMISSIONS = Object.values(PERMISSIONS);

export function principal(ownerId: string, permissions: readonly string[] = ALL_PERMISSIONS): Principal {
  return { ownerId, type: 'access', permissions: new Set(permissions) };
}

/** Judges content as told: accepts everything unless `verdict` says otherwise. */
export class FakeInspector implements ContentInspector {
  verdict: FailureReason | null = null;
  inspected = 0;
  async inspect(): Promise<FailureReason | null> {
    this.inspected++;
    return this.verdict;
  }
}

/** Admits everything unless `refusal` is set; records every call ("admit alice 100", ...). */
export class FakeLimiter implements UploadLimiter {
  readonly calls: string[] = [];
  refusal: AssetError | null = null;

  async admit(ownerId: string, sizeBytes: number): Promise<void> {
    this.calls.push(`admit ${ownerId} ${sizeBytes}`);
    if (this.refusal) throw this.refusal;
  }

  async cancel(ownerId: string, sizeBytes: number): Promise<void> {
    this.calls.push(`cancel ${ownerId} ${sizeBytes}`);
  }

  quotaRefusal(sizeBytes: number): Error {
    this.calls.push(`quotaRefusal ${sizeBytes}`);
    return new AssetError('QUOTA_EXCEEDED', `no room for ${sizeBytes} bytes`, { limit: 'quotaBytes', retryAfterSeconds: 0 });
  }
}

const IMAGES = ['image/jpeg', 'image/png'];
const imageLimits = { maxWidth: 10_000, maxHeight: 10_000, maxPixels: 40_000_000 };
const namespaces = [
  { name: 'default', visibility: 'PRIVATE' as const, keyTemplate: '{namespace}/{ownerId}/{assetId}', maxSizeBytes: 2 * 1024 * 1024, allowedMimeTypes: IMAGES, imageLimits },
  { name: 'logos', visibility: 'PUBLIC' as const, keyTemplate: 'public/{namespace}/{assetId}', maxSizeBytes: 1024 * 1024, allowedMimeTypes: [...IMAGES, 'image/svg+xml'], imageLimits },
  { name: 'docs', visibility: 'PRIVATE' as const, keyTemplate: 'docs/{ownerId}/{assetId}', maxSizeBytes: 10 * 1024 * 1024, allowedMimeTypes: ['application/pdf'], uploadTtlSeconds: 60, imageLimits },
];
export const TEST_NAMESPACES: readonly NamespaceRules[] = namespaces;

export const TEST_SETTINGS: AssetServiceSettings = {
  buckets: { PUBLIC: 'bucket-public', PRIVATE: 'bucket-private' },
  region: 'test-region',
  uploadTtlSeconds: 900,
  maxDownloadTtlSeconds: 3600,
  maxUploadBytes: 5 * 1024 * 1024,
  idempotencyWindowSeconds: 86_400,
  uploadGraceSeconds: 300,
};

/** An AssetService wired to fresh fakes, with the fakes exposed for arranging and asserting. */
export function serviceWithFakes(settings: Partial<AssetServiceSettings> = {}) {
  const clock = new FakeClock();
  const repository = new InMemoryAssetRepository(clock);
  const storage = new FakeObjectStorage();
  const inspector = new FakeInspector();
  const limiter = new FakeLimiter();
  const events: LifecycleEvent[] = [];
  const deps = {
    repository,
    storage,
    inspector,
    events: { emit: (event: LifecycleEvent) => void events.push(event) },
    limiter,
    namespaces: new NamespaceCatalog(TEST_NAMESPACES),
    clock,
    ids: new SequentialIds(),
    settings: { ...TEST_SETTINGS, ...settings },
  };
  const service = new AssetService(deps);
  return { service, repository, storage, clock, inspector, limiter, events };
}

/** Storage settings as loadConfig would produce them for a local MinIO. */
export function minioStorageConfig(overrides: Partial<StorageConfig> = {}): StorageConfig {
  return {
    hostname: 'localhost',
    port: 9000,
    useHttps: false,
    region: 'us-east-1',
    forcePathStyle: true,
    accessKey: 'test-access-key',
    secret: 'test-secret-key',
    publicBucket: 'neotool-assets-public',
    privateBucket: 'neotool-assets-private',
    publicBaseUrl: 'http://localhost:9000/neotool-assets-public',
    uploadTtlSeconds: 900,
    downloadTtlSeconds: 3600,
    maxUploadBytes: 100 * 1024 * 1024,
    timeoutMs: 5000,
    circuitResetMs: 10_000,
    ...overrides,
  };
}

/** Storage settings as loadConfig would produce them for Cloudflare R2. */
export function r2StorageConfig(overrides: Partial<StorageConfig> = {}): StorageConfig {
  return minioStorageConfig({
    hostname: 'account123.r2.cloudflarestorage.com',
    port: 443,
    useHttps: true,
    region: 'auto',
    forcePathStyle: false,
    publicBaseUrl: 'https://assets.example.com',
    ...overrides,
  });
}

/** A command as a recording S3Client received it: its name without the `Command` suffix, and its input. */
export interface SentCommand {
  name: string;
  input: Record<string, unknown>;
}

/**
 * A stub S3Client that records every command it is sent in `sent`, in order, and answers it through `answer`
 * (given the command's name without `Command`, its input and the abort signal it was sent with): with the
 * value or Promise it returns, rejecting when `answer` throws, rejects or returns an Error.
 */
export function recordingS3Client(answer: (name: string, input: Record<string, unknown>, signal?: AbortSignal) => unknown) {
  const sent: SentCommand[] = [];
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }, options?: { abortSignal?: AbortSignal }) {
      const name = command.constructor.name.replace(/Command$/, '');
      sent.push({ name, input: command.input });
      const result = await answer(name, command.input, options?.abortSignal);
      if (result instanceof Error) throw result;
      return result;
    },
  } as unknown as S3Client;
  return { client, sent };
}
