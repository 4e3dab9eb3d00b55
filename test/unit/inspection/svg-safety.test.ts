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

  for (const name of UNSAFE_SVGS) {
    test(`${name} has a hazard`, () => {
      assert.notEqual(findSvgHazard(fixture(name).toString('utf8')), null);
    });
  }

  const hazards: [string, string][] = [
    ['a script element', svg('<script>alert(1)</script>')],
    ['a script element under a namespace prefix', svg('<s:script xmlns:s="http://www.w3.org/2000/svg">alert(1)</s:script>')],
    ['an XHTML script element under a prefix', svg('<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>')],
    ['an onload attribute on the root', svg('', ' onload="alert(1)"')],
    ['an onclick attribute on a newline', svg('<rect\nonclick = "alert(1)"/>')],
    ['an external href', svg('<image href="https://evil.example/a.png"/>')],
    ['an external xlink:href', svg('<use xlink:href="https://evil.example/sprite.svg#icon"/>')],
    ['a data: href', svg('<image href="data:image/svg+xml;base64,PHN2Zz4="/>')],
    ['a javascript: link', svg('<a href="javascript:alert(1)"><rect/></a>')],
    ['a foreignObject', svg('<foreignObject><div/></foreignObject>')],
    ['a prefixed foreignObject', svg('<s:foreignObject xmlns:s="http://www.w3.org/2000/svg"/>')],
    ['an iframe', svg('<iframe src="x"/>')],
    ['an entity declaration', `<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>${svg('&x;')}`],
    ['an external url() in a style', svg('<rect style="fill:url(https://evil.example/p.svg#p)"/>')],
    ['a stylesheet import', svg('<style>@import "https://evil.example/a.css";</style>')],
    ['an animation that sets href', svg('<a><set attributeName="href" to="javascript:alert(1)"/><rect/></a>')],
    ['an animation that sets a prefixed href', svg('<a><animate values="x" attributeName="x:href"/></a>')],
    ['an animation that sets an event handler', svg('<rect><set attributeName="onclick" to="alert(1)"/></rect>')],
    // Found by a security review: each was READY, and ran script or navigated in Chromium, before the checker parsed XML.
    ['a script element under a non-ASCII prefix', svg('<é:script xmlns:é="http://www.w3.org/2000/svg">alert(1)</é:script>')],
    ['a foreignObject under a non-ASCII prefix', svg('<é:foreignObject xmlns:é="http://www.w3.org/2000/svg"/>')],
    ['an animation of href behind a quoted ">"', svg('<a><set x=">" attributeName="href" to="&#106;avascript:alert(1)"/><text>click</text></a>')],
    ['an XHTML meta refresh under a non-ASCII prefix', svg('<é:meta xmlns:é="http://www.w3.org/1999/xhtml" http-equiv="refresh" content="0;url=https://evil.example/"/>')],
    ['a javascript: link written with character references', svg('<a href="&#106;ava&#x73;cript:alert(1)"><rect/></a>')],
    ['a javascript: link with a tab in its scheme', svg('<a href="java&#9;script:alert(1)"><rect/></a>')],
    ['a url() hidden in a CSS escape', svg('<rect style="fill:\\75 rl(https://evil.example/p.svg#p)"/>')],
    ['an image-set() in a style element', svg('<style>rect { fill: image-set("https://evil.example/a.png" 1x) }</style>')],
    ['an external url() in CDATA of a style element', svg('<style><![CDATA[rect { fill: url(https://evil.example/p.svg#p) }]]></style>')],
    ['a MathML element', svg('<m:math xmlns:m="http://www.w3.org/1998/Math/MathML"><m:mi>x</m:mi></m:math>')],
    ['a stylesheet processing instruction', `<?xml-stylesheet href="https://evil.example/a.css"?>${svg('')}`],
    ['XML that is not well-formed', svg('<rect>')],
    ['an entity XML does not define', svg('<text>&nbsp;</text>')],
  ];
  for (const [what, text] of hazards) {
    test(`finds ${what}`, () => {
      assert.notEqual(findSvgHazard(text), null, text);
    });
  }

  test('a DOCTYPE naming the SVG 1.1 DTD (no entities of its own), editor metadata namespaces and spaced url(#id) are no hazard', () => {
    const doctype = '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">';
    const metadata =
      '<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description/></rdf:RDF></metadata>' +
      '<i:pgf xmlns:i="http://ns.adobe.com/AdobeIllustrator/10.0/">data</i:pgf><rect fill="url( #fade )" style="stroke: url(\'#fade\')"/>';
    assert.equal(findSvgHazard(`<?xml version="1.0"?>${doctype}${svg(metadata)}`), null);
  });

  test('names what it found: a script is a script element, whatever its prefix', () => {
    assert.equal(findSvgHazard(svg('<é:script xmlns:é="http://www.w3.org/2000/svg"/>')), 'script element');
    assert.match(findSvgHazard(svg('<rect>')) ?? '', /^not well-formed XML \(/);
  });

  test('ordinary drawing attributes that merely contain "on" are no hazard', () => {
    assert.equal(findSvgHazard(svg('<polygon points="0,0 1,1" stroke-linejoin="round"/><text font="x">on and on</text>')), null);
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
