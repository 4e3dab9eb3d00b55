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

/**
 * The bytes are checked as UTF-8; a browser decodes them as the XML declaration says. Under a multi-byte
 * encoding (Shift_JIS, GBK, Big5) a byte may swallow the ASCII after it, so the `]]>` or `-->` the check
 * saw is not there for the browser, and what it read as a comment becomes a script. Only UTF-8 and the
 * single-byte encodings, which keep every ASCII byte as it is, are taken.
 */
const ASCII_COMPATIBLE = /^(?:utf-?8|us-ascii|iso-8859-1|latin1|windows-1252)$/i;

/** SVG animation elements: they set an attribute after any static check, e.g. href to a javascript: URL. */
const ANIMATIONS = new Set(['set', 'animate', 'animatemotion', 'animatetransform', 'animatecolor']);

/**
 * Searched for, whitespace removed, in what a browser reads as CSS: the text of an SVG style element, and the attributes
 * in no namespace of a rendered element (style and the presentation attributes: fill, filter, mask, cursor, …).
 * Anything that loads another document (@import, url() other than url(#id), image(), image-set()), and any backslash,
 * since a CSS escape (`\75 rl(`) can spell each of them. Matched anywhere, in CSS comments and strings too: strict.
 */
const CSS_HAZARDS: [RegExp, string][] = [
  [/\\/, 'escaped CSS (a backslash)'],
  [/@import/i, 'stylesheet import'],
  [/url\((?!['"]?(?:#|data:font\/))/i, 'external url() reference'], // url(#id), and fonts embedded as data:
  [/image(?:-set)?\(/i, 'external image() reference'],
];

/**
 * Served from a public domain, an SVG is a document that can run script. It is parsed as the browser
 * parses it (strict XML, namespaces resolved, entities and character references decoded), so that
 * neither a prefix (`<é:script xmlns:é="…svg">`), a quoted `>` nor an encoded `&#106;avascript:` hides
 * anything. Refused: elements that run or embed content, event handlers, animations of links and
 * handlers, references to anything outside the document (raster images embedded as data: URLs aside),
 * DTD subsets and processing instructions, and XML that is not well-formed. Deliberately strict:
 * drawings need none of it.
 * Names the first hazard found, or null when the SVG is safe to serve publicly.
 */
export function findSvgHazard(svg: string): string | null {
  const parser = new SaxesParser({ xmlns: true });
  // A browser styles with the text of a style element's children joined (CDATA included, comments dropped), so the
  // CSS is checked whole when the element closes: `ur<!---->l(` and `ur<b/>l(` are url(. Chromium and Firefox join
  // the direct children only (`ur<b>x</b>l(` is url( too); to be safe all descendants' text (textContent) is checked
  // as well, once, for the outermost style element, since its text contains every nested style element's.
  let depth = 0;
  const styles: { depth: number; text: string }[] = []; // open SVG style elements, innermost last
  let textContent = '';
  parser.on('doctype', (doctype) => doctype.includes('[') && stopAt(['XML entity declaration']));
  parser.on('xmldecl', ({ encoding }) => encoding && !ASCII_COMPATIBLE.test(encoding.trim()) && stopAt([`encoding declared as ${encoding}`]));
  parser.on('processinginstruction', ({ target }) => stopAt([`processing instruction <?${target}?>`]));
  parser.on('opentagstart', () => depth >= MAX_DEPTH && stopAt([`elements nested deeper than ${MAX_DEPTH} levels`]));
  parser.on('opentag', (tag) => {
    stopAt(elementHazards(tag));
    depth++;
    if (isStyle(tag)) styles.push({ depth, text: '' });
  });
  parser.on('closetag', (tag) => {
    depth--;
    if (!isStyle(tag)) return;
    stopAt(cssHazards(styles.pop()!.text));
    if (styles.length > 0) return;
    stopAt(cssHazards(textContent));
    textContent = '';
  });
  const styleText = (text: string) => {
    const innermost = styles.at(-1);
    if (!innermost) return;
    textContent += text;
    if (innermost.depth === depth) innermost.text += text; // a child of the style element, not of an element inside it
  };
  parser.on('text', styleText);
  parser.on('cdata', styleText);
  try {
    parser.write(svg.replace(/^\uFEFF/, '')).close();
  } catch (error) {
    // A hazard ends the parse at once (a DTD declaring an entity is named before saxes fails to expand it).
    if (error instanceof HazardFound) return error.message;
    return `not well-formed XML (${(error as Error).message.split('\n')[0]})`;
  }
  return null;
}

/**
 * Drawings nest groups a few dozen deep. The parser's work per element grows with the depth (namespace
 * scopes), so 30,000 nested elements (200 KB) held the event loop for 4.5 s: deeper than this is refused
 * as soon as it is reached.
 */
const MAX_DEPTH = 256;

/** Thrown out of the parser's handlers: the first hazard decides, and the rest of the file need not be read. */
class HazardFound extends Error {}

function stopAt(hazards: string[]): void {
  if (hazards.length > 0) throw new HazardFound(hazards[0]);
}

function elementHazards(tag: SaxesTagNS): string[] {
  const active = ACTIVE_NAMESPACES.get(tag.uri) ?? (tag.uri === SVG_NS ? ACTIVE_SVG_ELEMENTS.get(tag.local.toLowerCase()) : undefined);
  const attributes = Object.values(tag.attributes);
  return [
    ...(active ? [active] : []),
    ...(tag.uri === SVG_NS && ANIMATIONS.has(tag.local.toLowerCase()) && animatesLinkOrHandler(attributes) ? ['animated link or event handler'] : []),
    ...attributes.flatMap((attribute) => attributeHazards(attribute, tag)),
  ];
}

/** Attributes a browser never reads as CSS, which editors fill with names: Illustrator's data-name="Image (2)". */
const NOT_CSS = /^(?:id|class|role|lang|tabindex|data-.*|aria-.*)$/;

function attributeHazards(attribute: SaxesAttributeNS, tag: SaxesTagNS): string[] {
  const local = attribute.local.toLowerCase();
  // Browsers skip whitespace and control characters inside a URL's scheme: "java\tscript:" is javascript:.
  const value = attribute.value.replace(/[\s\u0000-\u001f]/g, '');
  // Only attributes in no namespace of a rendered element are read as CSS. Editors' own attributes (inkscape:label,
  // inkscape:export-filename, i:…) and elements in other namespaces are inert, and hold "C:\…" or "image (old)".
  const readAsCss = attribute.uri === '' && (tag.uri === SVG_NS || ACTIVE_NAMESPACES.has(tag.uri)) && !NOT_CSS.test(local);
  return [
    ...(local.startsWith('on') ? ['event-handler attribute'] : []),
    ...(/(?:java|vb)script:/i.test(value) ? ['javascript: URL'] : []),
    ...(local === 'href' && !value.startsWith('#') && !isEmbeddedRaster(tag, value) ? ['reference to another document'] : []),
    ...(readAsCss ? cssHazards(value) : []),
  ];
}

/**
 * Editors (Figma, Illustrator, Inkscape) embed raster images as data: URLs; an image or filter input that is a PNG,
 * JPEG, GIF or WebP draws pixels and runs nothing. Not SVG (opened on its own it may run script) or any other type,
 * and not on use or a, which would bring in a document or navigate to one.
 */
function isEmbeddedRaster(tag: SaxesTagNS, href: string): boolean {
  return tag.uri === SVG_NS && ['image', 'feImage'].includes(tag.local) && /^data:image\/(?:png|jpeg|gif|webp)[;,]/i.test(href);
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
