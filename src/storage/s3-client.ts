import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { endpointUrl, type StorageConfig } from '../config/storage-config.js';

// Node 20 is what our machines run; the SDK's notice about its future Node 22 requirement is noise in every log.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * How long a call may take. `answer`, the service's calls (all small): STORAGE_TIMEOUT_MS until the
 * answer starts, sending included, and then as long without a byte of the answer's body. `bulk`, calls
 * that move or list many objects (storage sync's copies and multipart parts, the orphan sweep's listings
 * and 1000-key deletes): as long as they need while bytes move, and a store may work on one in silence
 * for a while (completing a large multipart upload, deleting 1000 keys), so only BULK_SILENCE_MS without
 * a byte either way (or STORAGE_TIMEOUT_MS, if longer) ends one.
 */
export type CallTimeout = 'answer' | 'bulk';

export const BULK_SILENCE_MS = 120_000;

/**
 * S3's largest listing page. Each listing is a billed call (a Class A operation on R2), so whoever
 * walks a bucket lists as many keys a call as storage allows.
 */
export const LISTING_PAGE_SIZE = 1000;

/**
 * An S3 client for any S3-compatible store. Checksums only when required: R2, Ceph and MinIO
 * reject or mis-handle the SDK's default CRC32 trailers.
 */
export function createS3Client(config: StorageConfig, timeout: CallTimeout = 'answer'): S3Client {
  const agentOptions = { keepAlive: true, maxSockets: 64 };
  return new S3Client({
    endpoint: endpointUrl(config),
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    credentials: { accessKeyId: config.accessKey, secretAccessKey: config.secret },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Fail fast instead of hanging on an unreachable endpoint; the caller decides about retries.
    maxAttempts: 2,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: config.timeoutMs,
      ...callTimeout(timeout, config.timeoutMs),
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    }),
  });
}

/** The request handler's timeouts for calls of the kind (exported for its unit test). */
export function callTimeout(timeout: CallTimeout, ms: number): { socketTimeout: number; requestTimeout?: number; throwOnRequestTimeout?: boolean } {
  if (timeout === 'bulk') return { socketTimeout: Math.max(ms, BULK_SILENCE_MS) };
  // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes, and a store that
  // accepts the connection but never answers hangs the call (and the start).
  return { socketTimeout: ms, requestTimeout: ms, throwOnRequestTimeout: true };
}
