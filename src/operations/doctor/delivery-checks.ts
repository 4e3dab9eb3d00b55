import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { endpointUrl, isCloudflareR2 } from '../../config/storage-config.js';
import { publicObjectUrl } from '../../storage/object-url.js';
import { Presigner } from '../../storage/presigner.js';
import { S3ObjectStorage } from '../../storage/s3-object-storage.js';
import { UPLOAD_REQUEST_HEADERS } from '../storage-init/bucket-cors.js';
import { fail, pass, warn, type Check, type Outcome } from './checks.js';
import { connectionFailure } from './connection-failure.js';
import { bucketExists, writeAndRead } from './storage-access-checks.js';
import type { StorageProbe } from './storage-probe.js';

const STORAGE_INIT = 'run `neotool-assets storage init`';
const PRIVATE_STAYS_PRIVATE = 'private bucket refuses anonymous reads';
const UPLOADS_STAY_PRIVATE = 'uploads cannot be made public';
/** What stores answer when they will not take an ACL with an object: a policy's Deny, S3's "bucket owner enforced", no ACLs at all. */
const ACL_REFUSALS = new Set(['AccessDenied', 'AccessControlListNotSupported', 'NotImplemented']);

/** How objects reach clients: presigned URLs, confirm's copy, the public base URL, a closed private bucket, and CORS for browsers. */
export function deliveryChecks(probe: StorageProbe): Check[] {
  const { publicBucket, privateBucket } = probe.storage;
  return [
    { name: 'presigned PUT and GET round trip', needs: [bucketExists(privateBucket)], run: () => presignedRoundTrip(probe, privateBucket) },
    { name: 'confirm copies uploads to their key', needs: [writeAndRead(privateBucket), writeAndRead(publicBucket)], run: () => conditionalCopy(probe) },
    { name: 'public URL serves public objects', needs: [writeAndRead(publicBucket)], run: () => publicUrlServes(probe) },
    { name: PRIVATE_STAYS_PRIVATE, needs: [writeAndRead(privateBucket)], run: () => privateStaysPrivate(probe) },
    // Only once the bucket itself is closed: an open bucket would serve the probe whatever its ACL.
    { name: UPLOADS_STAY_PRIVATE, needs: [PRIVATE_STAYS_PRIVATE], run: () => uploadAclRefused(probe) },
    ...[publicBucket, privateBucket].map((bucket): Check => ({ name: `CORS preflight on ${bucket}`, needs: [bucketExists(bucket)], run: () => corsAllowsOrigins(probe, bucket) })),
  ];
}

/** A new probe key in `bucket` and an upload URL for the probe's text, signed as the service signs uploads: type and exact length. */
function probeUpload(probe: StorageProbe, presigner: Presigner, bucket: string) {
  const key = probe.newKey(bucket);
  const body = Buffer.from(probe.body);
  const headers = { 'content-type': 'text/plain', 'content-length': String(body.length) };
  return { key, body, putUrl: presigner.presign({ method: 'PUT', bucket, key, headers, expiresInSeconds: 60 }) };
}

