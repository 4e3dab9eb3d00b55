import { CONFIRM_UPLOAD, CREATE_UPLOAD, DELETE_ASSET, GET_ASSET, GET_DOWNLOAD_URL, LIST_ASSETS } from './documents.js';
import { NotFoundError, StateError, StorageUnavailableError, UploadRejectedError, ValidationError } from './errors.js';
import { GraphQLTransport, type TokenSource } from './graphql.js';
import { defaultPutTransport, type PutTransport } from './put.js';
import { DEFAULT_RETRY, withRetry, type RetryEvent, type RetryOptions } from './retry.js';
import type { Asset, AssetPage, ListOptions, PendingUpload, UploadOptions } from './types.js';
import { sha256Hex, uploadBody, type UploadBody, type UploadData } from './upload-body.js';

export interface AssetsClientOptions {
  /** Base URL of the service, e.g. https://assets.example.com (GraphQL is at /graphql below it). */
  url: string;
  /** The caller's JWT, or a function returning a current one. */
  token: TokenSource;
  retry?: RetryOptions;
  /** Told about each retry, e.g. to log it. */
  onRetry?: (event: RetryEvent) => void;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
}

/**
 * The assets service in a few calls. Every call is retried on transient failures (no answer,
 * HTTP 5xx, STORAGE_UNAVAILABLE, DATABASE_UNAVAILABLE, REDIS_UNAVAILABLE) with exponential backoff; other failures
 * throw the AssetsError subclass of the service's error code.
 */
export class AssetsClient {
  private readonly graphql: GraphQLTransport;
  private readonly put: PutTransport;
  private readonly retry: Required<RetryOptions>;

