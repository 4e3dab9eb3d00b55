import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ObjectSample } from '../../src/domain/ports.js';

/** The SVG fixtures with a hazard a public namespace refuses. */
export const UNSAFE_SVGS = [
  'unsafe-script.svg',
  'unsafe-onload.svg',
  'unsafe-external-href.svg',
  'unsafe-foreign-object.svg',
  'unsafe-prefixed-script.svg',
  'unsafe-animated-link.svg',
  'unsafe-shift-jis.svg',
] as const;

/** The committed files of test/fixtures (written by test/fixtures/make-fixtures.ts). */
export type FixtureName =
  | 'image.png'
  | 'image.jpg'
  | 'image.gif'
  | 'image.webp'
  | 'document.pdf'
  | 'document.docx'
  | 'notes.txt'
  | 'table.csv'
  | 'safe.svg'
  | (typeof UNSAFE_SVGS)[number]
  | 'dimension-bomb.png'
  | 'truncated.png';

export const MIME_TYPES = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  doc: 'application/msword',
  text: 'text/plain',
  csv: 'text/csv',
} as const;

/** Each valid fixture with the MIME type it really is. */
export const TYPED_FIXTURES: readonly [FixtureName, string][] = [
  ['image.png', MIME_TYPES.png],
  ['image.jpg', MIME_TYPES.jpeg],
  ['image.gif', MIME_TYPES.gif],
  ['image.webp', MIME_TYPES.webp],
  ['document.pdf', MIME_TYPES.pdf],
  ['document.docx', MIME_TYPES.docx],
  ['notes.txt', MIME_TYPES.text],
  ['table.csv', MIME_TYPES.csv],
];

const cache = new Map<FixtureName, Buffer>();

/** A fresh copy each time, so that a test that changes its bytes cannot affect another. */
export function fixture(name: FixtureName): Buffer {
  if (!cache.has(name)) cache.set(name, readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));
  return Buffer.from(cache.get(name)!);
}

/** image.png with ten bytes changed: the same length and type, other bytes (a second PUT to a URL). */
export function otherPng(): Buffer {
  return fixture('image.png').fill(0x42, 40, 50);
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function sha256Base64(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('base64');
}

/** What storage would hand the inspector for these bytes: the first `headBytes`, and the whole body when asked. */
export function sampleOf(bytes: Uint8Array | string, options: { headBytes?: number; wholeBody?: boolean; contentType?: string } = {}): ObjectSample {
  const body = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
  const { headBytes = 64 * 1024, wholeBody = true } = options;
  return {
    sizeBytes: body.length,
    contentType: options.contentType,
    head: Buffer.from(body.subarray(0, headBytes)),
    ...(wholeBody ? { body } : {}),
  };
}