async function presignedRoundTrip(probe: StorageProbe, bucket: string): Promise<Outcome> {
  const presigner = new Presigner(probe.storage);
  const { key, body, putUrl } = probeUpload(probe, presigner, bucket);
  // The wrong type first: storage must refuse what the URL was not signed for, or a client could upload anything.
  const wrongType = await fetch(putUrl, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' }, signal: probe.timeout() });
  const put = await fetch(putUrl, { method: 'PUT', body, headers: { 'content-type': 'text/plain' }, signal: probe.timeout() });
  if (!put.ok) return fail(`storage refused the presigned PUT (HTTP ${put.status} ${await errorCode(put)}). ${signingFix(put)}`);
  const get = await fetch(presigner.presign({ method: 'GET', bucket, key, expiresInSeconds: 60 }), { signal: probe.timeout() });
  if (!get.ok) return fail(`storage refused the presigned GET (HTTP ${get.status} ${await errorCode(get)}). ${signingFix(get)}`);
  if ((await get.text()) !== probe.body) return fail('the presigned GET returned other bytes than the presigned PUT stored; check the storage before going live.');
  if (wrongType.ok) return warn('storage accepted an upload whose Content-Type differs from the signed one; uploads are still checked on confirm, but this store does not enforce signed headers.');
  return pass('PUT with the signed Content-Type/Content-Length stored the object, GET returned it, a different Content-Type was refused');
}

/**
 * Uploads wait in the private bucket; confirm copies them to their key (the public bucket for PUBLIC
 * namespaces), on the condition that the upload is still the object it checked. Both must work here.
 */
async function conditionalCopy(probe: StorageProbe): Promise<Outcome> {
  const { privateBucket, publicBucket } = probe.storage;
  const storage = new S3ObjectStorage(probe.client, new Presigner(probe.storage), probe.storage);
  const source = { bucket: privateBucket, key: probe.keysIn(privateBucket)[0]! };
  const target = { bucket: publicBucket, key: probe.newKey(publicBucket), contentType: 'text/plain' };
  try {
    const { ETag } = await probe.client.send(new HeadObjectCommand({ Bucket: source.bucket, Key: source.key }));
    const staleCopied = await storage.copyObject({ ...source, etag: '"00000000000000000000000000000000"' }, target);
    if (!(await storage.copyObject({ ...source, etag: ETag }, target))) return fail(`storage refused to copy ${source.key} on the condition of its own ETag (${ETag}); check the storage before going live.`);
    // Refused either by the condition or, where storage ignores it (Ceph 16), by the copy's ETag: that needs MD5 ETags (no SSE-KMS).
    if (staleCopied) return warn('storage copied an object on the condition of an ETag it does not have (it ignores x-amz-copy-source-if-match), and the copy\'s ETag did not show it (not an MD5, as under SSE-KMS): a PUT racing a confirm could be copied unchecked. Use a store that honours the condition (R2, S3, MinIO), or accept that risk.');
    return pass(`copied ${privateBucket}/${source.key} to ${publicBucket} only while it held the bytes of the ETag it was checked by`);
  } catch (error) {
    return fail(`${error instanceof Error ? error.message : String(error)} Confirm copies each upload from ${privateBucket} to its key: the credentials need to read ${privateBucket} and write ${publicBucket}.`);
  }
}

async function publicUrlServes(probe: StorageProbe): Promise<Outcome> {
  const [key] = probe.keysIn(probe.storage.publicBucket);
  const url = publicObjectUrl(probe.storage, key!);
  const fix = `Set STORAGE_PUBLIC_BASE_PATH to the URL that serves bucket ${probe.storage.publicBucket} (a custom domain or CDN, or ${endpointUrl(probe.storage)}/${probe.storage.publicBucket} for MinIO).`;
  let res: Response;
  try {
    res = await fetch(url, { signal: probe.timeout() });
  } catch (error) {
    return fail(`${connectionFailure(error, url, probe.storage.timeoutMs).cause}. ${fix}`);
  }
  if (res.status === 403) return fail(`${url} answered 403: the public bucket is not readable anonymously. ${STORAGE_INIT} (on R2 connect a custom domain to the bucket in the dashboard).`);
  if (!res.ok) return fail(`${url} answered HTTP ${res.status}: STORAGE_PUBLIC_BASE_PATH (${probe.storage.publicBaseUrl}) does not point at the public bucket. ${fix}`);
  if ((await res.text()) !== probe.body) return fail(`${url} serves other bytes than the probe object: STORAGE_PUBLIC_BASE_PATH points somewhere else. ${fix}`);
  return pass(`${url} served the probe object`);
}

async function privateStaysPrivate(probe: StorageProbe): Promise<Outcome> {
  const bucket = probe.storage.privateBucket;
  const [key] = probe.keysIn(bucket);
  const url = probe.directUrl(bucket, key!);
  const res = await fetch(url, { signal: probe.timeout() });
  if (res.ok) {
    return fail(`DATA LEAK: anyone can read ${url} without credentials. Remove the bucket policy or public access from ${bucket} now; private assets must only be served through presigned URLs.`);
  }
  return pass(`an anonymous GET got HTTP ${res.status}`);
}

/**
 * Upload URLs sign only content-length, content-type and host: the uploader can add an unsigned
 * `x-amz-acl: public-read` to the PUT. Sends exactly that to a presigned probe key of the private bucket.
 */
async function uploadAclRefused(probe: StorageProbe): Promise<Outcome> {
  const bucket = probe.storage.privateBucket;
  const { key, body, putUrl } = probeUpload(probe, new Presigner(probe.storage), bucket);
  const put = await fetch(putUrl, { method: 'PUT', body, headers: { 'content-type': 'text/plain', 'x-amz-acl': 'public-read' }, signal: probe.timeout() });
  if (!put.ok) {
    const code = await errorCode(put);
    if (ACL_REFUSALS.has(code)) return pass(`storage refused an upload sent with x-amz-acl: public-read (HTTP ${put.status} ${code})`);
    return fail(`storage answered the upload with x-amz-acl: public-read with HTTP ${put.status} ${code}, not a refusal; check the storage, then run doctor again.`);
  }
  const url = probe.directUrl(bucket, key);
  const res = await fetch(url, { signal: probe.timeout() });
  if (res.ok) {
    return fail(
      `an uploader can make their upload public: storage took x-amz-acl: public-read on a presigned PUT to ${bucket} and now serves ${url} to anyone. ` +
        `${STORAGE_INIT} to add the bucket policy that refuses it (or turn object ACLs off for ${bucket}: on S3, Object Ownership "bucket owner enforced").`,
    );
  }
  const ignored = `storage stored an upload sent with x-amz-acl: public-read, but an anonymous GET got HTTP ${res.status}`;
  if (isCloudflareR2(probe.storage.hostname)) return pass(`${ignored}: R2 has no object ACLs`);
  return warn(`${ignored} (it ignores the ACL). ${STORAGE_INIT} to refuse such uploads outright.`);
}

async function corsAllowsOrigins(probe: StorageProbe, bucket: string): Promise<Outcome> {
  const origins = probe.settings.corsAllowedOrigins.map((o) => (o === '*' ? 'https://any-origin.example' : o));
  if (origins.length === 0) return warn(`ASSET_CORS_ALLOWED_ORIGINS is empty, so browsers cannot upload to ${bucket}. Set it to the web app origins and ${STORAGE_INIT}.`);
  const refused: string[] = [];
  for (const origin of origins) {
    const res = await fetch(probe.directUrl(bucket, 'neotool-doctor/preflight'), {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': UPLOAD_REQUEST_HEADERS.join(',').toLowerCase() },
      signal: probe.timeout(),
    });
    const allowedOrigin = res.headers.get('access-control-allow-origin');
    const allowedMethods = res.headers.get('access-control-allow-methods') ?? '';
    if (!(allowedOrigin === origin || allowedOrigin === '*') || !/\bPUT\b|\*/.test(allowedMethods)) refused.push(`${origin} (HTTP ${res.status})`);
  }
  if (refused.length) return fail(`the upload preflight was refused for ${refused.join(', ')}. ${STORAGE_INIT} to apply CORS from ASSET_CORS_ALLOWED_ORIGINS.`);
  return pass(`upload preflight allowed for ${origins.join(', ')}`);
}

async function errorCode(res: Response): Promise<string> {
  return /<Code>([^<]+)<\/Code>/.exec(await res.text())?.[1] ?? '';
}

function signingFix(res: Response): string {
  return res.status === 403
    ? 'Presigned URLs must be signed for the right region and time: check STORAGE_REGION and this machine\'s clock.'
    : 'Check that the endpoint is an S3-compatible store and that the credentials may put and get objects.';
}
