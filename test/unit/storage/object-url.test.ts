import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeKey, escapeUri, objectLocation, publicObjectUrl } from '../../../src/storage/object-url.js';
import { minioStorageConfig, r2StorageConfig } from '../fakes.js';

describe('publicObjectUrl', () => {
  test('joins the public base URL and the key with one slash', () => {
    const config = r2StorageConfig({ publicBaseUrl: 'https://assets.example.com' });
    assert.equal(publicObjectUrl(config, 'group-assets/u1/0190-id'), 'https://assets.example.com/group-assets/u1/0190-id');
  });

  test('works with a MinIO base path that includes the bucket', () => {
    assert.equal(publicObjectUrl(minioStorageConfig(), 'a/b'), 'http://localhost:9000/neotool-assets-public/a/b');
  });

  test('escapes each key segment but keeps "/" as the separator', () => {
    const url = publicObjectUrl(r2StorageConfig(), "dir one/ünï 漢#?%'.png");
    assert.equal(url, 'https://assets.example.com/dir%20one/%C3%BCn%C3%AF%20%E6%BC%A2%23%3F%25%27.png');
    assert.equal(decodeURIComponent(new URL(url).pathname), "/dir one/ünï 漢#?%'.png");
  });
});

describe('escapeUri and encodeKey', () => {
  test('escape the characters encodeURIComponent leaves alone, as SigV4 requires', () => {
    assert.equal(escapeUri("!'()*"), '%21%27%28%29%2A');
    assert.equal(escapeUri('-_.~'), '-_.~');
  });

  test('encodeKey escapes a "/" only between segments, never within', () => {
    assert.equal(encodeKey('a/b c/d'), 'a/b%20c/d');
  });
});

describe('objectLocation', () => {
  test('puts the bucket in the path for path-style and in the host name otherwise', () => {
    assert.deepEqual(objectLocation(minioStorageConfig(), 'b', 'k 1'), { protocol: 'http:', hostname: 'localhost', port: 9000, path: '/b/k%201' });
    assert.deepEqual(objectLocation(r2StorageConfig(), 'b', 'k 1'), { protocol: 'https:', hostname: 'b.account123.r2.cloudflarestorage.com', port: 443, path: '/k%201' });
  });
});
