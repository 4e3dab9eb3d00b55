import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_IMAGE_LIMITS } from '../../../src/domain/namespace.js';
import { checkDimensions } from '../../../src/inspection/image-dimensions.js';
import { fixture } from '../../support/fixtures.js';

describe('checkDimensions', () => {
  for (const name of ['image.png', 'image.jpg', 'image.gif', 'image.webp', 'safe.svg'] as const) {
    test(`${name} has readable, sane dimensions`, () => {
      assert.equal(checkDimensions(fixture(name), DEFAULT_IMAGE_LIMITS), 'ok');
    });
  }

  test('a PNG declaring a 100000x100000 canvas is too large', () => {
    assert.equal(checkDimensions(fixture('dimension-bomb.png'), DEFAULT_IMAGE_LIMITS), 'too-large');
  });

  test('a PNG cut off before its width and height is unreadable', () => {
    assert.equal(checkDimensions(fixture('truncated.png'), DEFAULT_IMAGE_LIMITS), 'unreadable');
  });

  test('a truncated header is unreadable even when the bytes are a view into a larger buffer', () => {
    // The view ends before the dimensions; the full image continues in the same backing memory.
    const whole = fixture('image.png');
    assert.equal(checkDimensions(whole.subarray(0, 16), DEFAULT_IMAGE_LIMITS), 'unreadable');
  });

  test('bytes that are not an image are unreadable', () => {
    assert.equal(checkDimensions(fixture('notes.txt'), DEFAULT_IMAGE_LIMITS), 'unreadable');
  });

  test('width, height and pixel count are each limited', () => {
    const png2x2 = fixture('image.png');
    assert.equal(checkDimensions(png2x2, { maxWidth: 1, maxHeight: 10, maxPixels: 100 }), 'too-large');
    assert.equal(checkDimensions(png2x2, { maxWidth: 10, maxHeight: 1, maxPixels: 100 }), 'too-large');
    assert.equal(checkDimensions(png2x2, { maxWidth: 10, maxHeight: 10, maxPixels: 3 }), 'too-large');
    assert.equal(checkDimensions(png2x2, { maxWidth: 2, maxHeight: 2, maxPixels: 4 }), 'ok');
  });
});
