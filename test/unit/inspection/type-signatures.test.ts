import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { detectType, hasSignature, matchesSignature } from '../../../src/inspection/type-signatures.js';
import { fixture, MIME_TYPES, TYPED_FIXTURES } from '../../support/fixtures.js';

const SIGNED_FIXTURES = TYPED_FIXTURES.filter(([, mime]) => hasSignature(mime));

describe('type signatures', () => {
  test('every image, PDF and Office type has a signature to check; text and SVG do not', () => {
    for (const mime of [MIME_TYPES.png, MIME_TYPES.jpeg, MIME_TYPES.gif, MIME_TYPES.webp, MIME_TYPES.pdf, MIME_TYPES.docx, MIME_TYPES.xlsx, MIME_TYPES.doc]) {
      assert.equal(hasSignature(mime), true, mime);
    }
    for (const mime of [MIME_TYPES.text, MIME_TYPES.csv, MIME_TYPES.svg]) assert.equal(hasSignature(mime), false, mime);
  });

  for (const [name, mime] of SIGNED_FIXTURES) {
    test(`a real ${name} matches ${mime}`, async () => {
      assert.equal(await matchesSignature(mime, fixture(name)), true);
    });

    test(`a real ${name} matches no other signed type`, async () => {
      for (const [, other] of SIGNED_FIXTURES.filter(([, m]) => m !== mime)) {
        assert.equal(await matchesSignature(other, fixture(name)), false, `${name} accepted as ${other}`);
      }
    });
  }

  test('a PNG declared as JPEG does not match', async () => {
    assert.equal(await matchesSignature(MIME_TYPES.jpeg, fixture('image.png')), false);
  });

  test('text declared as PNG does not match', async () => {
    assert.equal(await matchesSignature(MIME_TYPES.png, fixture('notes.txt')), false);
  });

  test('a PDF declared as DOCX does not match, nor does a bare ZIP', async () => {
    assert.equal(await matchesSignature(MIME_TYPES.docx, fixture('document.pdf')), false);
    const bareZip = Buffer.from('504b0506000000000000000000000000000000000000', 'hex');
    assert.equal(await matchesSignature(MIME_TYPES.docx, bareZip), false);
  });

  test('a DOCX is not accepted as a spreadsheet: the package content type decides', async () => {
    assert.equal(await matchesSignature(MIME_TYPES.xlsx, fixture('document.docx')), false);
  });

  test('empty bytes match nothing and detect as nothing', async () => {
    assert.equal(await matchesSignature(MIME_TYPES.png, new Uint8Array()), false);
    assert.equal(await detectType(new Uint8Array()), undefined);
  });
});
