import type { FailureReason } from '../domain/asset.js';
import type { ContentInspector, DeclaredContent, ObjectSample } from '../domain/ports.js';
import { checkDimensions } from './image-dimensions.js';
import { findSvgHazard, looksLikeSvg } from './svg-safety.js';
import { looksLikeText } from './text-content.js';
import { detectType, hasSignature, matchesSignature } from './type-signatures.js';

const TEXT_TYPES = new Set(['text/plain', 'text/csv']);
const SVG = 'image/svg+xml';

/** The bytes must be what was declared: the type's signature, text that is text, safe SVG, sane image sizes. */
export class FileContentInspector implements ContentInspector {
  async inspect(sample: ObjectSample, declared: DeclaredContent): Promise<FailureReason | null> {
    const { mimeType } = declared;
    if (mimeType === SVG) return this.inspectSvg(sample, declared);
    if (TEXT_TYPES.has(mimeType)) return this.inspectText(sample);
    if (hasSignature(mimeType) && !(await matchesSignature(mimeType, sample.head))) return 'CONTENT_MISMATCH';
    if (mimeType.startsWith('image/')) return this.inspectImage(sample, declared);
    return null;
  }

  private async inspectText(sample: ObjectSample): Promise<FailureReason | null> {
    // A known binary signature is binary even when its first bytes happen to decode as text.
    if ((await detectType(sample.head)) !== undefined || !looksLikeText(sample.head)) return 'BINARY_CONTENT';
    return null;
  }

  private inspectSvg(sample: ObjectSample, declared: DeclaredContent): FailureReason | null {
    const bytes = sample.body ?? sample.head;
    if (!looksLikeText(bytes)) return 'CONTENT_MISMATCH';
    const text = new TextDecoder().decode(bytes);
    if (!looksLikeSvg(text)) return 'CONTENT_MISMATCH';
    if (declared.visibility === 'PUBLIC' && findSvgHazard(text) !== null) return 'UNSAFE_SVG';
    return null;
  }

  private inspectImage(sample: ObjectSample, declared: DeclaredContent): FailureReason | null {
    const verdict = checkDimensions(sample.body ?? sample.head, declared.imageLimits);
    if (verdict === 'unreadable') return 'IMAGE_UNREADABLE';
    return verdict === 'too-large' ? 'IMAGE_TOO_LARGE' : null;
  }
}
