import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  description: 'ISO-8601 timestamp in UTC.',
  serialize: (value) => (value as Date).toISOString(),
});

function toLong(value: unknown): number {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw new GraphQLError('Long must be a whole number (up to 2^53-1), given as a number or a string of digits.');
  }
  return n;
}

/** 64-bit whole numbers, within JavaScript's safe range (sizes up to 8 PiB). */
export const Long = new GraphQLScalarType({
  name: 'Long',
  description: 'A whole number up to 2^53-1, e.g. a size in bytes.',
  serialize: (value) => value,
  parseValue: toLong,
  parseLiteral: (ast) => toLong(ast.kind === Kind.INT || ast.kind === Kind.STRING ? ast.value : undefined),
});
