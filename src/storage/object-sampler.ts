import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { SampleRequest } from '../domain/ports.js';

export interface StreamSample {
  head: Uint8Array;
  body?: Uint8Array;
  sha256Hex?: string;
  readBytes: number;
}

/** Streams an object body once: hashes it on the way, keeps its first bytes, and the whole body only when asked. */
export async function readSample(stream: Readable, request: Omit<SampleRequest, 'expected'>): Promise<StreamSample> {
  const hash = request.sha256 ? createHash('sha256') : undefined;
  const headChunks: Buffer[] = [];
  const bodyChunks: Buffer[] = [];
  let headLength = 0;
  let readBytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    readBytes += chunk.length;
    hash?.update(chunk);
    if (request.wholeBody) bodyChunks.push(chunk);
    if (headLength < request.headBytes) {
      const part = chunk.subarray(0, request.headBytes - headLength);
      headChunks.push(part);
      headLength += part.length;
    }
  }
  return {
    head: Buffer.concat(headChunks),
    body: request.wholeBody ? Buffer.concat(bodyChunks) : undefined,
    sha256Hex: hash?.digest('hex'),
    readBytes,
  };
}
