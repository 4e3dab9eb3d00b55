import { SaxesParser, type SaxesAttributeNS, type SaxesTagNS } from 'saxes';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Namespaces whose elements a browser brings to life inside an SVG: HTML (script, iframe, meta refresh) and MathML (links). */
const ACTIVE_NAMESPACES = new Map([
  ['http://www.w3.org/1999/xhtml', 'HTML element'],
  ['http://www.w3.org/1998/Math/MathML', 'MathML element'],
]);

/** SVG elements that run script, or embed or handle content of their own (by lower-case local name). */
const ACTIVE_SVG_ELEMENTS = new Map([
  ['script', 'script element'],
  ['foreignobject', 'foreignObject element'],
  ...['iframe', 'embed', 'object', 'audio', 'video', 'handler', 'listener'].map((name): [string, string] => [name, 'embedded content element']),
]);

/** SVG animation elements: they set an attribute after any static check, e.g. href to a javascript: URL. */
const ANIMATIONS = new Set(['set', 'animate', 'animatemotion', 'animatetransform', 'animatecolor']);

/** CSS (a style element or attribute, or a presentation attribute) that loads from elsewhere, or hides what it does in escapes. */
const CSS_HAZARDS: [RegExp, string][] = [
  [/\\/, 'escaped CSS (a backslash)'],
  [/@import/i, 'stylesheet import'],
  [/url\((?!['"]?#)/i, 'external url() reference'],
  [/image(?:-set)?\(/i, 'external image() reference'],
];

/**
 * Served from a public domain, an SVG is a document that can run script. It is parsed as the browser
 * parses it (strict XML, namespaces resolved, entities and character references decoded), so that
 * neither a prefix (`<é:script xmlns:é="…svg">`), a quoted `>` nor an encoded `&#106;avascript:` hides
 * anything. Refused: elements that run or embed content, event handlers, animations of links and
 * handlers, references to anything outside the document, DTD subsets and processing instructions,
 * and XML that is not well-formed. Deliberately strict: drawings need none of it.
 * Names the first hazard found, or null when the SVG is safe to serve publicly.
 */
export function findSvgHazard(svg: string): string | null {
  const hazards: string[] = [];
  const parser = new SaxesParser({ xmlns: true });
  let styleDepth = 0;
  parser.on('doctype', (doctype) => doctype.includes('[') && hazards.push('XML entity declaration'));
  parser.on('processinginstruction', ({ target }) => hazards.push(`processing instruction <?${target}?>`));
  parser.on('opentag', (tag) => {
    hazards.push(...elementHazards(tag));
    if (isStyle(tag)) styleDepth++;
  });
  parser.on('closetag', (tag) => isStyle(tag) && styleDepth--);
  const styleText = (text: string) => styleDepth > 0 && hazards.push(...cssHazards(text));
  parser.on('text', styleText);
  parser.on('cdata', styleText);
  try {
    parser.write(svg.replace(/^\uFEFF/, '')).close();
  } catch (error) {
    return `not well-formed XML (${(error as Error).message.split('\n')[0]})`;
  }
  return hazards[0] ?? null;
}

function elementHazards(tag: SaxesTagNS): string[] {
  const active = ACTIVE_NAMESPACES.get(tag.uri) ?? (tag.uri === SVG_NS ? ACTIVE_SVG_ELEMENTS.get(tag.local.toLowerCase()) : undefined);
  const attributes = Object.values(tag.attributes);
  return [
    ...(active ? [active] : []),
    ...(tag.uri === SVG_NS && ANIMATIONS.has(tag.local.toLowerCase()) && animatesLinkOrHandler(attributes) ? ['animated link or event handler'] : []),
    ...attributes.flatMap(attributeHazards),
  ];
}

function attributeHazards(attribute: SaxesAttributeNS): string[] {
  const local = attribute.local.toLowerCase();
  // Browsers skip whitespace and control characters inside a URL's scheme: "java\tscript:" is javascript:.
  const value = attribute.value.replace(/[\s\u0000-\u001f]/g, '');
  return [
    ...(local.startsWith('on') ? ['event-handler attribute'] : []),
    ...(/(?:java|vb)script:/i.test(value) ? ['javascript: URL'] : []),
    ...(local === 'href' && !value.startsWith('#') ? ['reference to another document'] : []),
    ...cssHazards(value),
  ];
}

function animatesLinkOrHandler(attributes: SaxesAttributeNS[]): boolean {
  const target = attributes.find((a) => a.local === 'attributeName' && a.uri === '')?.value.trim().toLowerCase() ?? '';
  const name = target.slice(target.lastIndexOf(':') + 1); // xlink:href, or any prefix for it
  return name === 'href' || name.startsWith('on');
}

function cssHazards(css: string): string[] {
  const compact = css.replace(/\s+/g, ''); // url( "#id" ) is url("#id")
  return CSS_HAZARDS.filter(([pattern]) => pattern.test(compact)).map(([, hazard]) => hazard);
}

function isStyle(tag: { uri?: string; local?: string }): boolean {
  return tag.uri === SVG_NS && tag.local === 'style';
}

export function looksLikeSvg(text: string): boolean {
  return /^\uFEFF?\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i.test(text);
}
