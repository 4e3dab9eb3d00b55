import { AssetsError, IntegrityError, UnauthenticatedError, ValidationError } from '../../packages/client/src/index.js';

/** What to tell the user about a failure; the service's own messages already say what to do. */
export function messageFor(error: unknown): string {
  if (error instanceof ValidationError) return `Rejected: ${error.message}`;
  if (error instanceof IntegrityError) return `Rejected after upload (${error.failureReason}): ${error.message}`;
  if (error instanceof UnauthenticatedError) return `Your token was not accepted: ${error.message}`;
  if (error instanceof AssetsError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
