import { fileTypeFromBuffer } from 'file-type';

/**
 * What the first bytes must look like for each declared type that has a signature. Legacy Office
 * files are all Compound File Binary containers, so their signature cannot tell them apart.
 */
const ACCEPTED_DETECTIONS: Record<string, readonly string[]> = {
  'image/jpeg': ['image/jpeg'],
  'image/png': ['image/png'],
  'image/webp': ['image/webp'],
  'image/gif': ['image/gif'],
  'application/pdf': ['application/pdf'],
  'application/msword': ['application/x-cfb'],
  'application/vnd.ms-excel': ['application/x-cfb'],
  'application/vnd.ms-powerpoint': ['application/x-cfb'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': ['application/vnd.openxmlformats-officedocument.presentationml.presentation'],
};

export function hasSignature(mimeType: string): boolean {
  return mimeType in ACCEPTED_DETECTIONS;
}

/** True when the bytes carry the signature of the declared type. */
export async function matchesSignature(mimeType: string, head: Uint8Array): Promise<boolean> {
  const detected = await detectType(head);
  return detected !== undefined && (ACCEPTED_DETECTIONS[mimeType] ?? []).includes(detected);
}

export async function detectType(head: Uint8Array): Promise<string | undefined> {
  return (await fileTypeFromBuffer(head))?.mime;
}
