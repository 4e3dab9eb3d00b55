import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { fixture, MIME_TYPES, UNSAFE_SVGS, type FixtureName } from '../../support/fixtures.js';
import { uploadedAsset } from '../../support/flows.js';
import { GET, uploadInput } from '../../support/operations.js';
import { startServiceFor, type TestService } from '../../support/test-service.js';
import { assertRejectedUpload, confirmReady, fixtureInput, objectBytes } from '../../support/uploads.js';
import { docx } from '../../support/zip.js';

describe('confirm checks the content of the real object against what was declared (PostgreSQL + Ceph)', () => {
  let svc: TestService;
  let token: string;
  before(async () => ({ svc, token } = await startServiceFor('alice')));
  after(() => svc.stop());

  /** Uploads a fixture as declared and expects it READY with its bytes intact. */
  async function assertAccepted(name: FixtureName, namespace: string, mimeType: string): Promise<void> {
    const asset = await uploadedAsset(svc, token, fixtureInput(name, namespace, mimeType), fixture(name));
    await confirmReady(svc, token, asset.id);
    assert.deepEqual(await objectBytes(svc, asset), fixture(name));
  }

  test('a PNG declared as JPEG fails with CONTENT_MISMATCH, leaving a FAILED row and no object', async () => {
    await assertRejectedUpload(svc, token, fixtureInput('image.png', 'user-profiles', MIME_TYPES.jpeg), fixture('image.png'), 'CONTENT_MISMATCH');
  });

  test('a text file declared as PNG fails with CONTENT_MISMATCH', async () => {
    await assertRejectedUpload(svc, token, fixtureInput('notes.txt', 'user-profiles', MIME_TYPES.png), fixture('notes.txt'), 'CONTENT_MISMATCH');
  });

  test('a PDF declared as a Word document fails with CONTENT_MISMATCH', async () => {
    await assertRejectedUpload(svc, token, fixtureInput('document.pdf', 'attachments', MIME_TYPES.docx), fixture('document.pdf'), 'CONTENT_MISMATCH');
  });

  test('a binary file declared as text/csv fails with BINARY_CONTENT', async () => {
    await assertRejectedUpload(svc, token, fixtureInput('image.png', 'attachments', MIME_TYPES.csv), fixture('image.png'), 'BINARY_CONTENT');
  });

  for (const name of UNSAFE_SVGS) {
    test(`${name} in the PUBLIC group-assets namespace fails with UNSAFE_SVG`, async () => {
      await assertRejectedUpload(svc, token, fixtureInput(name, 'group-assets', MIME_TYPES.svg), fixture(name), 'UNSAFE_SVG');
    });
  }

  test('a safe SVG becomes READY and its publicUrl serves it with an immutable Cache-Control', async () => {
    const asset = await uploadedAsset(svc, token, fixtureInput('safe.svg', 'group-assets', MIME_TYPES.svg), fixture('safe.svg'));
    await confirmReady(svc, token, asset.id);
    const { publicUrl } = (await svc.gql(GET, { id: asset.id }, await svc.token('bob'))).data!.asset;
    const served = await fetch(publicUrl);
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('content-type'), MIME_TYPES.svg);
    assert.match(served.headers.get('cache-control') ?? '', /\bimmutable\b/);
    assert.match(served.headers.get('cache-control') ?? '', /max-age=31536000/);
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), fixture('safe.svg'));
  });

  test('a PNG declaring a 100000x100000 canvas fails with IMAGE_TOO_LARGE', async () => {
    await assertRejectedUpload(svc, token, fixtureInput('dimension-bomb.png', 'group-assets', MIME_TYPES.png), fixture('dimension-bomb.png'), 'IMAGE_TOO_LARGE');
  });

  test('a PNG cut off before its dimensions fails with IMAGE_UNREADABLE', async () => {
    await assertRejectedUpload(svc, token, fixtureInput('truncated.png', 'user-profiles', MIME_TYPES.png), fixture('truncated.png'), 'IMAGE_UNREADABLE');
  });

  test('a Word document whose [Content_Types].xml comes after 70 KB of media becomes READY', async () => {
    const late = docx('late content types', randomBytes(70_000));
    const asset = await uploadedAsset(svc, token, uploadInput({ filename: 'report.docx', mimeType: MIME_TYPES.docx, sizeBytes: late.length }), late);
    await confirmReady(svc, token, asset.id);
  });

  const accepted: [FixtureName, string, string][] = [
    ['image.png', 'user-profiles', MIME_TYPES.png],
    ['image.jpg', 'user-profiles', MIME_TYPES.jpeg],
    ['image.gif', 'group-assets', MIME_TYPES.gif],
    ['image.webp', 'group-assets', MIME_TYPES.webp],
    ['document.pdf', 'attachments', MIME_TYPES.pdf],
    ['document.docx', 'attachments', MIME_TYPES.docx],
    ['notes.txt', 'attachments', MIME_TYPES.text],
    ['table.csv', 'attachments', MIME_TYPES.csv],
  ];
  for (const [name, namespace, mimeType] of accepted) {
    test(`a real ${name} declared as ${mimeType} in ${namespace} becomes READY`, async () => {
      await assertAccepted(name, namespace, mimeType);
    });
  }
});
