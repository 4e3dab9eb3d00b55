import { isContentMd5 } from './etag.js';
import type { ListedObject } from './listing.js';

/** Metadata every copy carries: the source ETag it was made from, for sources whose ETags cannot be compared. */
export const SOURCE_ETAG_METADATA = 'neotool-sync-source-etag';

export type CopyReason = 'missing' | 'changed';

/**
 * Whether a source object must be copied. Same size and same ETag means same bytes. When the ETags
 * cannot be compared (multipart uploads with other part sizes), the source ETag recorded on the
 * destination by the last copy decides; reading it costs one HEAD, so it is asked only then.
 */
export async function copyReason(source: ListedObject, destination: ListedObject | undefined, recordedSourceEtag: () => Promise<string | undefined>): Promise<CopyReason | undefined> {
  if (!destination) return 'missing';
  if (source.size !== destination.size) return 'changed';
  if (source.etag !== '' && source.etag === destination.etag) return undefined;
  if (isContentMd5(source.etag) && isContentMd5(destination.etag)) return 'changed';
  return (await recordedSourceEtag()) === source.etag ? undefined : 'changed';
}
