import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { endpointUrl, type StorageConfig } from '../config/storage-config.js';

// Node 20 is what our machines run; the SDK's notice about its future Node 22 requirement is noise in every log.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * How long a call may take, STORAGE_TIMEOUT_MS for each: `answer` (the service's calls, all small) until
 * the answer starts, sending included, and then without a byte of the answer's body; `idle` only without
 * a byte moving either way, so that a call streaming a large body (storage sync's multipart parts) goes
 * on as long as it moves.
 */
export type CallTimeout = 'answer' | 'idle';

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

function callTimeout(timeout: CallTimeout, ms: number) {
  // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes, and a store that
  // accepts the connection but never answers hangs the call (and the start).
  const idle = { socketTimeout: ms };
  return timeout === 'answer' ? { ...idle, requestTimeout: ms, throwOnRequestTimeout: true } : idle;
}
