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
  ];
  for (const [what, text] of hazards) {
    test(`finds ${what}`, () => {
      assert.notEqual(findSvgHazard(text), null, text);
    });
  }

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
