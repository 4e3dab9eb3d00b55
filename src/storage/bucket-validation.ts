import { HeadBucketCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { StartupError } from '../config/startup-error.js';
import { endpointUrl, isCloudflareR2, type StorageConfig } from '../config/storage-config.js';
import { errorName, isAccessDenied, isDnsFailure, isNotFound, isTlsMismatch, isUnreachable, isWebPageAnswer, type StorageFailure } from './storage-errors.js';

/** A bucket problem found at startup, phrased as the runbook's troubleshooting entry: cause and fix. */
export class BucketValidationError extends StartupError {
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

/** Checks that both buckets exist and that the credentials may use them; throws the first problem found. */
export async function validateBuckets(client: S3Client, config: StorageConfig): Promise<void> {
  await validateBucket(client, config, config.publicBucket, 'STORAGE_PUBLIC_BUCKET');
  await validateBucket(client, config, config.privateBucket, 'STORAGE_PRIVATE_BUCKET');
}

async function validateBucket(client: S3Client, config: StorageConfig, bucket: string, setting: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    // HEAD answers carry no error body: ask again with a GET to learn whether it is the key, the secret or a policy.
    const precise = isNotFound(error) || isUnreachable(error) ? error : await listForErrorCode(client, bucket, error);
    throw explain(precise, config, bucket, setting);
  }
}

async function listForErrorCode(client: S3Client, bucket: string, headError: unknown): Promise<unknown> {
  try {
    await client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }));
    return headError;
  } catch (error) {
    return error;
  }
}

/**
 * The cause of a storage failure and its fix, naming the settings to change. `settingsPrefix` is for a
 * store described by prefixed settings (storage sync's `SRC_STORAGE_*`): the names then carry it.
 */
export function explain(error: unknown, config: StorageConfig, bucket: string, setting: string, settingsPrefix = ''): BucketValidationError {
  const endpoint = endpointUrl(config);
  const name = errorName(error);
  const named = (storageSetting: string) => `${settingsPrefix}STORAGE_${storageSetting}`;
  if (isTlsMismatch(error)) {
    return new BucketValidationError(
      'TlsHandshakeFailed',
      `The TLS handshake with storage at ${endpoint} failed (${(error as Error).message.trim()}): the endpoint does not speak HTTPS on port ${config.port}. Set ${named('USE_HTTPS')}=false, or set ${named('PORT')} to the port where it speaks HTTPS.`,
    );
  }
  if (isUnreachable(error)) {
    return new BucketValidationError(
      'ConnectionFailed',
      `Cannot reach storage at ${endpoint} (${name}: ${(error as Error).message}). Check ${named('HOSTNAME')}, ${named('PORT')} and ${named('USE_HTTPS')}, and that the endpoint is reachable from here.${virtualHostedStyleHint(error, config, bucket, named('FORCE_PATH_STYLE'))}`,
    );
  }
  if (isWebPageAnswer(error)) {
    const status = (error as StorageFailure).$metadata?.httpStatusCode;
    return new BucketValidationError(
      'NotAnS3Endpoint',
      `Storage at ${endpoint} answered with a web page (HTTP ${status}), not as an S3 API: ${named('HOSTNAME')} and ${named('PORT')} must name the S3 API endpoint (for R2 <account-id>.r2.cloudflarestorage.com), not a website or the public custom domain of ${named('PUBLIC_BASE_PATH')}.`,
    );
  }
  if (name === 'NotFound' || name === 'NoSuchBucket') {
    return new BucketValidationError('NoSuchBucket', `Bucket "${bucket}" (${setting}) does not exist at ${endpoint}. Create it (neotool-assets storage init) or fix ${setting}.`);
  }
  if (name === 'InvalidAccessKeyId') {
    return new BucketValidationError('InvalidAccessKeyId', `Storage at ${endpoint} does not know the access key in ${named('ACCESS_KEY')}. Fix ${named('ACCESS_KEY')} (and ${named('SECRET')}) with a valid API token.`);
  }
  if (name === 'SignatureDoesNotMatch') {
    return new BucketValidationError('SignatureDoesNotMatch', `Storage at ${endpoint} rejected the request signature: ${named('SECRET')} does not belong to ${named('ACCESS_KEY')} (or ${named('REGION')} is wrong). Fix ${named('SECRET')}.`);
  }
  if (isAccessDenied(error)) {
    return new BucketValidationError('AccessDenied', `Access to bucket "${bucket}" (${setting}) was denied. Give the credentials in ${named('ACCESS_KEY')} read/write access to this bucket.`);
  }
  return new BucketValidationError(name, `Bucket "${bucket}" (${setting}) at ${endpoint} could not be checked: ${name}: ${(error as Error)?.message}.`);
}

/**
 * Virtual-hosted style (STORAGE_FORCE_PATH_STYLE=false, the default) puts the bucket into the host name,
 * which a MinIO or Ceph host such as localhost does not resolve. Not said for Cloudflare R2, which needs that style.
 */
function virtualHostedStyleHint(error: unknown, config: StorageConfig, bucket: string, setting: string): string {
  if (config.forcePathStyle || isCloudflareR2(config.hostname) || !isDnsFailure(error)) return '';
  return ` ${setting}=false (virtual-hosted style) asks for the host ${bucket}.${config.hostname}; MinIO and Ceph need ${setting}=true.`;
}
