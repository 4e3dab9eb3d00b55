import { ALWAYS_UNSIGNABLE_HEADERS, PROXY_HEADER_PATTERN, SEC_HEADER_PATTERN } from '@smithy/signature-v4';
import { amzDate, SigV4Signer, UNSIGNED_PAYLOAD } from './sigv4-signer.js';

export interface HeaderSigningRequest {
  method: string;
  /** The path exactly as sent, each segment escaped once (S3 does not double-escape). */
  path: string;
  /** Lower-case header names, `host` included. */
  headers: Record<string, string>;
  signedAt?: Date;
}

/**
 * AWS Signature V4 in the Authorization header, for requests without a query string whose body is
 * not hashed (UNSIGNED-PAYLOAD); byte-identical to @smithy/signature-v4, which signs the same
 * headers. The hot path of `storage sync`: one GET and one PUT per object.
 */
export class SigV4HeaderSigner extends SigV4Signer {
  /** The headers to send: the given ones with x-amz-date, x-amz-content-sha256 and authorization added. */
  sign(request: HeaderSigningRequest): Record<string, string> {
    const signedAt = amzDate(request.signedAt ?? new Date());
    const headers: Record<string, string> = { ...request.headers, 'x-amz-content-sha256': UNSIGNED_PAYLOAD, 'x-amz-date': signedAt };
    const names = Object.keys(headers).filter(signable).sort();
    const signedHeaders = names.join(';');
    const canonicalHeaders = names.map((n) => `${n}:${canonicalValue(headers[n]!)}\n`).join('');
    const canonicalRequest = `${request.method}\n${request.path}\n\n${canonicalHeaders}\n${signedHeaders}\n${UNSIGNED_PAYLOAD}`;
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${this.accessKey}/${this.scope(signedAt)}, SignedHeaders=${signedHeaders}, Signature=${this.signature(signedAt, canonicalRequest)}`;
    return headers;
  }
}

/** The SDK's rule: hop-by-hop and proxy headers (and Cache-Control) may change on the way, so they are not signed. */
function signable(name: string): boolean {
  return !Object.hasOwn(ALWAYS_UNSIGNABLE_HEADERS, name) && !PROXY_HEADER_PATTERN.test(name) && !SEC_HEADER_PATTERN.test(name);
}

/** Line breaks and runs of blanks become one space, without leading or trailing ones. */
function canonicalValue(value: string): string {
  return value.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
}
