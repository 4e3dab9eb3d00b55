import { AssetError } from '../domain/errors.js';

/** Seconds a caller waits before retrying a call refused because the issuer's keys could not be fetched. */
export const ISSUER_RETRY_AFTER_SECONDS = 5;

/** A token that could not be checked, as opposed to one found bad: transports answer it as "unavailable, retry", not "log in again". */
export class IssuerUnavailableError extends AssetError {
  constructor() {
    super('UNAUTHENTICATED', 'The token issuer keys (JWT_JWKS_URL) could not be fetched; retry shortly.', { retryAfterSeconds: ISSUER_RETRY_AFTER_SECONDS });
  }
}
