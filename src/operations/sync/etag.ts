import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** A single-part ETag is the MD5 of the bytes; multipart ETags ("<md5>-<parts>") are not. */
export function isContentMd5(etag: string): boolean {
  return /^[0-9a-f]{32}$/i.test(etag);
}

/**
 * Passes bytes through unchanged while computing the MD5 of the whole object and of each part of
 * `partSize` bytes, as the multipart upload (multipart-upload.ts) cuts them: the ETag the destination must
 * report is then known without reading the object twice. Without a part size (an object sent in
 * one PUT) only the whole MD5 is computed: it is that PUT's ETag.
 */
export class StreamDigest extends Transform {
  private readonly whole = createHash('md5');
  private wholeMd5: string | undefined;
  private readonly partDigests: Buffer[] = [];
  /** Only for a multipart upload: creating a hash per object is a measurable share of copying a small one. */
  private part: Hash | undefined;
  private partBytes = 0;
  bytes = 0;

  constructor(
    private readonly partSize: number | undefined,
    /** Told each chunk's size as it passes, for progress (a 'data' listener would steal the bytes from the reader). */
    private readonly onChunk: (bytes: number) => void = () => undefined,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.whole.update(chunk);
    this.bytes += chunk.length;
    this.onChunk(chunk.length);
    if (this.partSize !== undefined) this.hashParts(chunk, this.partSize);
    done(null, chunk);
  }

  /** The MD5 of all bytes; asked once they have all passed, as digesting ends the hash. */
  md5(): string {
    this.wholeMd5 ??= this.whole.digest('hex');
    return this.wholeMd5;
  }

  /** The ETag S3, R2, Ceph and MinIO give the object once uploaded with this part size. */
  expectedEtag(): string {
    if (this.partSize === undefined || this.bytes <= this.partSize) return this.md5();
    const parts = this.part && this.partBytes > 0 ? [...this.partDigests, this.part.copy().digest()] : this.partDigests;
    return `${createHash('md5').update(Buffer.concat(parts)).digest('hex')}-${parts.length}`;
  }

  private hashParts(chunk: Buffer, partSize: number): void {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(partSize - this.partBytes, chunk.length - offset);
      const part = (this.part ??= createHash('md5'));
      part.update(chunk.subarray(offset, offset + take));
      this.partBytes += take;
      offset += take;
      if (this.partBytes === partSize) this.closePart(part);
    }
  }

  private closePart(part: Hash): void {
    this.partDigests.push(part.digest());
    this.part = undefined;
    this.partBytes = 0;
  }
}
