import type { FailureReason } from '../domain/asset.js';
import type { ContentInspector, DeclaredContent, ObjectSample } from '../domain/ports.js';
import { checkDimensions } from './image-dimensions.js';
import { findSvgHazard, looksLikeSvg } from './svg-safety.js';
import { looksLikeText } from './text-content.js';
import { detectType, hasSignature, matchesSignature } from './type-signatures.js';

const TEXT_TYPES = new Set(['text/plain', 'text/csv']);
const SVG = 'image/svg+xml';
/** Formats file-type recognises that are themselves plain text (XML, RTF, vCard, iCalendar, WebVTT): still text. */
const TEXTUAL_DETECTIONS = /^(text\/|application\/(xml|rtf)$)/;

/** The bytes must be what was declared: the type's signature, text that is text, safe SVG, sane image sizes. */
export class FileContentInspector implements ContentInspector {
  async inspect(sample: ObjectSample, declared: DeclaredContent): Promise<FailureReason | null> {
    const { mimeType } = declared;
    if (mimeType === SVG) return this.inspectSvg(sample, declared);
    if (TEXT_TYPES.has(mimeType)) return this.inspectText(sample);
    // The whole body when it was read: a ZIP package may name its type only after its first bytes.
    if (hasSignature(mimeType) && !(await matchesSignature(mimeType, sample.body ?? sample.head))) return 'CONTENT_MISMATCH';
    if (mimeType.startsWith('image/')) return this.inspectImage(sample, declared);
    return null;
  }

  private async inspectText(sample: ObjectSample): Promise<FailureReason | null> {
    // A known binary signature (a PDF, say) is binary even when its first bytes happen to decode as text.
    const detected = await detectType(sample.head);
    if (detected !== undefined && !TEXTUAL_DETECTIONS.test(detected)) return 'BINARY_CONTENT';
    return looksLikeText(sample.head, isWhole(sample, sample.head)) ? null : 'BINARY_CONTENT';
  }

  private inspectSvg(sample: ObjectSample, declared: DeclaredContent): FailureReason | null {
    const bytes = sample.body ?? sample.head;
    if (!looksLikeText(bytes, isWhole(sample, bytes))) return 'CONTENT_MISMATCH';
    const text = new TextDecoder().decode(bytes);
    if (!looksLikeSvg(text)) return 'CONTENT_MISMATCH';
    if (declared.visibility !== 'PUBLIC') return null;
    // A hazard may sit in the part that was not read; a public SVG is vouched for only when read whole.
    return isWhole(sample, bytes) && findSvgHazard(text) === null ? null : 'UNSAFE_SVG';
  }

  private inspectImage(sample: ObjectSample, declared: DeclaredContent): FailureReason | null {
    const verdict = checkDimensions(sample.body ?? sample.head, declared.imageLimits);
    if (verdict === 'unreadable') return 'IMAGE_UNREADABLE';
    return verdict === 'too-large' ? 'IMAGE_TOO_LARGE' : null;
  }
}

/** Whether `bytes` are the entire object rather than its first part. */
function isWhole(sample: ObjectSample, bytes: Uint8Array): boolean {
  return bytes.length >= sample.sizeBytes;
}
