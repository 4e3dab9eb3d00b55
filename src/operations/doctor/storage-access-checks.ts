import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { endpointUrl } from '../../config/storage-config.js';
import { explain } from '../../storage/bucket-validation.js';
import { errorName, isNotFound } from '../../storage/storage-errors.js';
import { fail, pass, type Check } from './checks.js';
import { connectionFailure } from './connection-failure.js';
import type { StorageProbe } from './storage-probe.js';

export const ENDPOINT = 'storage endpoint reachable';
export const CREDENTIALS = 'storage credentials valid';
export const bucketExists = (bucket: string) => `bucket ${bucket} exists`;
export const writeAndRead = (bucket: string) => `write and read back in ${bucket}`;

/** The buckets and the setting that names each, public first. */
export function bucketsOf(probe: StorageProbe): [string, string][] {
  return [
    [probe.storage.publicBucket, 'STORAGE_PUBLIC_BUCKET'],
    [probe.storage.privateBucket, 'STORAGE_PRIVATE_BUCKET'],
  ];
}

/** Reachability, credentials, both buckets, and a write/read in each. */
export function storageAccessChecks(probe: StorageProbe, needs: string[]): Check[] {
  const [publicBucket, publicSetting] = bucketsOf(probe)[0]!;
  return [
    { name: ENDPOINT, needs, run: () => endpointAnswers(probe) },
    {
      name: CREDENTIALS,
      needs: [ENDPOINT],
      // A listing error tells an unknown key from a wrong secret; a missing bucket (S3's NoSuchBucket, which
      // comes only after the signature was checked) still proves the credentials. A bare 404 proves nothing.
      run: () => list(probe, publicBucket, publicSetting, true, 'storage accepted the access key and the secret'),
    },
    ...bucketsOf(probe).map(([bucket, setting]): Check => ({ name: bucketExists(bucket), needs: [CREDENTIALS], run: () => list(probe, bucket, setting, false, 'exists and can be listed') })),
    ...bucketsOf(probe).map(([bucket, setting]): Check => ({ name: writeAndRead(bucket), needs: [bucketExists(bucket)], run: () => writeThenRead(probe, bucket, setting) })),
  ];
}

/** Runs last, whatever failed before: every probe object written is deleted, and seen to be gone. */
export function probeCleanupChecks(probe: StorageProbe): Check[] {
  return bucketsOf(probe).map(([bucket, setting]) => ({ name: `probe objects removed from ${bucket}`, needs: [bucketExists(bucket)], run: () => removeProbes(probe, bucket, setting) }));
}

async function endpointAnswers(probe: StorageProbe) {
  const url = endpointUrl(probe.storage);
  try {
    const res = await fetch(`${url}/`, { method: 'HEAD', signal: probe.timeout() });
    return pass(`${url} answered (HTTP ${res.status})`);
  } catch (error) {
    const { cause, endpointFix } = connectionFailure(error, url, probe.storage.timeoutMs);
    return fail(`${cause}. ${endpointFix}`);
  }
}

async function list(probe: StorageProbe, bucket: string, setting: string, missingIsFine: boolean, success: string) {
  try {
    await probe.client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }));
    return pass(success);
  } catch (error) {
    if (missingIsFine && errorName(error) === 'NoSuchBucket') return pass(success);
    const cause = explain(error, probe.storage, bucket, setting);
    return fail(`${cause.reason}: ${cause.message}`);
  }
}

async function writeThenRead(probe: StorageProbe, bucket: string, setting: string) {
  const key = probe.newKey(bucket);
  try {
    await probe.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: probe.body, ContentType: 'text/plain' }));
    const read = await probe.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = await read.Body?.transformToString();
    if (text !== probe.body) return fail(`${key} came back with other bytes than were written; the storage is not consistent, check it before going live.`);
    return pass(`wrote and read back ${key}`);
  } catch (error) {
    const cause = explain(error, probe.storage, bucket, setting);
    return fail(`${cause.reason}: ${cause.message} The service needs to put, get and delete objects in ${bucket}.`);
  }
}

async function removeProbes(probe: StorageProbe, bucket: string, setting: string) {
  const keys = probe.keysIn(bucket);
  try {
    for (const key of keys) await probe.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    for (const key of keys) {
      const left = await probe.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, (error: unknown) => (isNotFound(error) ? false : Promise.reject(error)));
      if (left) return fail(`${key} is still there after DeleteObject; delete it by hand and check that the credentials may delete objects in ${bucket}.`);
    }
    return pass(keys.length ? `deleted ${keys.length} probe object(s)` : 'no probe object was written');
  } catch (error) {
    const cause = explain(error, probe.storage, bucket, setting);
    return fail(`${cause.reason}: ${cause.message} Delete the objects under neotool-doctor/ by hand.`);
  }
}
