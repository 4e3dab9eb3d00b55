import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Visibility } from '../../../src/domain/asset.js';
import { DEFAULT_IMAGE_LIMITS } from '../../../src/domain/namespace.js';
import type { DeclaredContent, ImageLimits } from '../../../src/domain/ports.js';
import { parseNamespaces } from '../../../src/config/namespaces-file.js';
import { FileContentInspector } from '../../../src/inspection/content-inspector.js';
import { fixture, MIME_TYPES, sampleOf, TYPED_FIXTURES, UNSAFE_SVGS, type FixtureName } from '../../support/fixtures.js';
import { docx } from '../../support/zip.js';

const inspector = new FileContentInspector();

function declared(mimeType: string, visibility: Visibility = 'PRIVATE', imageLimits: ImageLimits = DEFAULT_IMAGE_LIMITS): DeclaredContent {
  return { mimeType, visibility, imageLimits };
}

/** Inspects bytes the way confirm does for a small object: head and whole body. */
function inspect(bytes: Uint8Array | string, content: DeclaredContent) {
  return inspector.inspect(sampleOf(bytes), content);
}

function inspectFixture(name: FixtureName, mimeType: string, visibility: Visibility = 'PRIVATE') {
  return inspect(fixture(name), declared(mimeType, visibility));
}

describe('FileContentInspector: type signatures', () => {
  for (const [name, mime] of TYPED_FIXTURES) {
    test(`accepts ${name} declared as ${mime}`, async () => {
      assert.equal(await inspectFixture(name, mime), null);
    });
  }

  const mismatches: [FixtureName, string][] = [
    ['image.png', MIME_TYPES.jpeg],
    ['image.jpg', MIME_TYPES.png],
    ['image.gif', MIME_TYPES.webp],
    ['notes.txt', MIME_TYPES.png],
    ['document.pdf', MIME_TYPES.docx],
    ['document.docx', MIME_TYPES.pdf],
    ['safe.svg', MIME_TYPES.png],
  ];
  for (const [name, mime] of mismatches) {
    test(`refuses ${name} declared as ${mime} with CONTENT_MISMATCH`, async () => {
      assert.equal(await inspectFixture(name, mime), 'CONTENT_MISMATCH');
    });
  }

  test('judges the signature from the first bytes alone when the body was not read', async () => {
    const headOnly = sampleOf(fixture('document.pdf'), { headBytes: 16, wholeBody: false });
    assert.equal(await inspector.inspect(headOnly, declared(MIME_TYPES.pdf)), null);
    assert.equal(await inspector.inspect(headOnly, declared(MIME_TYPES.docx)), 'CONTENT_MISMATCH');
  });
});

describe('FileContentInspector: text', () => {
  for (const mime of [MIME_TYPES.text, MIME_TYPES.csv]) {
    test(`${mime} with a NUL byte is BINARY_CONTENT`, async () => {
      assert.equal(await inspect('name,qty\nwidget,\u00003\n', declared(mime)), 'BINARY_CONTENT');
    });

    test(`${mime} that is not UTF-8 is BINARY_CONTENT`, async () => {
      assert.equal(await inspect(Buffer.from('caf\xe9 au lait\n', 'latin1'), declared(mime)), 'BINARY_CONTENT');
    });

    test(`${mime} whose bytes are a PNG or a PDF is BINARY_CONTENT`, async () => {
      assert.equal(await inspectFixture('image.png', mime), 'BINARY_CONTENT');
      assert.equal(await inspectFixture('document.pdf', mime), 'BINARY_CONTENT');
    });
  }

  test('a multi-byte character cut where the sample ends is text: the rest of it was not read', async () => {
    const text = Buffer.concat([Buffer.alloc(64 * 1024 - 1, 'a'), Buffer.from('€ and more\n')]);
    const sample = sampleOf(text, { headBytes: 64 * 1024, wholeBody: false });
    assert.equal(sample.head.length < sample.sizeBytes, true);
    assert.equal(await inspector.inspect(sample, declared(MIME_TYPES.text)), null);
  });

  test('a file that itself ends in the middle of a multi-byte character is BINARY_CONTENT', async () => {
    const euro = Buffer.from('total: €', 'utf8');
    assert.equal(await inspect(euro.subarray(0, euro.length - 1), declared(MIME_TYPES.text)), 'BINARY_CONTENT');
  });

  test('text that file-type recognises as a text format (XML, vCard, RTF) is still text', async () => {
    for (const text of ['<?xml version="1.0"?>\n<notes>hi</notes>\n', 'BEGIN:VCARD\nVERSION:3.0\nEND:VCARD\n', '{\\rtf1 hello}\n']) {
      assert.equal(await inspect(text, declared(MIME_TYPES.text)), null, text);
    }
  });
});

