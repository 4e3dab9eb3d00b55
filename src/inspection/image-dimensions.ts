import { imageSize } from 'image-size';
import type { ImageLimits } from '../domain/ports.js';

export type DimensionVerdict = 'ok' | 'unreadable' | 'too-large';

/** Reads width and height from the image header; a tiny file may declare a canvas that would exhaust a decoder. */
export function checkDimensions(bytes: Uint8Array, limits: ImageLimits): DimensionVerdict {
  let width: number | undefined;
  let height: number | undefined;
  try {
    ({ width, height } = imageSize(bytes));
  } catch {
    return 'unreadable';
  }
  if (!width || !height) return 'unreadable';
  const tooLarge = width > limits.maxWidth || height > limits.maxHeight || width * height > limits.maxPixels;
  return tooLarge ? 'too-large' : 'ok';
}
