import { startS3Front, type S3Front } from './s3-front.js';

/**
 * An HTTP front to a real S3 server that answers the bucket CORS calls the way free MinIO does
 * (cmd/dummy-handlers.go, RELEASE.2025-04-22T22-12-26Z): GetBucketCors says there is none,
 * PutBucketCors is NotImplemented. Everything else passes through.
 */
export async function startMinioCorsFront(target: URL): Promise<S3Front & { corsCalls: string[] }> {
  const corsCalls: string[] = [];
  const front = await startS3Front(target, (req, url) => {
    if (!url.searchParams.has('cors')) return undefined;
    corsCalls.push(`${req.method} ${url.pathname.replace(/\/$/, '')}`);
    return req.method === 'GET' ? [404, 'NoSuchCORSConfiguration', 'The CORS configuration does not exist'] : [501, 'NotImplemented', 'A header you provided implies functionality that is not implemented'];
  });
  return { ...front, corsCalls };
}
