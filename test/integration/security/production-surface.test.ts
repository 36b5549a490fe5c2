import { mintToken } from '../../../dev/mint-token';
import { scanLogText, TEST_ROUTER_SECRET } from '../../helpers/log-scan';
import { startBareServer, type BareServer } from './bare-server';

/**
 * A production-mode server over real sockets: router secret on, caller auth on, introspection off. Fiks is scripted
 * (startApp refuses production without real upstreams); the scripted client fails with a message that holds a
 * fødselsnummer, which must reach neither the client nor the log.
 */
const FNR = '01818000282'; // synthetic, valid check digits

describe('production surface (NODE_ENV=production, ROUTER_SECRET, caller auth)', () => {
  let bare: BareServer;
  let token: string;
  const router = { 'router-authorization': TEST_ROUTER_SECRET };

  beforeAll(async () => {
    bare = await startBareServer({
      env: 'production',
      auth: true,
      routerSecret: TEST_ROUTER_SECRET,
      corsOrigins: ['https://app.example'],
      fiks: async () => {
        throw new Error(`socket hang up talking to http://fiks.internal:8443 about owner ${FNR}`);
      },
    });
    token = await mintToken(bare.key!, { scope: 'vehicles:read owners:read', subject: 'router-test' });
  });
  afterAll(() => bare?.close());
  beforeEach(() => {
    bare.upstreamCalls.length = 0;
  });

  describe('router-only: without the router secret nothing gets in', () => {
    it.each([
      ['_service { sdl }', { query: '{ _service { sdl } }' }],
      [
        '_entities',
        {
          query: 'query($r: [_Any!]!) { _entities(representations: $r) { __typename } }',
          variables: { r: [{ __typename: 'Vehicle', kuid: '1' }] },
        },
      ],
      ['a vehicle lookup', { query: '{ vehicle(kjennemerke: "AB12345") { kuid } }' }],
    ])('%s → 401, even with a valid caller token, and no upstream call', async (_name, body) => {
      const attempts: Record<string, string>[] = [
        {},
        { 'router-authorization': 'wrong-secret-of-some-length' },
        { authorization: `Bearer ${token}` },
      ];
      for (const headers of attempts) {
        const res = await bare.post(body, headers);
        expect(res.status).toBe(401);
        expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
        expect(res.text).not.toContain('sdl');
      }
      expect(bare.upstreamCalls).toEqual([]);
    });

    it('with the secret, the router gets _service (the supergraph needs it)', async () => {
      const res = await bare.post({ query: '{ _service { sdl } }' }, router);
      expect(res.status).toBe(200);
      expect(res.body.data._service.sdl).toContain('type Vehicle');
    });

    it('health and metrics stay open for the platform (they hold no data)', async () => {
      const live = await fetch(bare.url.replace('/graphql', '/health/live'));
      expect(live.status).toBe(200);
    });

    it('each refusal is logged once, without the header value', async () => {
      await bare.post({ query: '{ _service { sdl } }' }, { 'router-authorization': 'a-wrong-secret-value-xyz' });
      const refusals = bare.log.entries().filter((e) => e.msg === 'request without the router secret refused');
      expect(refusals.at(-1)).toMatchObject({ status: 401, routerHeader: 'wrong' });
      expect(bare.log.text()).not.toContain('a-wrong-secret-value-xyz');
    });
  });

  it('no offline explorer, even when the configuration asks for it', async () => {
    const res = await fetch(bare.url.replace('/graphql', '/explorer/'));
    expect(res.status).toBe(404);
    expect(res.headers.get('content-security-policy')).not.toMatch(/'self'/);
    expect(await res.text()).not.toMatch(/graphiql|main\.js/i);
  });

  it('introspection is off', async () => {
    const res = await bare.post({ query: '{ __schema { types { name } } }' }, router);
    // application/json, as a router asks: the GraphQL-over-HTTP status for a refused document is 200.
    expect(res.status).toBe(200);
    expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors[0].message).toMatch(/introspection is not allowed/i);
    expect(res.body.data).toBeUndefined();
  });

  it('no field suggestions and no stack traces', async () => {
    const res = await bare.post({ query: '{ vehicl(kjennemerke: "AB12345") { kui } }' }, router);
    expect(res.status).toBe(200);
    expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.text).not.toMatch(/Did you mean|stacktrace|\.ts:\d+/);
  });

  it('a resolver error holding a fødselsnummer reaches the client masked; the log has it redacted under the same correlation id', async () => {
    const res = await bare.post(
      { query: '{ vehicle(kjennemerke: "AB12345") { kuid } }' },
      { ...router, authorization: `Bearer ${token}` },
    );
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ vehicle: null });
    const correlationId = res.headers.get('x-request-id');
    expect(correlationId).toBeTruthy();
    expect(res.body.errors).toEqual([
      {
        message: 'Internal server error',
        locations: [{ line: 1, column: 3 }],
        path: ['vehicle'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId },
      },
    ]);
    expect(res.text).not.toContain(FNR);
    expect(res.text).not.toContain('fiks.internal');
    expect(bare.upstreamCalls).toEqual(['bulk/kjennemerke']);

    const logged = bare.log.entries().filter((e) => e.correlationId === correlationId);
    const masked = logged.find((e) => e.msg === 'masked error');
    expect(masked?.err.message).toBe('socket hang up talking to http://fiks.internal:8443 about owner [fnr]');
    expect(logged.find((e) => e.msg === 'graphql request')).toMatchObject({ outcome: 'errors', upstreamCalls: 1 });
    expect(bare.log.text()).not.toContain(FNR);
    expect(scanLogText(bare.log.text(), { secrets: [TEST_ROUTER_SECRET] })).toEqual([]);
  });

  it('an unexpected failure while building the context is masked too, and logged redacted', async () => {
    const res = await bare.post({ query: '{ __typename }' }, { ...router, 'x-test-break-context': `owner ${FNR}` });
    expect(res.status).toBe(500);
    expect(res.body.errors).toEqual([
      { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    ]);
    expect(res.text).not.toContain(FNR);
    const logged = bare.log.entries().find((e) => e.msg === 'masked error: context creation failed');
    expect(logged?.err.message).toBe('tenant lookup failed: owner [fnr]');
    expect(bare.log.text()).not.toContain(FNR);
  });

  it('a bad caller token → 401 UNAUTHENTICATED for the whole request', async () => {
    const res = await bare.post(
      { query: '{ vehicle(kjennemerke: "AB12345") { kuid } }' },
      { ...router, authorization: 'Bearer not.a.token' },
    );
    expect(res.status).toBe(401);
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(bare.upstreamCalls).toEqual([]);
  });

  it('CORS in production: the allow-list only, no Apollo Studio', async () => {
    const preflight = async (origin: string) =>
      fetch(bare.url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    expect((await preflight('https://app.example')).headers.get('access-control-allow-origin')).toBe(
      'https://app.example',
    );
    expect((await preflight('https://studio.apollographql.com')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('no landing page in production', async () => {
    const res = await fetch(bare.url, { headers: { accept: 'text/html', ...router } });
    expect(await res.text()).not.toMatch(/<html|embeddable-sandbox|apollo-server-landing-page/i);
  });
});
