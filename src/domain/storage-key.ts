import { validationError } from './errors.js';

/** Values a key template may reference. */
export interface KeyParts {
  namespace: string;
  ownerId: string;
  assetId: string;
}

const PLACEHOLDER = /\{(namespace|ownerId|assetId)\}/g;
const KNOWN_PLACEHOLDERS = new Set(['{namespace}', '{ownerId}', '{assetId}']);
const MAX_SEGMENT_LENGTH = 128;
const MAX_KEY_BYTES = 1024;
const utf8 = new TextEncoder();

/**
 * Makes one value safe to stand as a single key segment: only [A-Za-z0-9._-] survive, so no "/"
 * can add a level, no control or look-alike unicode character reaches storage, and a segment made
 * only of dots ("." or "..") cannot walk up. Distinct inputs may map to the same segment; keys stay
 * unique because every template must contain {assetId}.
 */
export function safeSegment(value: string): string {
  const ascii = value
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .slice(0, MAX_SEGMENT_LENGTH);
  return /^\.*$/.test(ascii) ? `_${ascii}` : ascii;
}

/**
 * Where an upload waits, in the private bucket, until confirm has checked it and copied it to its
 * asset's key. So unconfirmed bytes are never readable in the public bucket, and no client ever writes
 * an asset's key: a PUT after confirm only reaches this one. No asset key can be one of these: a template
 * may not start with "~", and safeSegment never makes one.
 */
export const STAGING_PREFIX = '~uploads/';

export function stagingKey(assetId: string): string {
  return `${STAGING_PREFIX}${assetId}`;
}

/** Checks a template once at startup: known placeholders only, {assetId} present, no escape hatches. */
export function assertValidKeyTemplate(template: string): void {
  if (template.startsWith('~')) throw new Error(`keyTemplate "${template}" must not start with "~": keys under ${STAGING_PREFIX} hold uploads waiting for their confirm.`);
  const placeholders: string[] = template.match(/\{[^}]*\}/g) ?? [];
  const unknown = placeholders.filter((p) => !KNOWN_PLACEHOLDERS.has(p));
  if (unknown.length > 0) throw new Error(`keyTemplate "${template}" uses unknown placeholders ${unknown.join(', ')}; use {namespace}, {ownerId}, {assetId}.`);
  if (!placeholders.includes('{assetId}')) throw new Error(`keyTemplate "${template}" must contain {assetId} so that every key is unique.`);
  assertSafeKey(template.replace(PLACEHOLDER, 'x'));
}

/** The fixed part of a template before its first placeholder: every key of the namespace starts with it. */
export function keyPrefix(template: string): string {
  const first = template.search(/\{/);
  return first === -1 ? template : template.slice(0, first);
}

export function renderStorageKey(template: string, parts: KeyParts): string {
  const key = template.replace(PLACEHOLDER, (_, name: keyof KeyParts) => safeSegment(parts[name]));
  assertSafeKey(key);
  return key;
}

function assertSafeKey(key: string): void {
  const segments = key.split('/');
  const escapes = key.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..');
  if (escapes || /[\u0000-\u001f\u007f]/.test(key) || utf8.encode(key).length > MAX_KEY_BYTES) {
    throw validationError(`Storage key "${key}" is not a safe object key; check the namespace's keyTemplate.`);
  }
}
