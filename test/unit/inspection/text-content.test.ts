import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { looksLikeText } from '../../../src/inspection/text-content.js';
import { fixture } from '../../support/fixtures.js';

const utf8 = (text: string) => Buffer.from(text, 'utf8');

describe('looksLikeText', () => {
  test('UTF-8 text with accents, symbols, tabs, CRLF and form feeds is text', () => {
    assert.equal(looksLikeText(fixture('notes.txt'), true), true);
    assert.equal(looksLikeText(fixture('table.csv'), true), true);
    assert.equal(looksLikeText(utf8('a\tb\r\nc\fd 漢字 😀'), true), true);
  });

  test('a NUL byte makes it binary', () => {
    assert.equal(looksLikeText(utf8('name,qty\nwidget\u0000,3\n'), true), false);
  });

  test('other control characters make it binary', () => {
    for (const control of ['\u0001', '\u0008', '\u000b', '\u001b', '\u007f']) {
      assert.equal(looksLikeText(utf8(`abc${control}def`), true), false, JSON.stringify(control));
    }
  });

  test('invalid UTF-8 (a Latin-1 byte, an overlong encoding, a lone continuation byte) is binary', () => {
    for (const bad of [[0x63, 0x61, 0x66, 0xe9, 0x20, 0x21], [0xc0, 0xaf], [0x61, 0x80, 0x62]]) {
      assert.equal(looksLikeText(Buffer.from(bad), true), false, Buffer.from(bad).toString('hex'));
    }
  });

  test('a multi-byte character cut at the end of a sample is still text: the rest is in the next bytes', () => {
    const euro = utf8('price: €');
    assert.equal(looksLikeText(euro.subarray(0, euro.length - 1)), true);
    assert.equal(looksLikeText(euro.subarray(0, euro.length - 2)), true);
  });

  test('a multi-byte character cut at the end of the whole file is not UTF-8', () => {
    const euro = utf8('price: €');
    assert.equal(looksLikeText(euro.subarray(0, euro.length - 1), true), false);
    // Latin-1 "café": 0xE9 at the very end looks like the start of a 3-byte character.
    assert.equal(looksLikeText(Buffer.from([0x63, 0x61, 0x66, 0xe9]), true), false);
  });

  test('only the first 64 KiB are judged, so a whole-file flag on longer bytes still tolerates the cut', () => {
    const long = Buffer.concat([Buffer.alloc(64 * 1024 - 1, 'a'), utf8('€'), Buffer.from([0])]);
    assert.equal(looksLikeText(long, true), true);
  });

  test('empty bytes are (empty) text', () => {
    assert.equal(looksLikeText(new Uint8Array(), true), true);
  });
});
