import { imageSize } from 'image-size';
import type { ImageLimits } from '../domain/ports.js';

export type DimensionVerdict = 'ok' | 'unreadable' | 'too-large';

/** Reads width and height from the image header; a tiny file may declare a canvas that would exhaust a decoder. */
export function checkDimensions(bytes: Uint8Array, limits: ImageLimits): DimensionVerdict {
  let width: number | undefined;
  let height: number | undefined;
  try {
    ({ width, height } = imageSize(ownBuffer(bytes)));
  } catch {
    return 'unreadable';
  }
  if (!width || !height) return 'unreadable';
  const tooLarge = width > limits.maxWidth || height > limits.maxHeight || width * height > limits.maxPixels;
  return tooLarge ? 'too-large' : 'ok';
}

/**
 * image-size reads through a DataView over `bytes.buffer` without bounding it by `bytes.length`, so
 * a truncated header would be completed with whatever follows in the backing memory (small Buffers
 * share Node's pool with unrelated data). Bytes that do not own their whole buffer are copied first.
 */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return owned ? bytes : new Uint8Array(bytes);
}
