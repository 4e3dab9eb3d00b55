import type { JWTPayload } from 'jose';
import type { Principal } from '../domain/principal.js';
import { AssetError } from '../domain/errors.js';

const TOKEN_TYPES = new Set(['access', 'service']);

/** Neotool's security service puts `type` and `permissions` in every token; the subject owns what it uploads. */
export function principalFromClaims(payload: JWTPayload): Principal {
  const { sub, type, permissions } = payload as JWTPayload & { type?: unknown; permissions?: unknown };
  // Control characters (NUL above all) cannot be stored as an owner id, nor should they name one.
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255 || /[\u0000-\u001f\u007f]/.test(sub)) {
    throw new AssetError('UNAUTHENTICATED', 'The token has no usable "sub" claim (1-255 characters, no control characters); get a token for a user or service.');
  }
  if (typeof type !== 'string' || !TOKEN_TYPES.has(type)) {
    throw new AssetError('UNAUTHENTICATED', 'The token\'s "type" claim must be "access" or "service".');
  }
  if (!Array.isArray(permissions) || !permissions.every((p) => typeof p === 'string')) {
    throw new AssetError('UNAUTHENTICATED', 'The token\'s "permissions" claim must be an array of strings.');
  }
  return { ownerId: sub, type: type as Principal['type'], permissions: new Set(permissions) };
}
