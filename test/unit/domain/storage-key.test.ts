import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AssetError } from '../../../src/domain/errors.js';
import { assertValidKeyTemplate, keyPrefix, renderStorageKey, safeSegment, STAGING_PREFIX } from '../../../src/domain/storage-key.js';

const TEMPLATE = 'uploads/{namespace}/{ownerId}/{assetId}';
const ASSET_ID = '0190c3a4-5b6c-7d8e-9f00-112233445566';
const OTHER_ASSET_ID = '0190c3a4-5b6c-7d8e-9f00-112233445567';

const HOSTILE = [
  '../../etc',
  '../../../etc/passwd',
  'a/b',
  '/leading',
  'trailing/',
  'a\\b',
  '..',
  '.',
  '...',
  '',
  'ÿ€漢字',
  'admin\u202egnp.exe',
  'nul\u0000byte',
  'tab\tnew\nline\rcr\u007fdel\u001b[31m',
  'lone \ud800 surrogate',
  'ﬁ ﷺ Å', // NFKD expands these
  'x'.repeat(10_000),
  '漢'.repeat(10_000),
  '/'.repeat(5000),
];

/** Everything a rendered key must be, whatever went into it. */
function assertConfined(key: string, template = TEMPLATE): void {
  assert.ok(key.startsWith(keyPrefix(template)), `key ${JSON.stringify(key)} escapes prefix ${keyPrefix(template)}`);
  const segments = key.split('/');
  assert.equal(segments.length, template.split('/').length, `key ${JSON.stringify(key)} has extra or missing levels`);
  for (const segment of segments) {
    assert.notEqual(segment, '', `empty segment in ${JSON.stringify(key)}`);
    assert.notEqual(segment, '.', `"." segment in ${JSON.stringify(key)}`);
    assert.notEqual(segment, '..', `".." segment in ${JSON.stringify(key)}`);
  }
  assert.doesNotMatch(key, /[\u0000-\u001f\u007f-\u009f]/, 'control character in key');
  assert.match(key, /^[A-Za-z0-9._\-/]+$/, 'only unreserved ASCII reaches storage');
  assert.ok(Buffer.byteLength(key, 'utf8') <= 1024, 'key longer than 1024 bytes');
}

describe('safeSegment', () => {
  for (const value of HOSTILE) {
    test(`turns ${JSON.stringify(value.slice(0, 24))}${value.length > 24 ? '…' : ''} into one harmless, non-empty segment`, () => {
      const segment = safeSegment(value);
      assert.match(segment, /^[A-Za-z0-9._-]{1,129}$/);
      assert.doesNotMatch(segment, /^\.+$/);
    });
  }

  test('keeps ordinary ids unchanged', () => {
    assert.equal(safeSegment('user-42_A.b'), 'user-42_A.b');
  });

  test('replaces path separators instead of dropping them, so "a/b" stays recognisable', () => {
    assert.equal(safeSegment('a/b'), 'a_b');
  });

  test('prefixes dot-only values so they cannot walk up', () => {
    assert.equal(safeSegment('..'), '_..');
    assert.equal(safeSegment('.'), '_.');
    assert.equal(safeSegment(''), '_');
  });
});

describe('renderStorageKey', () => {
  for (const value of HOSTILE) {
    test(`confines the owner id and namespace ${JSON.stringify(value.slice(0, 24))}${value.length > 24 ? '…' : ''} under the template prefix`, () => {
      const key = renderStorageKey(TEMPLATE, { namespace: value, ownerId: value, assetId: ASSET_ID });
      assertConfined(key);
      assert.ok(key.endsWith(`/${ASSET_ID}`));
    });
  }

  test('gives different keys to different asset ids of the same hostile owner', () => {
    for (const value of HOSTILE) {
      const a = renderStorageKey(TEMPLATE, { namespace: 'ns', ownerId: value, assetId: ASSET_ID });
      const b = renderStorageKey(TEMPLATE, { namespace: 'ns', ownerId: value, assetId: OTHER_ASSET_ID });
      assert.notEqual(a, b);
    }
  });

  test('renders the shipped template as namespace/owner/asset', () => {
    const key = renderStorageKey('{namespace}/{ownerId}/{assetId}', { namespace: 'attachments', ownerId: 'user-1', assetId: ASSET_ID });
    assert.equal(key, `attachments/user-1/${ASSET_ID}`);
  });

  test('never produces a key outside the prefix, and never throws, for random unicode owner ids and namespaces', () => {
    const anyText = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.array(fc.constantFrom('.', '/', '\\', '..', '\u0000', '\u202e', '%2e', '漢'), { maxLength: 40 }).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(anyText, anyText, fc.uuid(), (ownerId, namespace, assetId) => {
        const key = renderStorageKey(TEMPLATE, { namespace, ownerId, assetId });
        assertConfined(key);
        assert.ok(key.endsWith(`/${assetId}`));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('assertValidKeyTemplate', () => {
  test('accepts the shipped template and templates with a fixed prefix', () => {
    assert.doesNotThrow(() => assertValidKeyTemplate('{namespace}/{ownerId}/{assetId}'));
    assert.doesNotThrow(() => assertValidKeyTemplate('uploads/{namespace}/{ownerId}/{assetId}'));
    assert.doesNotThrow(() => assertValidKeyTemplate('public/{assetId}'));
  });

  test('rejects a template starting with "~", where uploads wait for their confirm, so no asset key can be a staging key', () => {
    assert.throws(() => assertValidKeyTemplate('~uploads/{assetId}'), /must not start with "~"/);
    assert.throws(() => assertValidKeyTemplate('~{namespace}/{assetId}'), /must not start with "~"/);
  });

  test('never lets a hostile owner id or namespace make a key under the staging prefix', () => {
    const key = renderStorageKey('{ownerId}/{namespace}/{assetId}', { ownerId: '~uploads', namespace: '~', assetId: 'a' });
    assert.equal(key.startsWith(STAGING_PREFIX), false, key);
  });

  test('rejects unknown placeholders, naming them', () => {
    assert.throws(() => assertValidKeyTemplate('{namespace}/{userId}/{assetId}'), /unknown placeholders \{userId\}/);
    assert.throws(() => assertValidKeyTemplate('{namespace}/{ }/{assetId}'), /unknown placeholders/);
  });

  test('rejects a template without {assetId}, because keys would not be unique', () => {
    assert.throws(() => assertValidKeyTemplate('{namespace}/{ownerId}'), /must contain \{assetId\}/);
    assert.throws(() => assertValidKeyTemplate('{namespace}/{ownerId}/{assetId'), /must contain \{assetId\}/);
  });

  test('rejects templates with ".." or "." segments', () => {
    for (const template of ['../{assetId}', 'uploads/../{assetId}', '{namespace}/../{assetId}', 'a/./{assetId}', '{assetId}/..']) {
      assert.throws(() => assertValidKeyTemplate(template), (e: unknown) => e instanceof AssetError && /not a safe object key/.test(e.message), template);
    }
  });

  test('rejects a leading "/", empty segments and control characters', () => {
    for (const template of ['/{assetId}', '/uploads/{assetId}', 'uploads//{assetId}', 'uploads/{assetId}/', 'up\u0000loads/{assetId}']) {
      assert.throws(() => assertValidKeyTemplate(template), /not a safe object key/, JSON.stringify(template));
    }
  });
});

describe('keyPrefix', () => {
  test('is the fixed text before the first placeholder', () => {
    assert.equal(keyPrefix('uploads/{namespace}/{assetId}'), 'uploads/');
    assert.equal(keyPrefix('{namespace}/{assetId}'), '');
  });
});
