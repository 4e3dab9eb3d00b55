import {
  CreateBucketCommand,
  GetBucketCorsCommand,
  GetBucketPolicyCommand,
  ListObjectsV2Command,
  PutBucketCorsCommand,
  PutBucketPolicyCommand,
  type CORSRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import { StartupError } from '../../config/startup-error.js';
import { isCloudflareR2, type StorageConfig } from '../../config/storage-config.js';
import { explain } from '../../storage/bucket-validation.js';
import { errorName, isAccessDenied, isNotFound } from '../../storage/storage-errors.js';
import type { StorageSettings } from '../settings.js';
import { sameCorsRules, uploadCorsRules } from './bucket-cors.js';
import { deniesObjectAcls, withObjectAclDenials } from './object-acl-policy.js';
import { grantsAnonymousRead, withPublicRead } from './public-read-policy.js';

/** What one step did; `manual` means the operator has to finish it by hand (e.g. in the R2 dashboard). */
export type InitOutcome = 'created' | 'updated' | 'unchanged' | 'skipped' | 'manual';

export interface InitAction {
  outcome: InitOutcome;
  subject: string;
  detail: string;
}

/** A bucket-configuration call storage failed, phrased for the operator: what was being done, the cause and the fix. */
export class StorageInitError extends StartupError {}

const UNSUPPORTED = new Set(['NotImplemented', 'MethodNotAllowed', 'NotSupported']);

/**
 * Storage answered that it does not implement the call at all (not that it refused it): free MinIO
 * has no bucket CORS API, some stores have no bucket policies. Such a step is left to the operator.
 */
function isUnsupported(error: unknown): boolean {
  return UNSUPPORTED.has(errorName(error));
}

/** Storage does not know the condition keys of a statement (MinIO has no s3:x-amz-acl or s3:x-amz-grant-* keys). */
const POLICY_NOT_UNDERSTOOD = new Set(['MalformedPolicy', 'InvalidPolicyDocument']);

/**
 * Creates both buckets when missing, opens the public one to anonymous reads, closes the private one
 * to object ACLs and applies the upload CORS rules to both. Reads before it writes, so a second run
 * changes nothing.
 */
export async function initStorage(client: S3Client, settings: StorageSettings, report: (action: InitAction) => void = () => undefined): Promise<InitAction[]> {
  const { storage, corsAllowedOrigins } = settings;
  const actions: InitAction[] = [];
  const record = (action: InitAction) => {
    actions.push(action);
    report(action);
  };
  const buckets: [string, string][] = [
    [storage.publicBucket, 'STORAGE_PUBLIC_BUCKET'],
    [storage.privateBucket, 'STORAGE_PRIVATE_BUCKET'],
  ];
  for (const [bucket, setting] of buckets) record(await ensureBucket(client, storage, bucket, setting));
  record(await ensurePublicRead(client, storage));
  record(await ensureNoObjectAcls(client, storage));
  for (const [bucket] of buckets) record(await ensureCors(client, bucket, corsAllowedOrigins));
  return actions;
}

async function ensureBucket(client: S3Client, storage: StorageConfig, bucket: string, setting: string): Promise<InitAction> {
  const subject = `bucket ${bucket}`;
  try {
    // A listing, not HeadBucket: its error body tells a wrong key from a wrong secret or a missing grant.
    await client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }));
    return { outcome: 'unchanged', subject, detail: 'exists' };
  } catch (error) {
    if (!isNotFound(error)) throw explain(error, storage, bucket, setting);
  }
  await client.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: unknown) => {
    throw explain(error, storage, bucket, setting);
  });
  return { outcome: 'created', subject, detail: `created (${setting})` };
}

async function ensurePublicRead(client: S3Client, storage: StorageConfig): Promise<InitAction> {
  const bucket = storage.publicBucket;
  const subject = `public read on ${bucket}`;
  if (isCloudflareR2(storage.hostname)) {
    return {
      outcome: 'manual',
      subject,
      detail: `R2 has no bucket policies. In the Cloudflare dashboard open R2 > ${bucket} > Settings > Custom Domains and connect the domain of STORAGE_PUBLIC_BASE_PATH (${storage.publicBaseUrl}).`,
    };
  }
  try {
    return await ensurePolicy(client, bucket, subject, {
      holds: grantsAnonymousRead,
      merged: withPublicRead,
      already: 'bucket policy already allows anonymous GET',
      written: `bucket policy allows anonymous GET of ${bucket}/*`,
    });
  } catch (error) {
    if (!isUnsupported(error)) throw stepFailed('Setting the public-read policy on', 'the bucket policy (s3:GetBucketPolicy and s3:PutBucketPolicy)', error, bucket);
    return {
      outcome: 'manual',
      subject,
      detail: `this storage does not support bucket policies (${errorName(error)}): make ${bucket} publicly readable with its own tools, or serve it through a CDN at STORAGE_PUBLIC_BASE_PATH.`,
    };
  }
}

/**
 * Upload URLs sign only content-length, content-type and host, so an uploader can add an unsigned
 * `x-amz-acl: public-read` (or a grant header) to the PUT and, on stores with object ACLs, make the
 * unchecked upload in the private bucket readable by anyone. The bucket policy refuses such PUTs and
 * any change of an object's ACL; plain uploads, confirm's copy and deletes are untouched.
 */
