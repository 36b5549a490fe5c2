import { ApolloServer } from '@apollo/server';
import type { RequestContext } from '../../../src/context';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse } from 'graphql';
import { UpstreamError } from '../../../src/errors';
import {
  clientErrorCode,
  formatError,
  GENERIC_MESSAGE,
  isPassThroughCode,
  maskingPlugin,
  redactText,
  withoutInputValues,
} from '../../../src/security/masking';
import { captureLogger, scanLogText } from '../../helpers/log-scan';

// Synthetic (month + 80) and valid mod-11: exactly what the log scan must never find.
const FNR = '01818000282';

describe('redactText', () => {
  it('cuts fødselsnummer (also inside words), bearer tokens, JWTs and quoted JSON text', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const text = `owner ${FNR} fnr${FNR} Authorization: Bearer abc.def-ghi token=${jwt}; Unexpected token 'O', "OLA NORDMANN" is not valid JSON`;
    const redacted = redactText(text);
    expect(redacted).toBe(
      "owner [fnr] fnr[fnr] Authorization: [bearer-token] token=[jwt]; Unexpected token 'O', [text] is not valid JSON",
    );
    expect(scanLogText(redacted, { names: ['OLA NORDMANN'] })).toEqual([]);
  });

  it('leaves shorter and longer digit runs (kuids, timestamps) alone', () => {
    expect(redactText('kuid 1000000001 at 1732360000000')).toBe('kuid 1000000001 at 1732360000000');
  });
});

