import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasUserInfo, shownUrl } from '../../../src/config/shown-url.js';

describe('shownUrl', () => {
  test('leaves out user info and query, where credentials may be', () => {
    assert.equal(shownUrl('https://issuer:S3CRET@security.example.com/jwks.json'), 'https://…@security.example.com/jwks.json');
    assert.equal(shownUrl('https://ghp_S3CRET@security.example.com/jwks.json?key=S3CRET'), 'https://…@security.example.com/jwks.json?…');
    assert.equal(shownUrl('https://u:p@ss@S3CRET@security.example.com/jwks.json'), 'https://…@security.example.com/jwks.json');
    assert.equal(shownUrl('https://security.example.com/jwks.json?token=S3CRET'), 'https://security.example.com/jwks.json?…');
  });

  test('leaves out what may be a password also in a URL that does not parse (a bad port, an empty or spaced host)', () => {
    for (const broken of ['https://issuer:S3CRET@security.example.com:99999/jwks.json', 'https://u:S3CRET@/jwks.json', 'https://u:S3CRET@bad host/x', 'https://u:pa?S3CRET@h:99999/']) {
      assert.doesNotMatch(shownUrl(broken), /S3CRET/, broken);
      assert.match(shownUrl(broken), /^https:\/\/…@/, broken);
    }
  });

  test('keeps every other value as it was written: no scheme invented for host:port, no normalising', () => {
    for (const value of ['localhost:9000', 'minio:9000', '/neotool-assets-public', 'my db', 'HTTP://Example.COM/x', 'https://security.example.com/jwks.json']) {
      assert.equal(shownUrl(value), value);
    }
    assert.equal(shownUrl('db:5432?sslmode=require'), 'db:5432?…');
  });
});

describe('hasUserInfo', () => {
  test('finds a user or password before the host, never an @ in the path or query, and never throws', () => {
    assert.equal(hasUserInfo('https://u:p@host/x'), true);
    assert.equal(hasUserInfo('https://token@host/x'), true);
    assert.equal(hasUserInfo('https://host/keys/@issuer/jwks.json?for=a@b'), false);
    assert.equal(hasUserInfo('not a url'), false);
  });
});
