import { ApolloServer } from '@apollo/server';
import type { RequestContext } from '../../../src/context';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse } from 'graphql';
import { Metrics } from '../../../src/observability/metrics';
import { requestLoggingPlugin } from '../../../src/observability/request-plugin';
import { captureLogger, scanLogText } from '../../helpers/log-scan';

const FNR = '01818000282';

describe('pino redaction (the safety net under allow-listed logging)', () => {
  it('redacts headers, the integration password, tokens, variables and owner fields', () => {
    const log = captureLogger();
    log.logger.info(
      {
        req: {
          headers: {
            authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJ4IjoxfQ.c2ln',
            'router-authorization': 'router-secret-123',
            cookie: 'sid=1',
          },
        },
        headers: { IntegrasjonPassord: 'integration-password-1', authorization: 'Bearer abc' },
        assertion: 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln',
        access_token: 'opaque-token-value',
        password: 'p4ssw0rd-value',
        variables: { fnr: FNR, kjennemerke: 'AB12345' },
        owner: { name: 'TESTE PERSONSEN', fodselsnummer: FNR, fnr: FNR, address: { lines: ['TESTVEGEN 1'] } },
        person: { fornavn: 'TESTE', etternavn: 'PERSONSEN' },
      },
      'redaction probe',
    );
    const [entry] = log.entries();
    expect(entry.req.headers).toEqual({
      authorization: '[Redacted]',
      'router-authorization': '[Redacted]',
      cookie: '[Redacted]',
    });
    expect(entry.headers).toEqual({ IntegrasjonPassord: '[Redacted]', authorization: '[Redacted]' });
    expect(entry).toMatchObject({
      assertion: '[Redacted]',
      access_token: '[Redacted]',
      password: '[Redacted]',
      variables: '[Redacted]',
    });
    expect(entry.owner).toEqual({
      name: '[Redacted]',
      fodselsnummer: '[Redacted]',
      fnr: '[Redacted]',
      address: '[Redacted]',
    });
    expect(entry.person).toEqual({ fornavn: '[Redacted]', etternavn: '[Redacted]' });
    for (const secret of [
      FNR,
      'TESTE',
      'integration-password-1',
      'router-secret-123',
      'opaque-token-value',
      'p4ssw0rd-value',
    ]) {
      expect(log.text()).not.toContain(secret);
    }
    expect(scanLogText(log.text(), { names: ['TESTE PERSONSEN'] })).toEqual([]);
  });
});

describe('one log line per request (requestLoggingPlugin)', () => {
  const schema = buildSubgraphSchema([
    {
      typeDefs: parse('type Query { owner(fnr: String!): String, broken: String }'),
      resolvers: {
        Query: {
          owner: () => 'TESTE PERSONSEN',
          broken: () => {
            throw new GraphQLError('no', { extensions: { code: 'FORBIDDEN' } });
          },
        },
      },
    },
  ]);

  async function run(query: string, variables?: Record<string, unknown>, operationName?: string) {
    const log = captureLogger();
    const server = new ApolloServer<RequestContext>({
      schema,
      logger: log.logger,
      plugins: [requestLoggingPlugin(log.logger, new Metrics())],
    });
    await server.start();
    const contextValue = {
      correlationId: 'corr-request-log-1',
      caller: { authenticated: true, devMode: false, scopes: new Set(), subject: 'case-system' },
      fiks: { upstreamCalls: 2 },
      ecoc: { upstreamCalls: 1 },
    };
    await server.executeOperation(
      { query, variables, operationName },
      { contextValue: contextValue as unknown as RequestContext },
    );
    await server.stop();
    return log;
  }

  it('has operation name, duration, outcome, correlation id, upstream calls and caller; never variables or results', async () => {
    const log = await run('query OwnerByFnr($fnr: String!) { owner(fnr: $fnr) }', { fnr: FNR }, 'OwnerByFnr');
    const lines = log.entries().filter((e) => e.msg === 'graphql request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      correlationId: 'corr-request-log-1',
      operation: 'OwnerByFnr',
      outcome: 'ok',
      upstreamCalls: 3,
      caller: 'case-system',
    });
    expect(typeof lines[0].durationMs).toBe('number');
    expect(log.text()).not.toContain(FNR);
    expect(log.text()).not.toContain('PERSONSEN');
    expect(log.text()).not.toContain('query OwnerByFnr');
  });

  it('an error outcome lists the codes only', async () => {
    const log = await run('{ broken }');
    const [line] = log.entries().filter((e) => e.msg === 'graphql request');
    expect(line).toMatchObject({ operation: 'anonymous', outcome: 'errors', errorCodes: ['FORBIDDEN'] });
  });
});
