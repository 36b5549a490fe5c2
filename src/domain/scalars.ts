import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { isValidIsoDate, isValidIsoDateTime } from './identifiers';

/** Strict ISO-8601 scalars: a malformed value is BAD_USER_INPUT before any resolver runs. */
function isoScalar(name: string, description: string, valid: (value: string) => boolean, hint: string) {
  // A literal's error carries its node, so the answer's `locations` point at it (a variable's names the variable).
  const parse = (value: unknown, node?: ValueNode): string => {
    if (typeof value !== 'string' || !valid(value)) {
      throw new GraphQLError(`${name} must be ${hint}`, {
        nodes: node,
        extensions: { code: 'BAD_USER_INPUT', scalar: name },
      });
    }
    return value;
  };
  return new GraphQLScalarType({
    name,
    description,
    serialize: (value) => {
      if (value instanceof Date) return name === 'Date' ? value.toISOString().slice(0, 10) : value.toISOString();
      return String(value);
    },
    parseValue: (value) => parse(value),
    parseLiteral: (ast: ValueNode) => {
      if (ast.kind !== Kind.STRING) {
        throw new GraphQLError(`${name} must be a string: ${hint}`, {
          nodes: ast,
          extensions: { code: 'BAD_USER_INPUT', scalar: name },
        });
      }
      return parse(ast.value, ast);
    },
  });
}

export const DateTimeScalar = isoScalar(
  'DateTime',
  'ISO-8601 date-time with seconds and an offset',
  isValidIsoDateTime,
  'an ISO-8601 date-time with an offset, e.g. 2023-06-01T12:00:00+02:00',
);

export const DateScalar = isoScalar('Date', 'ISO-8601 calendar date', isValidIsoDate, 'an ISO-8601 date, YYYY-MM-DD');
