import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand, type CompletedPart, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';

/** How long aborting an unfinished multipart upload may take once a copy stopped: an interrupted run must still end soon. */
const ABORT_UPLOAD_TIMEOUT_MS = 10_000;

/** S3's (and R2's) limits: at most 10,000 parts in one upload, parts from 5 MiB to 5 GiB. */
export const MAX_PARTS = 10_000;
export const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PART_BYTES = 5 * 1024 * 1024 * 1024;

/**
 * The part size an object of `objectBytes` is copied with: the preferred one, or, for an object that
 * would need more than MAX_PARTS of it, the smallest whole MiB that fits it into MAX_PARTS parts.
 * Checked before a byte is read: the store would refuse part 10,001 only after 10,000 were sent.
 */
export function partSizeFor(objectBytes: number, preferredBytes: number): number {
  if (Math.ceil(objectBytes / preferredBytes) <= MAX_PARTS) return preferredBytes;
  const mib = 1024 * 1024;
  const fitting = Math.ceil(objectBytes / MAX_PARTS / mib) * mib;
  if (fitting > MAX_PART_BYTES) throw new Error(`${objectBytes} bytes do not fit into ${MAX_PARTS} parts of at most 5 GiB, the most S3 accepts in one object`);
  return fitting;
}

export interface MultipartOptions {
  partSize: number;
  /** Parts uploaded at once. */
  queueSize: number;
  /** Stops uploading parts; once those in flight ended, the multipart upload is aborted (under a signal of its own). */
  signal?: AbortSignal;
}

/**
 * Uploads `body` as one multipart upload in parts of exactly `partSize` bytes (the last one smaller),
 * as StreamDigest cuts them. Stopped by the signal or failing, it cancels the part uploads in flight
 * and aborts the multipart upload it created once they have settled, within ABORT_UPLOAD_TIMEOUT_MS and not under the
 * signal (which has fired), so that no unfinished upload is left in the bucket, billed until a
 * lifecycle rule removes it. (lib-storage's Upload gave up on its own abort as soon as the signal fired.)
 * Once every part is stored, completing is not interrupted: the object is then whole.
 * Returns the ETag the store reported for the completed object (Ceph reports none).
 */
export async function uploadMultipart(
  client: S3Client,
  params: Omit<PutObjectCommandInput, 'Body'> & { Bucket: string; Key: string },
  body: AsyncIterable<Buffer>,
  options: MultipartOptions,
): Promise<string | undefined> {
  options.signal?.throwIfAborted();
  const { Bucket, Key } = params;
  const { ContentLength: _length, ...createParams } = params;
  // Not under the signal: an upload the store created but whose id never reached us could not be aborted.
  const { UploadId } = await client.send(new CreateMultipartUploadCommand(createParams));
  if (!UploadId) throw new Error(`the store created no multipart upload id for ${Key}`);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // Fired while the upload was being created: no 'abort' event comes any more.
  if (options.signal?.aborted) stop.abort();
  const parts: CompletedPart[] = [];
  const running = new Set<Promise<void>>();
  let failure: unknown;
  // The first failed part stops the others; it is what the copy fails with.
  const check = () => {
    if (failure !== undefined) throw failure;
    stop.signal.throwIfAborted();
  };
  try {
    let partNumber = 0;
    for await (const part of partsOf(body, options.partSize)) {
      check();
      const PartNumber = (partNumber += 1);
      // Under the stop signal: the bulk client's timeout is for silence only, and a part still trickling
      // must not hold an interrupted run (which Kubernetes may kill) back from aborting the upload.
      const uploading: Promise<void> = client
        .send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body: part, ContentLength: part.length }), { abortSignal: stop.signal })
        .then(
          ({ ETag }) => void parts.push({ PartNumber, ETag }),
          (error: unknown) => {
            failure ??= error;
            stop.abort();
          },
        )
        .finally(() => running.delete(uploading));
      running.add(uploading);
      if (running.size >= options.queueSize) await Promise.race(running);
    }
    await Promise.all(running);
    check();
    parts.sort((a, b) => a.PartNumber! - b.PartNumber!);
    const completed = await client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
    return completed.ETag;
  } catch (error) {
    stop.abort();
    await Promise.allSettled(running);
    await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }), { abortSignal: AbortSignal.timeout(ABORT_UPLOAD_TIMEOUT_MS) }).catch(() => undefined);
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** The stream's bytes in buffers of exactly `size` bytes, the last one what remains. */
async function* partsOf(body: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of body) {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(size - pendingBytes, chunk.length - offset);
      pending.push(chunk.subarray(offset, offset + take));
      pendingBytes += take;
      offset += take;
      if (pendingBytes === size) {
        yield Buffer.concat(pending, size);
        pending = [];
        pendingBytes = 0;
      }
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}
