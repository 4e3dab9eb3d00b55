// createAssetUpload checks a request against its namespace before anything is stored: a refusal names
// the field to fix and leaves no row behind.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { countAssets, createUpload, errorOf } from '../support/flows.js';
import { CREATE, uploadInput } from '../support/operations.js';
import { startServiceFor, type TestService } from '../support/test-service.js';

const MAX_BYTES = 2 * 1024 * 1024; // every shipped namespace's maxSizeBytes

/** What a refusal's message must say, for the refusals whose wording matters most. */
const REFUSED: [string, Record<string, unknown>, string, RegExp?][] = [
  ['a type the namespace does not allow', { mimeType: 'application/x-msdownload', filename: 'setup.exe' }, 'mimeType'],
  ['SVG in a namespace that allows only raster images', { namespace: 'user-profiles', mimeType: 'image/svg+xml', filename: 'me.svg' }, 'mimeType'],
  ['a MIME type with parameters', { mimeType: 'text/plain; charset=utf-8' }, 'mimeType'],
  ['one byte over the namespace maximum', { sizeBytes: MAX_BYTES + 1 }, 'sizeBytes', /^File is 2097153 bytes; namespace "attachments" accepts at most 2097152 bytes\.$/],
  ['sizeBytes 0', { sizeBytes: 0 }, 'sizeBytes'],
  ['a negative sizeBytes', { sizeBytes: -5 }, 'sizeBytes'],
  ['a filename with "/"', { filename: '../../etc/passwd' }, 'filename'],
  ['a filename with "\\"', { filename: 'c:\\temp\\notes.txt' }, 'filename'],
  ['a filename with a control character', { filename: 'notes\u0007.txt' }, 'filename'],
  ['a filename with a newline', { filename: 'notes\n.txt' }, 'filename'],
  ['the filename ".."', { filename: '..' }, 'filename', /^filename must be a plain file name: not "\." or "\.\."\.$/],
  ['the filename "."', { filename: '.' }, 'filename', /not "\." or "\.\."/],
  ['a filename of spaces only', { filename: '   ' }, 'filename', /^filename must be a plain file name: not only spaces\.$/],
  ['a filename with a right-to-left override ("x\u202Egnp.exe" shows as "xexe.png")', { filename: 'x\u202Egnp.exe' }, 'filename', /no bidirectional control characters/],
  ['a filename with a C1 control character', { filename: 'notes\u0085.txt' }, 'filename', /no control characters/],
  ['an empty filename', { filename: '' }, 'filename'],
  ['a text type in the fallback namespace (jpeg/png only)', { namespace: 'no-such-namespace' }, 'mimeType', /^MIME type "text\/plain" is not allowed in namespace "default" \(namespace "no-such-namespace" is not declared, so the fallback "default" applies\); allowed: /],
  ['the namespace "../x"', { namespace: '../x' }, 'namespace'],
  ['an upper-case namespace', { namespace: 'Attachments' }, 'namespace'],
  ['an empty namespace', { namespace: '' }, 'namespace'],
];

describe('createAssetUpload validation', () => {
  let svc: TestService;
  let token: string;
  before(async () => ({ svc, token } = await startServiceFor('validated-uploader')));
  after(() => svc.stop());

  for (const [what, overrides, field, message] of REFUSED) {
    test(`${what} is a VALIDATION_ERROR on ${field}, and nothing is stored`, async () => {
      const rowsBefore = await countAssets(svc.db);
      const error = errorOf(await svc.gql(CREATE, { input: uploadInput(overrides) }, token), 'VALIDATION_ERROR');
      assert.equal(error.extensions.field, field);
      if (message) assert.match(error.message, message);
      assert.equal(await countAssets(svc.db), rowsBefore);
    });
  }

  test('a size beyond 2^53 is refused as a VALIDATION_ERROR before the resolver runs', async () => {
    const response = await svc.gql(CREATE, { input: uploadInput({ sizeBytes: '99999999999999999999' }) }, token);
    errorOf(response, 'VALIDATION_ERROR');
    assert.equal(response.status, 400);
  });

  test('exactly the namespace maximum is accepted', async () => {
    const asset = await createUpload(svc, token, uploadInput({ sizeBytes: MAX_BYTES }));
    assert.equal(asset.sizeBytes, MAX_BYTES);
  });

  test('an unknown namespace falls back to "default": PRIVATE, PNG accepted, reported as "default"', async () => {
    const asset = await createUpload(svc, token, uploadInput({ namespace: 'no-such-namespace', mimeType: 'image/png', filename: 'a.png' }));
    assert.equal(asset.namespace, 'default');
    assert.equal(asset.visibility, 'PRIVATE');
    assert.equal(asset.storageBucket, svc.privateBucket);
    assert.ok(asset.storageKey.startsWith('default/'), asset.storageKey);
  });

  test('a filename with spaces and unicode is kept as it was given', async () => {
    const filename = 'Relatório final (v2) — ünïcödé 漢字.txt';
    const asset = await createUpload(svc, token, uploadInput({ filename }));
    assert.equal(asset.originalFilename, filename);
    assert.ok(!asset.storageKey.includes('Relat'), 'the filename never reaches the key');
  });
});
