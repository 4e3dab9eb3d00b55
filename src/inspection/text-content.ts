const SAMPLE_BYTES = 64 * 1024;

/**
 * Text must look like text: valid UTF-8 and no control characters other than tab, newline,
 * carriage return and form feed. A character cut at the end of the judged bytes is fine when those
 * bytes are only the start of the file (the rest follows); when they are the whole file
 * (`wholeFile`), a trailing partial character is invalid UTF-8 like any other.
 */
export function looksLikeText(bytes: Uint8Array, wholeFile = false): boolean {
  const sample = bytes.subarray(0, SAMPLE_BYTES);
  const cut = !wholeFile || bytes.length > SAMPLE_BYTES;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: cut });
  } catch {
    return false;
  }
  return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text);
}
