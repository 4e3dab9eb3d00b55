/**
 * Served from a public domain, an SVG is an HTML-like document: it can run script. Anything that
 * can execute or load from elsewhere is refused. A deny-list over the whole text, deliberately
 * strict: any match fails the upload, even if a browser would not act on it.
 */
const HAZARDS: [RegExp, string][] = [
  [/<\s*script/i, 'script element'],
  [/\son[a-z]+\s*=/i, 'event-handler attribute'],
  [/<\s*foreignObject/i, 'foreignObject element'],
  [/<\s*(iframe|embed|object|audio|video|handler|listener)\b/i, 'embedded content element'],
  [/javascript\s*:/i, 'javascript: URL'],
  [/<!ENTITY/i, 'XML entity declaration'],
  [/(?:xlink:)?href\s*=\s*["']?\s*(?!#)[^"'\s>]/i, 'reference to another document'],
  [/url\(\s*["']?\s*(?!#)[^"')\s]/i, 'external url() reference'],
  [/@import/i, 'stylesheet import'],
  [/<\s*(set|animate)\b[^>]*\battributeName\s*=\s*["']?\s*(?:xlink:)?href/i, 'animated link'],
];

/** Names the first hazard found, or null when the SVG is safe to serve publicly. */
export function findSvgHazard(svg: string): string | null {
  for (const [pattern, hazard] of HAZARDS) if (pattern.test(svg)) return hazard;
  return null;
}

export function looksLikeSvg(text: string): boolean {
  return /^\uFEFF?\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i.test(text);
}
