const SAMPLE_BYTES = 64 * 1024;

/**
 * Text must look like text: valid UTF-8 (a character cut at the sample's end is fine) and no
 * control characters other than tab, newline, carriage return and form feed.
 */
export function looksLikeText(head: Uint8Array): boolean {
  const sample = head.subarray(0, SAMPLE_BYTES);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
  } catch {
    return false;
  }
  return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text);
}
