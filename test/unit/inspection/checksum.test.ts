import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalizeSha256, sha256HexToBase64 } from '../../../src/domain/checksum.js';
import { AssetError } from '../../../src/domain/errors.js';
import { sha256Base64, sha256Hex } from '../../support/fixtures.js';

const HEX = sha256Hex('hello world');
const BASE64 = sha256Base64('hello world');

function isChecksumValidationError(error: unknown): boolean {
  assert.ok(error instanceof AssetError);
  assert.equal(error.code, 'VALIDATION_ERROR');
  assert.equal(error.details.field, 'checksum');
  return true;
}

describe('normalizeSha256', () => {
  test('lowercase hex comes back unchanged', () => {
    assert.equal(normalizeSha256(HEX), HEX);
  });

  test('uppercase and mixed-case hex come back lowercase', () => {
    assert.equal(normalizeSha256(HEX.toUpperCase()), HEX);
    assert.equal(normalizeSha256(HEX.slice(0, 32).toUpperCase() + HEX.slice(32)), HEX);
  });

  test('base64 (as x-amz-checksum-sha256 carries it) comes back as the same digest in hex', () => {
    assert.equal(BASE64.length, 44);
    assert.equal(normalizeSha256(BASE64), HEX);
  });

  test('hex converts back to the base64 storage expects', () => {
    assert.equal(sha256HexToBase64(HEX), BASE64);
  });

  const invalid: [string, string][] = [
    ['an empty string', ''],
    ['63 hex characters', HEX.slice(1)],
    ['65 hex characters', `${HEX}0`],
    ['an MD5 in hex', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['base64 without its padding', BASE64.slice(0, 43)],
    ['base64 of 33 bytes', Buffer.alloc(33, 7).toString('base64')],
    ['base64url (- and _ instead of + and /)', Buffer.alloc(32, 0xfb).toString('base64url').padEnd(44, '=')],
    ['hex with surrounding spaces', ` ${HEX} `],
    ['hex with a non-hex letter', `${HEX.slice(0, 63)}g`],
    ['a prefixed form', `sha256:${HEX}`],
  ];
  for (const [what, value] of invalid) {
    test(`rejects ${what} as a VALIDATION_ERROR on the checksum field`, () => {
      assert.throws(() => normalizeSha256(value), isChecksumValidationError);
    });
  }

  test('names the field it was given in the error', () => {
    assert.throws(() => normalizeSha256('nope', 'input.checksum'), (error: unknown) => (error as AssetError).details.field === 'input.checksum');
  });
});
