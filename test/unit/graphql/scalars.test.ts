import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GraphQLError, Kind, parseValue as parseAst } from 'graphql';
import { DateTime, Long } from '../../../src/graphql/scalars.js';

const LONG_MESSAGE = /Long must be a whole number/;

describe('Long scalar', () => {
  test('accepts whole numbers and strings of digits as variables', () => {
    assert.equal(Long.parseValue(0), 0);
    assert.equal(Long.parseValue(2_097_152), 2_097_152);
    assert.equal(Long.parseValue('123'), 123);
    assert.equal(Long.parseValue('-7'), -7);
    assert.equal(Long.parseValue(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
    assert.equal(Long.parseValue(String(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
  });

  for (const value of [1.5, '1.5', 2 ** 53, '9007199254740993', Number.NaN, Number.POSITIVE_INFINITY, '', ' 12', '12abc', '0x10', '1e3', true, null, {}, [1]]) {
    test(`rejects ${JSON.stringify(value) ?? String(value)} as a variable with a GraphQLError`, () => {
      assert.throws(() => Long.parseValue(value), (e: unknown) => e instanceof GraphQLError && LONG_MESSAGE.test(e.message));
    });
  }

  test('accepts int and digit-string literals in a query', () => {
    assert.equal(Long.parseLiteral(parseAst('42'), {}), 42);
    assert.equal(Long.parseLiteral(parseAst('"9007199254740991"'), {}), Number.MAX_SAFE_INTEGER);
  });

  test('rejects float, unsafe, boolean and garbage literals', () => {
    for (const literal of ['4.2', '9007199254740992', 'true', '"abc"', '[1]', 'ENUM_VALUE']) {
      assert.throws(() => Long.parseLiteral(parseAst(literal), {}), LONG_MESSAGE, literal);
    }
    assert.throws(() => Long.parseLiteral({ kind: Kind.NULL }, {}), LONG_MESSAGE);
  });
});

describe('DateTime scalar', () => {
  test('serializes a Date as an ISO-8601 UTC timestamp', () => {
    assert.equal(DateTime.serialize(new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 6))), '2025-01-02T03:04:05.006Z');
  });
});
