import type { Visibility } from './asset.js';
import type { ImageLimits } from './ports.js';
import { validationError } from './errors.js';

/** A namespace's rules, as declared in the namespaces file. */
export interface NamespaceRules {
  name: string;
  visibility: Visibility;
  keyTemplate: string;
  maxSizeBytes: number;
  allowedMimeTypes: readonly string[];
  uploadTtlSeconds?: number;
  imageLimits: ImageLimits;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxWidth: 10_000, maxHeight: 10_000, maxPixels: 40_000_000 };

export const FALLBACK_NAMESPACE = 'default';
const NAMESPACE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const NAME_RULE = '1-63 lowercase letters, digits, "-" or "_", starting with a letter or digit';

/** Looks namespaces up by name; unknown (but well-formed) names fall back to `default`. */
export class NamespaceCatalog {
  private readonly byName: ReadonlyMap<string, NamespaceRules>;

  constructor(namespaces: readonly NamespaceRules[]) {
    // A declared name no request may use would silently send its uploads nowhere: refuse it up front.
    const unusable = namespaces.find((ns) => !NAMESPACE_NAME.test(ns.name));
    if (unusable) throw new Error(`Namespace "${unusable.name}" can never be asked for: rename it to ${NAME_RULE}.`);
    this.byName = new Map(namespaces.map((ns) => [ns.name, ns]));
    if (!this.byName.has(FALLBACK_NAMESPACE)) {
      throw new Error(`The namespaces file must declare a "${FALLBACK_NAMESPACE}" namespace (the fallback for unknown names).`);
    }
  }

  resolve(name: string): NamespaceRules {
    if (!NAMESPACE_NAME.test(name)) {
      throw validationError(
        `Namespace "${name}" is not a valid name: use ${NAME_RULE}.`,
        'namespace',
      );
    }
    return this.byName.get(name) ?? (this.byName.get(FALLBACK_NAMESPACE) as NamespaceRules);
  }

  list(): NamespaceRules[] {
    return [...this.byName.values()];
  }
}

/** What a create asks for, checked against the rules of the namespace it resolved to. */
export interface RequestedUpload {
  namespace: string;
  mimeType: string;
  sizeBytes: number;
}

export function assertUploadAllowed(rules: NamespaceRules, request: RequestedUpload, maxUploadBytes: number): void {
  const { mimeType, sizeBytes } = request;
  if (!rules.allowedMimeTypes.includes(mimeType)) {
    throw validationError(
      `MIME type "${mimeType}" is not allowed in namespace "${rules.name}"${fallbackNote(rules, request)}; allowed: ${rules.allowedMimeTypes.join(', ')}.`,
      'mimeType',
    );
  }
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0) {
    throw validationError('sizeBytes must be a positive whole number of bytes: the exact size of the file you will upload.', 'sizeBytes');
  }
  if (sizeBytes > maxUploadBytes && maxUploadBytes < rules.maxSizeBytes) {
    throw validationError(`File is ${sizeBytes} bytes; this service accepts at most ${maxUploadBytes} bytes per upload (STORAGE_MAX_UPLOAD_BYTES), whatever the namespace allows.`, 'sizeBytes');
  }
  if (sizeBytes > rules.maxSizeBytes) {
    throw validationError(`File is ${sizeBytes} bytes; namespace "${rules.name}"${fallbackNote(rules, request)} accepts at most ${rules.maxSizeBytes} bytes.`, 'sizeBytes');
  }
}

/** A name nobody declared lands in the fallback namespace: a refusal says so, or its rules would look arbitrary. */
function fallbackNote(rules: NamespaceRules, request: RequestedUpload): string {
  return request.namespace === rules.name ? '' : ` (namespace "${request.namespace}" is not declared, so the fallback "${rules.name}" applies)`;
}