async function ensureNoObjectAcls(client: S3Client, storage: StorageConfig): Promise<InitAction> {
  const bucket = storage.privateBucket;
  const subject = `object ACLs refused on ${bucket}`;
  const doctor = 'neotool-assets doctor checks it ("uploads cannot be made public")';
  if (isCloudflareR2(storage.hostname)) {
    return { outcome: 'skipped', subject, detail: `R2 has no bucket policies and no object ACLs, so an x-amz-acl header cannot make an upload public; nothing to do (${doctor}).` };
  }
  try {
    return await ensurePolicy(client, bucket, subject, {
      holds: deniesObjectAcls,
      merged: withObjectAclDenials,
      already: 'bucket policy already refuses uploads with x-amz-acl or x-amz-grant-* headers and ACL changes',
      written: `bucket policy refuses PUTs to ${bucket}/* with an x-amz-acl other than private or any x-amz-grant-* header, and every PutObjectAcl`,
    });
  } catch (error) {
    if (isUnsupported(error)) {
      return { outcome: 'skipped', subject, detail: `this storage does not support bucket policies (${errorName(error)}); safe where it has no object ACLs either (like R2), ${doctor}.` };
    }
    if (POLICY_NOT_UNDERSTOOD.has(errorName(error))) {
      return { outcome: 'skipped', subject, detail: `this storage does not accept the s3:x-amz-acl and s3:x-amz-grant-* policy conditions (${errorName(error)}: ${(error as Error)?.message}); safe where it ignores object ACLs (as MinIO does), ${doctor}.` };
    }
    throw stepFailed('Refusing object ACLs on', 'the bucket policy (s3:GetBucketPolicy and s3:PutBucketPolicy)', error, bucket);
  }
}

/** Statements a bucket's policy must hold: whether it does, and the policy with them added to the operator's own. */
interface PolicyStatements {
  holds(policy: string | undefined, bucket: string): boolean;
  merged(policy: string | undefined, bucket: string): string;
  already: string;
  written: string;
}

/** Reads before it writes: a policy that already holds the statements is left as it is. */
async function ensurePolicy(client: S3Client, bucket: string, subject: string, statements: PolicyStatements): Promise<InitAction> {
  const current = await currentPolicy(client, bucket);
  if (statements.holds(current, bucket)) return { outcome: 'unchanged', subject, detail: statements.already };
  await client.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: statements.merged(current, bucket) }));
  return { outcome: current ? 'updated' : 'created', subject, detail: statements.written };
}

async function currentPolicy(client: S3Client, bucket: string): Promise<string | undefined> {
  try {
    return (await client.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy;
  } catch (error) {
    if (errorName(error) === 'NoSuchBucketPolicy') return undefined;
    throw error;
  }
}

async function ensureCors(client: S3Client, bucket: string, origins: string[]): Promise<InitAction> {
  const subject = `CORS on ${bucket}`;
  if (origins.length === 0) {
    return { outcome: 'skipped', subject, detail: 'ASSET_CORS_ALLOWED_ORIGINS is empty, so browsers cannot upload; set it and run storage init again' };
  }
  const wanted = uploadCorsRules(origins);
  try {
    const current = await currentCors(client, bucket);
    if (sameCorsRules(current, wanted)) return { outcome: 'unchanged', subject, detail: `already allows ${origins.join(', ')}` };
    await client.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: wanted } }));
    return { outcome: current.length ? 'updated' : 'created', subject, detail: `PUT, GET, HEAD allowed from ${origins.join(', ')}` };
  } catch (error) {
    if (isUnsupported(error)) return { outcome: 'manual', subject, detail: corsByHand(error, origins) };
    throw stepFailed('Setting CORS on', "the bucket's CORS configuration (s3:GetBucketCORS and s3:PutBucketCORS; on R2 an Admin Read & Write token)", error, bucket);
  }
}

/** What to do when storage has no per-bucket CORS: free MinIO (not AIStor) answers NotImplemented, its CORS is server-wide. */
function corsByHand(error: unknown, origins: string[]): string {
  return (
    `this storage does not support bucket CORS (${errorName(error)}). ` +
    `On MinIO CORS is server-wide: set MINIO_API_CORS_ALLOW_ORIGIN=${origins.join(',')} in the MinIO server's environment and restart it ` +
    `(unset, MinIO allows every origin). Elsewhere allow PUT, GET and HEAD from ${origins.join(', ')} with the storage's own tools.`
  );
}

/** A step on `bucket` that storage refused: what was being done, why, and for a refusal which permission `grants` names. */
function stepFailed(step: string, grants: string, error: unknown, bucket: string): StorageInitError {
  const name = errorName(error);
  const cause = `${name}: ${(error as Error)?.message ?? String(error)}`;
  if (isAccessDenied(error)) {
    return new StorageInitError(
      `${step} bucket "${bucket}" was denied (${cause}). Give the credentials in STORAGE_ACCESS_KEY permission to read and write ${grants}, then run storage init again.`,
    );
  }
  return new StorageInitError(`${step} bucket "${bucket}" failed (${cause}). Fix the cause and run storage init again.`);
}

async function currentCors(client: S3Client, bucket: string): Promise<CORSRule[]> {
  try {
    return (await client.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules ?? [];
  } catch (error) {
    if (errorName(error) === 'NoSuchCORSConfiguration') return [];
    throw error;
  }
}
