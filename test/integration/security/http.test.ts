import { randomBytes } from 'node:crypto';
import { startBareServer, type BareServer } from './bare-server';

/**
 * HTTP concerns of the real server (development mode, as `npm start` runs on a laptop): body limit, 413, batching
 * off, CSRF prevention, CORS allow-list with Apollo Studio in dev.
 */
describe('HTTP surface (development mode)', () => {
  let bare: BareServer;

  beforeAll(async () => {
    bare = await startBareServer({ env: 'development', corsOrigins: ['https://app.example', 'https://case.example'] });
  });
  afterAll(() => bare?.close());
  beforeEach(() => {
    bare.upstreamCalls.length = 0;
  });

  const PRE_REGISTER = `mutation($input: PreRegisterInput!) { preRegister(input: $input) { status } }`;

  it('a preRegister carrying a 2 MiB IVI document as base64 (≈2.8 MB of JSON) is within the 3mb body limit', async () => {
    const document = randomBytes(2 * 1024 * 1024).toString('base64');
    const body = JSON.stringify({ query: PRE_REGISTER, variables: { input: { iviXml: document, dryRun: true } } });
    expect(body.length).toBeGreaterThan(2_790_000);
    const res = await bare.post(body);
    expect(res.status).not.toBe(413);
    // GraphQL answered (whatever the dry run says about random bytes), so the body got through express.json.
    expect(res.body.data !== undefined || res.body.errors !== undefined).toBe(true);
    expect(res.body.errors?.[0]?.extensions?.code).not.toBe('PAYLOAD_TOO_LARGE');
  });

  it('a body over the limit → 413 with a JSON error, no stack trace, and no GraphQL work', async () => {
    const body = JSON.stringify({
      query: PRE_REGISTER,
      variables: { input: { iviXml: 'A'.repeat(3 * 1024 * 1024 + 1), dryRun: true } },
    });
    const res = await bare.post(body);
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.body).toEqual({
      errors: [
        {
          message: 'Request body too large',
          extensions: { code: 'PAYLOAD_TOO_LARGE', correlationId: res.headers.get('x-request-id') },
        },
      ],
    });
    expect(res.text).not.toMatch(/stack|at \w|node_modules|PayloadTooLargeError/);
    expect(bare.upstreamCalls).toEqual([]);
  });

  it('malformed JSON → 400 with a JSON error, no stack trace', async () => {
    const res = await bare.post('{"query": "{ __typename }", ');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(res.text).not.toMatch(/stack|at \w|node_modules|SyntaxError/);
  });

  it('a body charset or content encoding express.json cannot read → 415 saying so, coded BAD_REQUEST', async () => {
    for (const headers of <Record<string, string>[]>[
      { 'content-type': 'application/json; charset=bogus' },
      { 'content-type': 'application/json', 'content-encoding': 'snappy' },
    ]) {
      const res = await bare.post(JSON.stringify({ query: '{ __typename }' }), headers);
      expect(res.status).toBe(415);
      expect(res.body.errors).toEqual([
        {
          message: 'Unsupported body charset or content encoding',
          extensions: { code: 'BAD_REQUEST', correlationId: res.headers.get('x-request-id') },
        },
      ]);
    }
  });

  it('a subscription is refused at validation (this subgraph has none), not answered as an internal error', async () => {
    const before = bare.log.entries().length;
    const res = await bare.post({ query: 'subscription S { __typename }' });
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        message: 'This service has no subscription operations.',
        locations: [{ line: 1, column: 1 }],
        extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }),
      }),
    ]);
    expect(
      bare.log
        .entries()
        .slice(before)
        .filter((e) => Number(e.level) >= 50),
    ).toEqual([]);
  });

  it('an operationName that names no operation is refused without repeating it', async () => {
    const res = await bare.post({ query: 'query A { __typename }', operationName: 'Ola Nordmann 01018012345' });
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        message: 'The document has no operation with the name given in "operationName".',
        extensions: expect.objectContaining({ code: 'OPERATION_RESOLUTION_FAILURE' }),
      }),
    ]);
    expect(res.text).not.toMatch(/Nordmann|01018012345/);
  });

  it('batched requests are off: a JSON array body → 400', async () => {
    const res = await bare.post([{ query: '{ __typename }' }, { query: '{ __typename }' }]);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/batching/i);
  });

  describe('CSRF prevention', () => {
    it('a GET without a preflight-forcing header → 400; with `apollo-require-preflight` it is served', async () => {
      const url = `${bare.url}?query=${encodeURIComponent('{ __typename }')}`;
      const plain = await fetch(url);
      expect(plain.status).toBe(400);
      expect(await plain.text()).toMatch(/CSRF/i);
      const withHeader = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
      expect(withHeader.status).toBe(200);
    });

    it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
      'a POST as %s (no preflight in a browser) is refused',
      async (contentType) => {
        const res = await fetch(bare.url, {
          method: 'POST',
          headers: { 'content-type': contentType },
          body: '{"query":"{ __typename }"}',
        });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      },
    );
  });

  describe('CORS allow-list (CORS_ORIGINS), plus Apollo Studio in dev', () => {
    const preflight = (origin: string) =>
      fetch(bare.url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,authorization',
        },
      });

    it.each(['https://app.example', 'https://case.example', 'https://studio.apollographql.com'])(
      '%s is allowed',
      async (origin) => {
        const res = await preflight(origin);
        expect(res.status).toBeLessThan(300);
        expect(res.headers.get('access-control-allow-origin')).toBe(origin);
        expect(res.headers.get('vary')).toMatch(/Origin/i);
      },
    );

    it.each(['https://evil.example', 'https://app.example.evil.example', 'null'])(
      '%s gets no CORS headers',
      async (origin) => {
        const res = await preflight(origin);
        expect(res.headers.get('access-control-allow-origin')).toBeNull();
        const post = await bare.post({ query: '{ __typename }' }, { origin });
        expect(post.headers.get('access-control-allow-origin')).toBeNull();
      },
    );
  });

  it('dev mode serves the Sandbox landing page and allows introspection (for Studio / Sandbox)', async () => {
    const page = await fetch(bare.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).toMatch(/<html/i);
    const res = await bare.post({ query: '{ __schema { queryType { name } } }' });
    expect(res.body.data.__schema.queryType.name).toBe('Query');
  });
});
