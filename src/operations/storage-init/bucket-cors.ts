import type { CORSRule } from '@aws-sdk/client-s3';

/**
 * Headers a browser sends with a presigned upload and asks about in its preflight: the signed
 * Content-Type and checksum (src/domain/upload-headers.ts). Content-Length is not listed: browsers
 * set it themselves and never ask a preflight about it.
 */
export const UPLOAD_REQUEST_HEADERS = ['Content-Type', 'x-amz-checksum-sha256'];

/** The CORS rules both buckets need so that browsers can PUT to upload URLs and read what they uploaded. */
export function uploadCorsRules(origins: string[]): CORSRule[] {
  return [
    {
      AllowedOrigins: origins,
      AllowedMethods: ['PUT', 'GET', 'HEAD'],
      AllowedHeaders: UPLOAD_REQUEST_HEADERS,
      // Lets a browser read the ETag of what it just uploaded.
      ExposeHeaders: ['ETag'],
      MaxAgeSeconds: 3600,
    },
  ];
}

/** Compares rules as storage means them: order and header-name case do not matter. */
export function sameCorsRules(a: CORSRule[], b: CORSRule[]): boolean {
  return JSON.stringify(a.map(normalise).sort()) === JSON.stringify(b.map(normalise).sort());
}

function normalise(rule: CORSRule): string {
  const sorted = (values: string[] | undefined, transform: (v: string) => string) => (values ?? []).map(transform).sort();
  return JSON.stringify([
    sorted(rule.AllowedOrigins, (o) => o),
    sorted(rule.AllowedMethods, (m) => m.toUpperCase()),
    sorted(rule.AllowedHeaders, (h) => h.toLowerCase()),
    sorted(rule.ExposeHeaders, (h) => h.toLowerCase()),
    rule.MaxAgeSeconds ?? null,
  ]);
}
