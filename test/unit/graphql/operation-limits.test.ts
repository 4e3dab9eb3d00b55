import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildFederationSchema } from '@mercuriusjs/federation';
import { getIntrospectionQuery, GraphQLError, parse, specifiedRules, validate } from 'graphql';
import { explainTokenLimit, MAX_FIELDS, MAX_LOOKUPS, MAX_TOKENS, operationLimits, refuseUnparsedDocument } from '../../../src/graphql/operation-limits.js';
import { schema } from '../../../src/graphql/schema.js';
import * as clientDocuments from '../../../packages/client/src/documents.js';

// The schema as the service serves it: the federation plugin adds _service and _entities.
const served = buildFederationSchema(schema);
const ID = '00000000-0000-4000-8000-000000000000';

/** The messages validation gives `query`, with every rule the service runs. */
function refusals(query: string): string[] {
  return validate(served, parse(query), [...specifiedRules, operationLimits]).map((e) => e.message);
}

const tooManyFields = (count: number) =>
  `This operation selects ${count} fields, counting each field inside assets(first: n) n times (100 when first is a variable); at most ${MAX_FIELDS} per request: select only the fields you use, ask for smaller pages, or split it into several requests.`;

/** `count` aliased `asset(id)` lookups selecting `fields` each (1 + `fields` field selections per lookup). */
function lookups(count: number, fields = 'id'): string {
  return `{ ${Array.from({ length: count }, (_, i) => `a${i}: asset(id: "${ID}") { ${fields} }`).join(' ')} }`;
}

/** One lookup selecting `count` fields in all (the lookup itself included). */
function fieldsOfOneLookup(count: number): string {
  return `{ asset(id: "${ID}") { ${Array.from({ length: count - 1 }, (_, i) => `f${i}: id`).join(' ')} } }`;
}

