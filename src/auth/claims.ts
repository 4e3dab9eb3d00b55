import type { JWTPayload } from 'jose';
import type { Principal } from '../domain/principal.js';
import { AssetError } from '../domain/errors.js';
import { hasLoneSurrogate } from '../domain/unicode.js';

const TOKEN_TYPES = new Set(['access', 'service']);

/** Neotool's security service puts `type` and `permissions` in every token; the subject owns what it uploads. */
export function principalFromClaims(payload: JWTPayload): Principal {
  const { sub, type, permissions } = payload as JWTPayload & { type?: unknown; permissions?: unknown };
  const subProblem = subjectProblem(sub);
  if (subProblem) throw new AssetError('UNAUTHENTICATED', `The token's "sub" claim ${subProblem}; get a token for a user or service.`);
  if (typeof type !== 'string' || !TOKEN_TYPES.has(type)) {
    const got = type === undefined ? 'is missing' : `is ${shown(type)}`;
    throw new AssetError('UNAUTHENTICATED', `The token's "type" claim ${got} but must be "access" or "service"; get an access or service token.`);
  }
  if (!Array.isArray(permissions) || !permissions.every((p) => typeof p === 'string')) {
    const got = permissions === undefined ? 'is missing' : Array.isArray(permissions) ? 'holds something other than a string' : `is ${shown(permissions)}`;
    throw new AssetError('UNAUTHENTICATED', `The token's "permissions" claim ${got} but must be an array of strings.`);
  }
  return { ownerId: sub as string, type: type as Principal['type'], permissions: new Set(permissions) };
}

/** Why `sub` cannot name an owner, if it cannot: 1-255 characters, no control characters (NUL above all cannot be stored). */
function subjectProblem(sub: unknown): string | undefined {
  if (typeof sub !== 'string') return `is ${shown(sub)} but must be a string`;
  if (sub.length === 0) return 'is empty';
  if (sub.length > 255) return `is ${sub.length} characters long; at most 255 are allowed`;
  if (/[\u0000-\u001f\u007f]/.test(sub)) return 'contains control characters';
  // Stored as U+FFFD, "carol\ud800" would own what "carol\ufffd" uploaded.
  if (hasLoneSurrogate(sub)) return 'contains an unpaired UTF-16 surrogate, which is no character';
  return undefined;
}

/** A claim's value as a message may quote it: JSON, cut short (it comes from the caller). */
export function shown(value: unknown, maxLength = 60): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > maxLength ? `${json.slice(0, maxLength)}…` : json;
}