describe('formatError on bad literals', () => {
  it("a bad literal our scalar refused keeps BAD_USER_INPUT instead of Apollo's GRAPHQL_VALIDATION_FAILED", () => {
    const scalarError = new GraphQLError('DateTime must be an ISO-8601 date', {
      extensions: { code: 'BAD_USER_INPUT', scalar: 'DateTime' },
    });
    const apolloError = new GraphQLError(scalarError.message, {
      originalError: scalarError,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    const formatted = formatError(
      { message: apolloError.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
      apolloError,
    );
    expect(formatted).toEqual({ message: 'DateTime must be an ISO-8601 date', extensions: { code: 'BAD_USER_INPUT' } });
    // The request's log line and metrics use the same code as the answer.
    expect(clientErrorCode(apolloError)).toBe('BAD_USER_INPUT');
    // graphql-armor's limit errors carry BAD_USER_INPUT too, unmarked: they stay validation failures.
    const armorError = new GraphQLError('Syntax Error: Query depth limit of 8 exceeded, found 9.', {
      originalError: new GraphQLError('x', { extensions: { code: 'BAD_USER_INPUT' } }),
    });
    expect(
      formatError({ message: armorError.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }, armorError),
    ).toMatchObject({
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });
});

describe('formatError (allow-list)', () => {
  it.each([
    'BAD_USER_INPUT',
    'UNAUTHENTICATED',
    'FORBIDDEN',
    'UPSTREAM_UNAVAILABLE',
    'UPSTREAM_QUOTA_EXCEEDED',
    'UPSTREAM_REJECTED',
  ])('%s keeps its own safe message, without a stack trace', (code) => {
    const formatted = formatError(
      { message: 'written by us', extensions: { code, stacktrace: ['at x'] } },
      new Error('x'),
    );
    expect(formatted).toEqual({ message: 'written by us', extensions: { code } });
  });

  it.each(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_REQUEST'])(
    'Apollo request code %s passes',
    (code) => {
      expect(isPassThroughCode(code)).toBe(true);
    },
  );

  it.each([undefined, 'INTERNAL_SERVER_ERROR', 'ECONNREFUSED', 'SOME_LIBRARY_CODE'])(
    'code %s becomes the generic message, keeping only path and locations',
    (code) => {
      const formatted = formatError(
        {
          message: `Request to http://fiks.internal:8080/x failed for ${FNR}`,
          path: ['vehicle', 'owner'],
          locations: [{ line: 1, column: 3 }],
          extensions: { code, stacktrace: ['Error: …'], upstreamBody: { fodselsnummer: FNR } },
        },
        new Error('x'),
      );
      expect(formatted).toEqual({
        message: GENERIC_MESSAGE,
        path: ['vehicle', 'owner'],
        locations: [{ line: 1, column: 3 }],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
    },
  );
});

describe('masking over a real ApolloServer (executeOperation)', () => {
  const schema = buildSubgraphSchema([
    {
      typeDefs: parse(`type Query { leaky: String, userError: String, upstream: String, fine: String }`),
      resolvers: {
        Query: {
          leaky: () => {
            throw new Error(`Fiks answered 500 for owner ${FNR} at http://fiks.internal/api, token Bearer abc.def`);
          },
          userError: () => {
            throw new GraphQLError('Invalid argument "kjennemerke": not a plate', {
              extensions: { code: 'BAD_USER_INPUT' },
            });
          },
          upstream: () => {
            throw new UpstreamError('UPSTREAM_UNAVAILABLE', 'The vehicle register did not answer in time', {
              upstream: 'fiks',
            });
          },
          fine: () => 'ok',
        },
      },
    },
  ]);

  async function run(query: string, correlationId: string) {
    const log = captureLogger();
    const server = new ApolloServer<RequestContext>({
      schema,
      formatError,
      logger: log.logger,
      includeStacktraceInErrorResponses: true, // masking must hold even if someone turns this on
      plugins: [maskingPlugin(log.logger)],
    });
    await server.start();
    try {
      const response = await server.executeOperation({ query }, { contextValue: { correlationId } as RequestContext });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      return { result: response.body.singleResult, log };
    } finally {
      await server.stop();
    }
  }

  it('a resolver error holding a fødselsnummer reaches the client masked, with a correlation id', async () => {
    const { result, log } = await run('{ fine leaky }', 'corr-leaky-0001');
    expect(result.data).toEqual({ fine: 'ok', leaky: null });
    expect(result.errors).toEqual([
      {
        message: GENERIC_MESSAGE,
        locations: [{ line: 1, column: 8 }],
        path: ['leaky'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId: 'corr-leaky-0001' },
      },
    ]);
    expect(JSON.stringify(result)).not.toContain(FNR);
    expect(JSON.stringify(result)).not.toMatch(/fiks\.internal|stacktrace/);

    // The log has the original, redacted, under the same correlation id.
    const masked = log.entries().filter((e) => e.msg === 'masked error');
    expect(masked).toHaveLength(1);
    expect(masked[0]).toMatchObject({ correlationId: 'corr-leaky-0001', path: ['leaky'], level: 50 });
    expect(masked[0].err.message).toBe(
      'Fiks answered 500 for owner [fnr] at http://fiks.internal/api, token [bearer-token]',
    );
    expect(log.text()).not.toContain(FNR);
    expect(scanLogText(log.text())).toEqual([]);
    expect(scanLogText(FNR)).toHaveLength(1); // the scan would have seen it
  });

  it('allow-listed errors pass with their own message and are not logged as masked', async () => {
    const { result, log } = await run('{ userError upstream }', 'corr-allowed-01');
    expect(result.errors!.map((e) => [e.message, e.extensions?.code])).toEqual([
      ['Invalid argument "kjennemerke": not a plate', 'BAD_USER_INPUT'],
      ['The vehicle register did not answer in time', 'UPSTREAM_UNAVAILABLE'],
    ]);
    expect(
      result.errors!.every((e) => e.extensions?.stacktrace === undefined && e.extensions?.correlationId === undefined),
    ).toBe(true);
    expect(log.entries().filter((e) => e.msg === 'masked error')).toEqual([]);
  });

  it('no field suggestions and no stack traces in validation errors', async () => {
    const server = new ApolloServer<RequestContext>({
      schema,
      formatError,
      hideSchemaDetailsFromClientErrors: true,
      logger: captureLogger().logger,
    });
    await server.start();
    const response = await server.executeOperation({ query: '{ fin }' }, { contextValue: {} as RequestContext });
    await server.stop();
    const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
    expect(result?.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result?.errors?.[0].message).not.toMatch(/Did you mean/);
    expect(result?.errors?.[0].extensions?.stacktrace).toBeUndefined();
  });
});

describe('withoutInputValues: graphql-js messages name what was wrong, never the value', () => {
  it.each([
    [
      'Variable "$d" got invalid value "01018012345"; DateTime must be an ISO-8601 date-time',
      'DateTime must be an ISO-8601 date-time',
      'Variable "$d" got an invalid value; DateTime must be an ISO-8601 date-time',
    ],
    [
      'Variable "$a" got invalid value "Ola Nordmann" at "a.b"; Int cannot represent non-integer value: "Ola Nordmann"',
      'Int cannot represent non-integer value: "Ola Nordmann"',
      'Variable "$a" got an invalid value; Int cannot represent non-integer value',
    ],
    [
      'Variable "$e" got invalid value { f: 1 }; Field "f" is not defined by type "EcocInput".',
      undefined,
      'Variable "$e" got an invalid value',
    ],
    [
      'String cannot represent a non string value: 12345678901',
      undefined,
      'String cannot represent a non string value',
    ],
    [
      'Expected value of type "DateTime", found "Ola Nordmann"; DateTime must be a string',
      undefined,
      'Expected value of type "DateTime"',
    ],
    [
      'Value "SECRET" does not exist in "PreRegistrationStatus" enum.',
      undefined,
      'The value is not in enum "PreRegistrationStatus"',
    ],
    [
      'Field "fnr01018012345" is not defined by type "EcocInput".',
      undefined,
      'An unknown field was given for input type "EcocInput"',
    ],
    ['Argument "kuids" has invalid value "Ola".', undefined, 'Argument "kuids" has an invalid value'],
    [
      'Syntax Error: Expected Name, found String "01018012345".',
      undefined,
      'Syntax Error: Expected Name, found String.',
    ],
    [
      'Unknown operation named "Ola Nordmann 01018012345".',
      undefined,
      'The document has no operation with the name given in "operationName".',
    ],
    [
      'Invalid argument "kjennemerke": a kjennemerke is 2–7 letters',
      undefined,
      'Invalid argument "kjennemerke": a kjennemerke is 2–7 letters',
    ],
  ])('%s', (message, inner, expected) => {
    expect(withoutInputValues(message, inner)).toBe(expected);
  });
});
