import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { PutObjectCommandInput } from '@aws-sdk/client-s3';
import { SOURCE_ETAG_METADATA } from './copy-decision.js';

const CONTENT_HEADERS = ['content-type', 'cache-control', 'content-disposition', 'content-encoding', 'content-language'] as const;
const METADATA_PREFIX = 'x-amz-meta-';

/**
 * The headers a copy is stored with: the source's content headers and user metadata, plus the
 * source ETag it was made from, and its length as listed. The listed size, not the GET's
 * content-length: a source answering chunked sends none, and S3 and R2 refuse a PUT without one.
 * The bytes read are checked against the listed size anyway.
 */
export function copiedHeaders(source: IncomingHttpHeaders, sourceEtag: string, sizeBytes: number): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { 'content-length': sizeBytes };
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && ((CONTENT_HEADERS as readonly string[]).includes(name) || name.startsWith(METADATA_PREFIX))) headers[name] = value;
  }
  headers[`${METADATA_PREFIX}${SOURCE_ETAG_METADATA}`] = sourceEtag;
  return headers;
}

/** The same headers as the SDK's PutObject fields, for the multipart upload. */
export function asPutObjectFields(headers: OutgoingHttpHeaders): Omit<PutObjectCommandInput, 'Bucket' | 'Key'> {
  const text = (name: string) => (headers[name] === undefined ? undefined : String(headers[name]));
  const metadata = Object.entries(headers).filter(([name]) => name.startsWith(METADATA_PREFIX));
  return {
    ContentLength: Number(headers['content-length']),
    ContentType: text('content-type'),
    CacheControl: text('cache-control'),
    ContentDisposition: text('content-disposition'),
    ContentEncoding: text('content-encoding'),
    ContentLanguage: text('content-language'),
    Metadata: Object.fromEntries(metadata.map(([name, value]) => [name.slice(METADATA_PREFIX.length), String(value)])),
  };
}