describe('operation limits', () => {
  test(`${MAX_LOOKUPS} asset lookups in one operation pass`, () => {
    assert.deepEqual(refusals(lookups(MAX_LOOKUPS)), []);
  });

  test(`${MAX_LOOKUPS + 1} asset lookups are refused with the limit and what to do instead`, () => {
    assert.deepEqual(refusals(lookups(MAX_LOOKUPS + 1)), [
      `This operation makes ${MAX_LOOKUPS + 1} asset lookups (asset, assets, _entities); at most ${MAX_LOOKUPS} per request: split it into several requests, or page with assets(first, after).`,
    ]);
  });

  test('asset, assets and _entities lookups count together, also when spread from a fragment on Query', () => {
    const query = `query Mixed($r: [_Any!]!) {
      ${Array.from({ length: 7 }, (_, i) => `a${i}: asset(id: "${ID}") { id }`).join(' ')}
      ${Array.from({ length: 7 }, (_, i) => `l${i}: assets(first: 100) { edges { node { id } } }`).join(' ')}
      ${Array.from({ length: 6 }, (_, i) => `e${i}: _entities(representations: $r) { __typename }`).join(' ')}
      ...more
    }
    fragment more on Query { x: asset(id: "${ID}") { id } }`;
    assert.deepEqual(refusals(query), [
      `Operation "Mixed" makes 21 asset lookups (asset, assets, _entities); at most ${MAX_LOOKUPS} per request: split it into several requests, or page with assets(first, after).`,
    ]);
  });

  test(`each mutation counts as a lookup: ${MAX_LOOKUPS + 1} deletes in one operation are refused`, () => {
    const query = `mutation { ${Array.from({ length: MAX_LOOKUPS + 1 }, (_, i) => `d${i}: deleteAsset(assetId: "${ID}")`).join(' ')} }`;
    assert.deepEqual(refusals(query), [`This operation runs ${MAX_LOOKUPS + 1} mutations; at most ${MAX_LOOKUPS} per request: split it into several requests.`]);
  });

  test(`an operation of ${MAX_FIELDS} fields passes, one of ${MAX_FIELDS + 1} is refused with the limit and what to do`, () => {
    assert.deepEqual(refusals(fieldsOfOneLookup(MAX_FIELDS)), []);
    assert.deepEqual(refusals(fieldsOfOneLookup(MAX_FIELDS + 1)), [tooManyFields(MAX_FIELDS + 1)]);
  });

  test('each field inside assets(first: n) counts n times: 100 when first is a variable, 20 when it is left out', () => {
    const page = (first: string, fields: number) => `query${first.includes('$') ? '($first: Int)' : ''} { assets${first} { edges { node { ${Array.from({ length: fields }, (_, i) => `f${i}: id`).join(' ')} } } } }`;
    // assets + n x (edges + node + fields)
    assert.deepEqual(refusals(page('(first: $first)', 47)), []);
    assert.deepEqual(refusals(page('(first: $first)', 48)), [tooManyFields(1 + 100 * 50)]);
    assert.deepEqual(refusals(page('(first: 50)', 97)), []);
    assert.deepEqual(refusals(page('(first: 50)', 98)), [tooManyFields(1 + 50 * 100)]);
    assert.deepEqual(refusals(page('', 247)), []);
    assert.deepEqual(refusals(page('', 248)), [tooManyFields(1 + 20 * 250)]);
  });

  test('a page size the parser would never give (no integer) counts as the largest page, not as none', () => {
    const document = parse('{ assets(first: 100) { edges { node { a: id b: id c: id d: id e: id f: id g: id h: id i: id j: id k: id l: id m: id n: id o: id p: id q: id r: id s: id t: id u: id v: id w: id x: id y: id z: id aa: id ab: id ac: id ad: id ae: id af: id ag: id ah: id ai: id aj: id ak: id al: id am: id an: id ao: id ap: id aq: id ar: id as: id at: id au: id av: id aw: id ax: id ay: id az: id } } } }', { noLocation: true });
    const forged = JSON.parse(JSON.stringify(document).replace('"value":"100"', '"value":"100x"'));
    assert.deepEqual(validate(served, forged, [operationLimits]).map((e) => e.message), [tooManyFields(1 + 100 * 54)]);
  });

  test('a document that did not come from the parser (a JSON AST) is refused, saying to send GraphQL text', () => {
    assert.doesNotThrow(() => refuseUnparsedDocument(parse('{ __typename }')));
    assert.throws(() => refuseUnparsedDocument(parse('{ __typename }', { noLocation: true })), /The query is not GraphQL text/);
    assert.throws(() => refuseUnparsedDocument(JSON.parse(JSON.stringify(parse('{ __typename }')))), /The query is not GraphQL text/);
  });

  test('each field inside _entities counts once per representation: 100 when they are a variable, as many as a literal list holds', () => {
    const fields = (count: number) => Array.from({ length: count }, (_, i) => `f${i}: id`).join(' ');
    const asVariable = (count: number) => `query($r: [_Any!]!) { _entities(representations: $r) { ... on Asset { ${fields(count)} } } }`;
    // _entities + 100 x fields
    assert.deepEqual(refusals(asVariable(49)), []);
    assert.deepEqual(refusals(asVariable(50)), [tooManyFields(1 + 100 * 50)]);
    const literal = `{ _entities(representations: [{ __typename: "Asset", id: "${ID}" }, { __typename: "Asset", id: "${ID}" }]) { ... on Asset { ${fields(2499)} } } }`;
    assert.deepEqual(refusals(literal), [], 'two representations of 2,499 fields: 4,999 fields');
  });

  test('the fields of a fragment count wherever it is spread, also inside other fragments and pages', () => {
    // assets + 100 x (edges + node + 5 spreads of ten fields) = 5201, written as one fragment of 5 spreads of another.
    const tenFields = Array.from({ length: 10 }, (_, i) => `f${i}: id`).join(' ');
    const query = `{ assets(first: 100) { ...page } }
      fragment page on AssetConnection { edges { node { ...wide } } }
      fragment wide on Asset { ...ten ... on Asset { ...ten } ...ten ...ten ...ten }
      fragment ten on Asset { ${tenFields} }`;
    assert.deepEqual(refusals(query), [tooManyFields(5201)]);
  });

  test('fragments spread in a cycle end the count: the document is refused for its cycle, not counted forever', () => {
    const query = `{ asset(id: "${ID}") { ...a } } fragment a on Asset { id ...b } fragment b on Asset { status ...a }`;
    assert.deepEqual(refusals(query), ['Cannot spread fragment "a" within itself via "b".']);
  });

  test('fragments spread into each other a thousand levels deep are counted in time, and refused', () => {
    const levels = Array.from({ length: 1000 }, (_, i) => `fragment f${i + 1} on Asset { ...f${i} ...f${i} }`).join('\n');
    const query = `{ asset(id: "${ID}") { ...f1000 } } fragment f0 on Asset { id }\n${levels}`;
    const started = performance.now();
    assert.deepEqual(refusals(query).map((message) => message.replace(/selects \S+ fields/, 'selects 2^1000 + 1 fields')), [tooManyFields(Number.NaN).replace('NaN', '2^1000 + 1')]);
    assert.ok(performance.now() - started < 5000, 'each fragment is counted once, not once per path to it');
  });

  test('each operation of a document is counted on its own', () => {
    const query = `query One { ${lookups(MAX_LOOKUPS).slice(1, -1)} } query Two { ${lookups(MAX_LOOKUPS).slice(1, -1)} }`;
    assert.deepEqual(refusals(query), []);
  });

  test("GraphiQL's full introspection query and a gateway's _service { sdl } pass", () => {
    const full = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true });
    assert.deepEqual(refusals(full), []);
    assert.deepEqual(refusals(getIntrospectionQuery()), []);
    assert.deepEqual(refusals('{ _service { sdl } }'), []);
  });

  test("the SDK's (and so the console's) operations pass, within a tenth of the token limit", () => {
    for (const [name, document] of Object.entries(clientDocuments)) {
      const tight = validate(served, parse(document, { maxTokens: MAX_TOKENS / 10 }), [operationLimits]);
      assert.deepEqual(tight, [], name);
    }
  });

  test('a query over the token limit is told as such, with the limits and what to do', () => {
    let parseError: unknown;
    try {
      parse(lookups(MAX_TOKENS / 10 + 1), { maxTokens: MAX_TOKENS });
    } catch (error) {
      parseError = error;
    }
    assert.ok(parseError instanceof GraphQLError);
    assert.equal(
      explainTokenLimit(parseError).message,
      `The query is longer than ${MAX_TOKENS} tokens (names, values and punctuation); at most ${MAX_FIELDS} fields and ${MAX_LOOKUPS} asset lookups per request: split it into several requests.`,
    );
    const other = new GraphQLError('Syntax Error: Unexpected "}".');
    assert.equal(explainTokenLimit(other), other);
  });
});