  constructor(private readonly options: AssetsClientOptions) {
    const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.graphql = new GraphQLTransport(`${options.url.replace(/\/+$/, '')}/graphql`, options.token, fetchImpl);
    this.put = defaultPutTransport(fetchImpl);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  /**
   * Uploads a file: computes its SHA-256, declares it (createAssetUpload), PUTs the bytes straight
   * to storage with the signed headers, and confirms; resolves with the READY asset. Each step is
   * retried under the same idempotency key, so a retried upload never makes a second asset.
   */
  async upload(data: UploadData, options: UploadOptions): Promise<Asset> {
    const body = uploadBody(data);
    const { signal } = options;
    const input = {
      namespace: options.namespace,
      filename: options.filename ?? body.name ?? missing('filename', 'the data is not a File'),
      mimeType: options.mimeType ?? body.type ?? missing('mimeType', 'the data is not a Blob with a type'),
      sizeBytes: body.size,
      checksum: await sha256Hex(body),
      idempotencyKey: options.idempotencyKey ?? randomKey(),
    };
    const created = await this.call<{ createAssetUpload: PendingUpload }>('createAssetUpload', CREATE_UPLOAD, { input }, signal);
    const upload = created.createAssetUpload;
    // READY: an earlier call with this key finished the job. No upload URL: the window closed, yet the
    // bytes may have arrived before it did, and confirm finds out.
    if (upload.status === 'READY') return upload;
    if (upload.uploadUrl && upload.uploadHeaders) {
      await withRetry('upload', () => this.putBytes(upload, body, options), this.retryContext(signal));
    }
    const confirmed = await this.call<{ confirmAssetUpload: Asset }>('confirmAssetUpload', CONFIRM_UPLOAD, { assetId: upload.id }, signal);
    return confirmed.confirmAssetUpload;
  }

  /** The asset, or null when it does not exist or is not visible to the caller. */
  async get(id: string, options: { signal?: AbortSignal } = {}): Promise<Asset | null> {
    return (await this.call<{ asset: Asset | null }>('asset', GET_ASSET, { id }, options.signal)).asset;
  }

  /** One page of the caller's assets, newest first. */
  async list({ signal, ...filters }: ListOptions = {}): Promise<AssetPage> {
    const { assets } = await this.call<{ assets: { edges: { node: Asset }[]; pageInfo: Omit<AssetPage, 'assets'> } }>('assets', LIST_ASSETS, filters, signal);
    return { assets: assets.edges.map((edge) => edge.node), ...assets.pageInfo };
  }

  /** Deletes the object and the asset (owner only). */
  async delete(id: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    const attempt = async (retry: number) => {
      try {
        await this.graphql.request(DELETE_ASSET, { assetId: id }, options.signal);
      } catch (error) {
        // A retry that finds nothing: the attempt whose answer was lost went through.
        if (!(retry > 0 && error instanceof NotFoundError)) throw error;
      }
    };
    await withRetry('deleteAsset', attempt, this.retryContext(options.signal));
  }

  /** Where to GET a READY asset: its public URL, or a presigned URL valid for ttlSeconds (capped by the service). */
  async downloadUrl(id: string, options: { ttlSeconds?: number; signal?: AbortSignal } = {}): Promise<string> {
    const { asset } = await this.call<{ asset: Pick<Asset, 'status' | 'publicUrl' | 'downloadUrl'> | null }>(
      'asset',
      GET_DOWNLOAD_URL,
      { id, ttlSeconds: options.ttlSeconds ?? 3600 },
      options.signal,
    );
    if (!asset) throw new NotFoundError('NOT_FOUND', `Asset ${id} does not exist or is not visible to you; check the id.`);
    const url = asset.publicUrl ?? asset.downloadUrl;
    if (!url) throw new StateError('STATE_ERROR', `Asset ${id} is ${asset.status}: only READY assets can be downloaded.`, { status: asset.status });
    return url;
  }

  private call<T>(operation: string, query: string, variables: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    return withRetry(operation, () => this.graphql.request<T>(query, variables, signal), this.retryContext(signal));
  }

  private retryContext(signal?: AbortSignal) {
    return { options: this.retry, signal, onRetry: this.options.onRetry };
  }

  private async putBytes(upload: PendingUpload, body: UploadBody, options: UploadOptions): Promise<void> {
    const headers = Object.fromEntries((upload.uploadHeaders ?? []).map((h) => [h.name, h.value]));
    const onProgress = (loaded: number) => options.onProgress?.({ loaded, total: body.size });
    const response = await this.put({ url: upload.uploadUrl!, headers, body, signal: options.signal, onProgress });
    if (response.status < 300) return;
    const reason = storageError(response.body);
    if (response.status >= 500) {
      throw new StorageUnavailableError('STORAGE_UNAVAILABLE', `Storage answered HTTP ${response.status} to the upload${reason}.`, { status: response.status });
    }
    throw new UploadRejectedError('UPLOAD_REJECTED', `Storage refused the upload with HTTP ${response.status}${reason}; ${refusalAdvice(upload)}`, { status: response.status });
  }
}

/** A URL that died before storage took the PUT is the usual 403: say so, and that the retry is simply upload() again. */
function refusalAdvice(upload: PendingUpload): string {
  const expiresAt = upload.uploadExpiresAt ? Date.parse(upload.uploadExpiresAt) : NaN;
  if (expiresAt <= Date.now()) {
    return `its upload URL expired at ${upload.uploadExpiresAt}. Call upload() again: with the same idempotencyKey it starts a new upload.`;
  }
  return 'start the upload again.';
}

function missing(field: string, why: string): never {
  throw new ValidationError('VALIDATION_ERROR', `upload() needs options.${field}: ${why}.`, { field });
}

/** S3's XML error, e.g. ": AccessDenied (Request has expired)". */
function storageError(xml: string): string {
  const code = /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];
  if (!code) return '';
  return message ? `: ${code} (${message})` : `: ${code}`;
}

/** An idempotency key per upload call; getRandomValues, unlike randomUUID, also exists on plain-http pages. */
function randomKey(): string {
  return Array.from(globalThis.crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
