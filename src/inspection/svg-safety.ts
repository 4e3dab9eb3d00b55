/** An element name with any namespace prefix: `<s:script xmlns:s="http://www.w3.org/2000/svg">` is a script too. */
const element = (names: string) => new RegExp(`<\\s*(?:[\\w.-]+:)?(?:${names})\\b`, 'i');

/**
 * Served from a public domain, an SVG is an HTML-like document: it can run script. Anything that
 * can execute or load from elsewhere is refused. A deny-list over the whole text, deliberately
 * strict: any match fails the upload, even if a browser would not act on it.
 */
const HAZARDS: [RegExp, string][] = [
  [element('script'), 'script element'],
  [/\son[a-z]+\s*=/i, 'event-handler attribute'],
  [element('foreignObject'), 'foreignObject element'],
  [element('iframe|embed|object|audio|video|handler|listener'), 'embedded content element'],
  [/javascript\s*:/i, 'javascript: URL'],
  [/<!ENTITY/i, 'XML entity declaration'],
  [/(?:xlink:)?href\s*=\s*["']?\s*(?!#)[^"'\s>]/i, 'reference to another document'],
  [/url\(\s*["']?\s*(?!#)[^"')\s]/i, 'external url() reference'],
  [/@import/i, 'stylesheet import'],
  // Animating a link or an event handler sets it after any static check: <set attributeName="href" to="javascript:...">.
  [/<\s*(?:[\w.-]+:)?(set|animate)\b[^>]*\battributeName\s*=\s*["']?\s*(?:(?:[\w.-]+:)?href|on)/i, 'animated link or event handler'],
];

/** Names the first hazard found, or null when the SVG is safe to serve publicly. */
export function findSvgHazard(svg: string): string | null {
  for (const [pattern, hazard] of HAZARDS) if (pattern.test(svg)) return hazard;
  return null;
}

export function looksLikeSvg(text: string): boolean {
  return /^\uFEFF?\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i.test(text);
}