describe('FileContentInspector: SVG', () => {
  test('a safe SVG with internal #id references passes in a PUBLIC namespace', async () => {
    assert.equal(await inspectFixture('safe.svg', MIME_TYPES.svg, 'PUBLIC'), null);
  });

  for (const name of UNSAFE_SVGS) {
    test(`${name} is UNSAFE_SVG in a PUBLIC namespace`, async () => {
      assert.equal(await inspectFixture(name, MIME_TYPES.svg, 'PUBLIC'), 'UNSAFE_SVG');
    });

    test(`${name} passes in a PRIVATE namespace, where it is never served from a public domain`, async () => {
      assert.equal(await inspectFixture(name, MIME_TYPES.svg, 'PRIVATE'), null);
    });
  }

  test('an SVG read only in part is UNSAFE_SVG in a PUBLIC namespace: the unread rest may hold a script', async () => {
    const partial = sampleOf(fixture('safe.svg'), { headBytes: 100, wholeBody: false });
    assert.equal(await inspector.inspect(partial, declared(MIME_TYPES.svg, 'PUBLIC')), 'UNSAFE_SVG');
  });

  test('bytes that are not an SVG (text, HTML, a PNG) declared as SVG are CONTENT_MISMATCH', async () => {
    assert.equal(await inspectFixture('notes.txt', MIME_TYPES.svg, 'PUBLIC'), 'CONTENT_MISMATCH');
    assert.equal(await inspect('<html><body><svg></svg></body></html>', declared(MIME_TYPES.svg, 'PUBLIC')), 'CONTENT_MISMATCH');
    assert.equal(await inspectFixture('image.png', MIME_TYPES.svg, 'PRIVATE'), 'CONTENT_MISMATCH');
  });
});

describe('FileContentInspector: image dimensions', () => {
  test('a PNG declaring a 100000x100000 canvas is IMAGE_TOO_LARGE', async () => {
    assert.equal(await inspectFixture('dimension-bomb.png', MIME_TYPES.png), 'IMAGE_TOO_LARGE');
  });

  test('a PNG with a correct signature but cut off before its dimensions is IMAGE_UNREADABLE', async () => {
    assert.equal(await inspectFixture('truncated.png', MIME_TYPES.png), 'IMAGE_UNREADABLE');
  });

  test("each namespace's image limits from the namespaces file are the ones applied", async () => {
    const catalog = parseNamespaces(
      `namespaces:
  icons: { visibility: PUBLIC, keyTemplate: "{namespace}/{assetId}", maxSizeBytes: 1000, allowedMimeTypes: [image/png], imageLimits: { maxWidth: 1 } }
  default: { visibility: PRIVATE, keyTemplate: "{namespace}/{assetId}", maxSizeBytes: 1000, allowedMimeTypes: [image/png] }`,
      'inline',
    );
    const png2x2 = fixture('image.png');
    const icons = catalog.resolve('icons');
    assert.equal(await inspect(png2x2, declared(MIME_TYPES.png, 'PUBLIC', icons.imageLimits)), 'IMAGE_TOO_LARGE');
    assert.equal(await inspect(png2x2, declared(MIME_TYPES.png, 'PRIVATE', catalog.resolve('default').imageLimits)), null);
  });
});

describe('FileContentInspector: Office packages', () => {
  test('a Word document whose [Content_Types].xml comes after 70 KB of media is accepted when its body was read', async () => {
    const late = docx('late content types', randomBytes(70_000));
    assert.equal(await inspect(late, declared(MIME_TYPES.docx)), null);
  });
});
