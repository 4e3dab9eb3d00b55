import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findSvgHazard, looksLikeSvg } from '../../../src/inspection/svg-safety.js';
import { fixture, UNSAFE_SVGS } from '../../support/fixtures.js';

const svg = (inner: string, rootAttributes = '') =>
  `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"${rootAttributes}>${inner}</svg>`;

describe('findSvgHazard', () => {
  test('the safe fixture, with internal #id references through href, xlink:href and url(), has no hazard', () => {
    assert.equal(findSvgHazard(fixture('safe.svg').toString('utf8')), null);
  });

  const fixtureHazards: Record<(typeof UNSAFE_SVGS)[number], string> = {
    'unsafe-script.svg': 'script element',
    'unsafe-onload.svg': 'event-handler attribute',
    'unsafe-external-href.svg': 'reference to another document',
    'unsafe-foreign-object.svg': 'foreignObject element',
    'unsafe-prefixed-script.svg': 'script element',
    'unsafe-animated-link.svg': 'animated link or event handler',
    'unsafe-shift-jis.svg': 'encoding declared as Shift_JIS',
  };
  for (const name of UNSAFE_SVGS) {
    test(`${name} has a hazard: ${fixtureHazards[name]}`, () => {
      assert.equal(findSvgHazard(fixture(name).toString('utf8')), fixtureHazards[name]);
    });
  }

  // [what, SVG, the hazard it is refused for]
  const hazards: [string, string, string][] = [
    ['a script element', svg('<script>alert(1)</script>'), 'script element'],
    ['a script element under a namespace prefix', svg('<s:script xmlns:s="http://www.w3.org/2000/svg">alert(1)</s:script>'), 'script element'],
    ['an XHTML script element under a prefix', svg('<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'), 'HTML element'],
    ['an onload attribute on the root', svg('', ' onload="alert(1)"'), 'event-handler attribute'],
    ['an onclick attribute on a newline', svg('<rect\nonclick = "alert(1)"/>'), 'event-handler attribute'],
    ['an event-handler attribute under an editor namespace prefix', svg('<rect xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" inkscape:onclick="alert(1)"/>'), 'event-handler attribute'],
    ['an external href', svg('<image href="https://evil.example/a.png"/>'), 'reference to another document'],
    ['an external xlink:href', svg('<use xlink:href="https://evil.example/sprite.svg#icon"/>'), 'reference to another document'],
    ['an SVG data: URL on an image', svg('<image href="data:image/svg+xml;base64,PHN2Zz4="/>'), 'reference to another document'],
    ['an HTML data: URL on an image', svg('<image href="data:text/html,&lt;script>alert(1)&lt;/script>"/>'), 'reference to another document'],
    ['a PNG data: URL on a use element', svg('<use href="data:image/png;base64,iVBORw0KGgo="/>'), 'reference to another document'],
    ['a GIF data: URL on a link', svg('<a xlink:href="data:image/gif;base64,R0lGODlh"><rect/></a>'), 'reference to another document'],
    ['a javascript: link', svg('<a href="javascript:alert(1)"><rect/></a>'), 'javascript: URL'],
    ['a foreignObject', svg('<foreignObject><div/></foreignObject>'), 'foreignObject element'],
    ['a prefixed foreignObject', svg('<s:foreignObject xmlns:s="http://www.w3.org/2000/svg"/>'), 'foreignObject element'],
    ['an iframe', svg('<iframe src="x"/>'), 'embedded content element'],
    ['an entity declaration', `<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>${svg('&x;')}`, 'XML entity declaration'],
    ['an external url() in a style attribute', svg('<rect style="fill:url(https://evil.example/p.svg#p)"/>'), 'external url() reference'],
    ['an external url() in a filter presentation attribute', svg('<rect filter="url(https://evil.example/f.svg#f)"/>'), 'external url() reference'],
    ['a stylesheet import', svg('<style>@import "https://evil.example/a.css";</style>'), 'stylesheet import'],
    ['an animation that sets href', svg('<a><set attributeName="href" to="javascript:alert(1)"/><rect/></a>'), 'animated link or event handler'],
    ['an animation that sets a prefixed href', svg('<a><animate values="x" attributeName="x:href"/></a>'), 'animated link or event handler'],
    ['an animation that sets an event handler', svg('<rect><set attributeName="onclick" to="alert(1)"/></rect>'), 'animated link or event handler'],
    // Found by a security review: each was READY, and ran script or navigated in Chromium, before the checker parsed XML.
    ['a script element under a non-ASCII prefix', svg('<é:script xmlns:é="http://www.w3.org/2000/svg">alert(1)</é:script>'), 'script element'],
    ['a foreignObject under a non-ASCII prefix', svg('<é:foreignObject xmlns:é="http://www.w3.org/2000/svg"/>'), 'foreignObject element'],
    ['an animation of href behind a quoted ">"', svg('<a><set x=">" attributeName="href" to="&#106;avascript:alert(1)"/><text>click</text></a>'), 'animated link or event handler'],
    ['an XHTML meta refresh under a non-ASCII prefix', svg('<é:meta xmlns:é="http://www.w3.org/1999/xhtml" http-equiv="refresh" content="0;url=https://evil.example/"/>'), 'HTML element'],
    ['a javascript: link written with character references', svg('<a href="&#106;ava&#x73;cript:alert(1)"><rect/></a>'), 'javascript: URL'],
    ['a javascript: link with a tab in its scheme', svg('<a href="java&#9;script:alert(1)"><rect/></a>'), 'javascript: URL'],
    ['a url() hidden in a CSS escape', svg('<rect style="fill:\\75 rl(https://evil.example/p.svg#p)"/>'), 'escaped CSS (a backslash)'],
    ['an image-set() in a style element', svg('<style>rect { fill: image-set("https://evil.example/a.png" 1x) }</style>'), 'external image() reference'],
    ['an external url() in CDATA of a style element', svg('<style><![CDATA[rect { fill: url(https://evil.example/p.svg#p) }]]></style>'), 'external url() reference'],
    ['a MathML element', svg('<m:math xmlns:m="http://www.w3.org/1998/Math/MathML"><m:mi>x</m:mi></m:math>'), 'MathML element'],
    ['a stylesheet processing instruction', `<?xml-stylesheet href="https://evil.example/a.css"?>${svg('')}`, 'processing instruction <?xml-stylesheet?>'],
    // Found by a security review: a browser joins a style element's text around comments, CDATA and child elements,
    // and Chromium fetched each URL, while the checker looked at each piece alone.
    ['a url() split by a comment in a style element', svg('<style>rect{fill:ur<!---->l(https://evil.example/p.svg#p)}</style><rect width="50" height="50"/>'), 'external url() reference'],
    ['an @import split between text and CDATA in a style element', svg('<style>@imp<![CDATA[ort "https://evil.example/a.css";]]></style>'), 'stylesheet import'],
    ['a url() split by an empty element in a style element', svg('<style>rect{fill:ur<b xmlns=""/>l(https://evil.example/x)}</style>'), 'external url() reference'],
    ['an @import split by a comment in a style element', svg('<style>@imp<!---->ort "https://evil.example/a.css";</style>'), 'stylesheet import'],
    ['a url() split by an element with text of its own in a style element', svg('<style>rect{fill:ur<b xmlns="">x</b>l(https://evil.example/x)}</style>'), 'external url() reference'],
    ['a url() split by a nested style element', svg('<style>rect{fill:ur<style>g{}</style>l(https://evil.example/x)}</style>'), 'external url() reference'],
    ['a url() in the text of an element inside a style element', svg('<style>rect{fill:<b xmlns="">url(https://evil.example/x)</b>}</style>'), 'external url() reference'],
  ];
  for (const [what, text, hazard] of hazards) {
    test(`finds ${what}: ${hazard}`, () => {
      assert.equal(findSvgHazard(text), hazard, text);
    });
  }

  test('XML that is not well-formed, or uses an entity XML does not define, is refused as such', () => {
    assert.match(findSvgHazard(svg('<rect>')) ?? '', /^not well-formed XML \(/);
    assert.match(findSvgHazard(svg('<text>&nbsp;</text>')) ?? '', /^not well-formed XML \(/);
  });

  test('a DOCTYPE naming the SVG 1.1 DTD (no entities of its own), editor metadata namespaces and spaced url(#id) are no hazard', () => {
    const doctype = '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">';
    const metadata =
      '<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description/></rdf:RDF></metadata>' +
      '<i:pgf xmlns:i="http://ns.adobe.com/AdobeIllustrator/10.0/">data</i:pgf><rect fill="url( #fade )" style="stroke: url(\'#fade\')"/>';
    assert.equal(findSvgHazard(`<?xml version="1.0"?>${doctype}${svg(metadata)}`), null);
  });

  // Editor metadata is not read as CSS, so a backslash or "image (" in it loads nothing.
  const inkscape = ' xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"';
  test('an Inkscape export filename that is a Windows path is no hazard', () => {
    assert.equal(findSvgHazard(svg('<rect/>', `${inkscape} inkscape:export-filename="C:\\Users\\me\\logo.png"`)), null);
  });

  test('an Inkscape layer label that mentions an image in parentheses is no hazard', () => {
    assert.equal(findSvgHazard(svg('<g inkscape:label="Background image (old)"><rect/></g>', inkscape)), null);
  });

  test('raster images embedded as data: URLs in image and feImage elements, as editors write them, are no hazard', () => {
    const images =
      '<image xlink:href="data:image/png;base64,iVBORw0KGgo=" width="10" height="10"/>' +
      '<image href="DATA:Image/JPEG;base64,&#10;/9j/4AAQ"/><image href="data:image/gif,GIF89a"/>' +
      '<filter id="f"><feImage href="data:image/webp;base64,UklGRg=="/></filter>';
    assert.equal(findSvgHazard(svg(images)), null);
  });

  test('an encoding other than UTF-8 or a single-byte one is refused: under Shift_JIS, GBK or Big5 a comment the check saw may be a script', () => {
    const sneaky = (encoding: string) => `<?xml version="1.0" encoding="${encoding}"?>${svg('<![CDATA[Á]]><!--]]><script>alert(document.domain)</script>-->')}`;
    for (const encoding of ['Shift_JIS', 'GBK', 'Big5', 'UTF-16']) assert.equal(findSvgHazard(sneaky(encoding)), `encoding declared as ${encoding}`);
    for (const encoding of ['UTF-8', 'utf8', 'ISO-8859-1', 'windows-1252']) assert.equal(findSvgHazard(`<?xml version="1.0" encoding="${encoding}"?>${svg('<rect/>')}`), null, encoding);
  });

  test('names, classes, data- and aria- attributes are not read as CSS, and fonts embedded as data: URLs pass', () => {
    const named = '<g id="a(1)" data-name="Image (2)" aria-label="see url(x)" class="c"><rect/></g>';
    const font = '<style>@font-face { font-family: f; src: url(data:font/woff2;base64,d09GMgABAAAA) }</style>';
    assert.equal(findSvgHazard(svg(named + font)), null);
  });

  test('ordinary drawing attributes that merely contain "on" are no hazard', () => {
    assert.equal(findSvgHazard(svg('<polygon points="0,0 1,1" stroke-linejoin="round"/><text font="x">on and on</text>')), null);
  });

  test('elements nested deeper than 256 levels are refused as soon as the depth is reached, 256 levels pass', () => {
    const nested = (levels: number) => svg(`${'<g>'.repeat(levels - 1)}${'</g>'.repeat(levels - 1)}`);
    assert.equal(findSvgHazard(nested(256)), null);
    assert.equal(findSvgHazard(nested(257)), 'elements nested deeper than 256 levels');
    assert.equal(findSvgHazard(nested(30_000)), 'elements nested deeper than 256 levels', 'and at once: it took seconds before');
  });
});

describe('looksLikeSvg', () => {
  test('an svg root, after an XML declaration, comments and a doctype, is an SVG', () => {
    assert.equal(looksLikeSvg(fixture('safe.svg').toString('utf8')), true);
    assert.equal(looksLikeSvg('\uFEFF<!-- logo --><!DOCTYPE svg><svg>'), true);
  });

  test('HTML, plain text or another XML root is not an SVG', () => {
    for (const text of ['<html><svg></svg></html>', 'hello <svg>', '<?xml version="1.0"?><notes/>', '<svgfoo>']) {
      assert.equal(looksLikeSvg(text), false, text);
    }
  });
});
