import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, jwtVerify, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import {
  MaskinportenTokenProvider,
  type MaskinportenProviderOptions,
} from '../../../../src/datasources/maskinporten/token-provider';
import type { MaskinportenConfig } from '../../../../src/config';
import { UpstreamError } from '../../../../src/errors';
import { Metrics } from '../../../../src/observability/metrics';
import { createLogger } from '../../../../src/observability/logger';

const AUDIENCE = 'https://test.maskinporten.example/';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

interface Grant {
  header: ProtectedHeaderParameters;
  claims: JWTPayload;
  assertion: string;
  contentType?: string;
  grantType: string | null;
}

type Reply = (res: ServerResponse, grant: Grant, call: number) => void;

/** A tiny Maskinporten: verifies the grant's signature and records header and claims. */
class FakeMaskinporten {
  grants: Grant[] = [];
  reply: Reply = (res, _g, call) =>
    send(res, 200, { access_token: `at-${call}`, token_type: 'Bearer', expires_in: 120, scope: 'x' });
  url = '';
  private readonly server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const assertion = form.get('assertion') ?? '';
      jwtVerify(assertion, publicKey as KeyObject, { audience: AUDIENCE, issuer: 'client-1', algorithms: ['RS256'] })
        .then(({ payload }) => {
          const grant: Grant = {
            header: decodeProtectedHeader(assertion),
            claims: payload,
            assertion,
            contentType: req.headers['content-type'],
            grantType: form.get('grant_type'),
          };
          this.grants.push(grant);
          this.reply(res, grant, this.grants.length);
        })
        .catch(() => send(res, 400, { error: 'invalid_grant', error_description: 'Invalid assertion' }));
    });
  });
  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/token`;
  }
  async stop() {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function caught(p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(UpstreamError);
    return e as UpstreamError;
  }
  throw new Error('expected failure');
}

describe('MaskinportenTokenProvider', () => {
  const mp = new FakeMaskinporten();
  const providers: MaskinportenTokenProvider[] = [];
  let metrics: Metrics;
  const logger = createLogger({ level: 'silent' });

  function provider(cfg: Partial<MaskinportenConfig> = {}, opts: Partial<MaskinportenProviderOptions> = {}) {
    const p = new MaskinportenTokenProvider(
      { tokenUrl: mp.url, audience: AUDIENCE, clientId: 'client-1', privateKeyPem, kid: 'kid-1', ...cfg },
      { metrics, logger, ...opts },
    );
    providers.push(p);
    return p;
  }

  beforeAll(() => mp.start());
  afterAll(() => mp.stop());
  beforeEach(() => {
    mp.grants = [];
    mp.reply = (res, _g, call) =>
      send(res, 200, { access_token: `at-${call}`, token_type: 'Bearer', expires_in: 120, scope: 'x' });
    metrics = new Metrics();
  });
  afterEach(() => {
    while (providers.length) providers.pop()?.close();
  });

  it('sends a form POST with a grant carrying exactly iss, aud, scope, iat, exp, jti; kid header', async () => {
    const before = Math.floor(Date.now() / 1000);
    const token = await provider().getToken('ks:fiks');
    const after = Math.ceil(Date.now() / 1000);
    expect(token).toBe('at-1');
    const [grant] = mp.grants;
    expect(grant.contentType).toBe('application/x-www-form-urlencoded');
    expect(grant.grantType).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(Object.keys(grant.claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'scope']);
    expect(grant.claims).toMatchObject({ iss: 'client-1', aud: AUDIENCE, scope: 'ks:fiks' });
    const { iat, exp } = grant.claims as { iat: number; exp: number };
    expect(exp - iat).toBeGreaterThan(0);
    expect(exp - iat).toBeLessThanOrEqual(120);
    // Issued now: between the clock readings taken around the call, however long the call took.
    expect(iat).toBeGreaterThanOrEqual(before);
    expect(iat).toBeLessThanOrEqual(after);
    expect(grant.claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(grant.header).toEqual({ alg: 'RS256', kid: 'kid-1' });
  });

  it('clamps a configured grant lifetime to 120 s', async () => {
    await provider({}, { grantLifetimeSeconds: 600 }).getToken('ks:fiks');
    const { iat, exp } = mp.grants[0].claims as { iat: number; exp: number };
    expect(exp - iat).toBe(120);
  });

  it('uses x5c instead of kid when a certificate chain is configured', async () => {
    await provider({ x5c: ['MIIBleaf', 'MIIBca'] }).getToken('ks:fiks');
    expect(mp.grants[0].header).toEqual({ alg: 'RS256', x5c: ['MIIBleaf', 'MIIBca'] });
  });

  it('adds resource only for scopes configured with one', async () => {
    const p = provider({}, { resources: { 'svv:kjoretoy/ecoc': 'https://ecoc.example/api' } });
    await p.getToken('ks:fiks');
    await p.getToken('svv:kjoretoy/ecoc');
    expect(mp.grants[0].claims.resource).toBeUndefined();
    expect(mp.grants[1].claims.resource).toBe('https://ecoc.example/api');
    expect(Object.keys(mp.grants[1].claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'resource', 'scope']);
  });

  it('uses a unique jti for every grant', async () => {
    const p = provider();
    for (let i = 0; i < 5; i++) p.invalidate('ks:fiks', await p.getToken('ks:fiks'));
    const jtis = new Set(mp.grants.map((g) => g.claims.jti));
    expect(mp.grants).toHaveLength(5);
    expect(jtis.size).toBe(5);
  });

  it('caches per scope until expires_in minus max(10 s, 10%)', async () => {
    let now = 1_000_000;
    mp.reply = (res, _g, call) => send(res, 200, { access_token: `at-${call}`, expires_in: 200 });
    const p = provider({}, { monotonicNow: () => now });
    expect(await p.getToken('ks:fiks')).toBe('at-1');
    now += 179_000; // margin is 20 s for a 200 s token
    expect(await p.getToken('ks:fiks')).toBe('at-1');
    expect(await p.getToken('other:scope')).toBe('at-2');
    now += 2_000;
    expect(await p.getToken('ks:fiks')).toBe('at-3');
    expect(mp.grants).toHaveLength(3);
  });

  it('uses a 10 s margin for short tokens', async () => {
    let now = 0;
    mp.reply = (res, _g, call) => send(res, 200, { access_token: `at-${call}`, expires_in: 60 });
    const p = provider({}, { monotonicNow: () => now });
    await p.getToken('ks:fiks');
    now = 49_000;
    expect(await p.getToken('ks:fiks')).toBe('at-1');
    now = 50_500;
    expect(await p.getToken('ks:fiks')).toBe('at-2');
  });

  it('100 concurrent cold calls share one grant (exactly 1 POST)', async () => {
    // All 100 calls are made before the event loop can deliver the first grant request.
    mp.reply = (res, _g, call) => send(res, 200, { access_token: `at-${call}`, expires_in: 120 });
    const p = provider();
    const tokens = await Promise.all(Array.from({ length: 100 }, () => p.getToken('ks:fiks')));
    expect(new Set(tokens)).toEqual(new Set(['at-1']));
    expect(mp.grants).toHaveLength(1);
    const grants = await metrics.tokenGrants.get();
    expect(grants.values).toEqual([
      expect.objectContaining({ value: 1, labels: { scope: 'ks:fiks', outcome: 'success' } }),
    ]);
  });

  it('invalidate drops the token only if it is still the cached one, then refetches', async () => {
    const p = provider();
    const first = await p.getToken('ks:fiks');
    p.invalidate('ks:fiks', 'some-older-token');
    expect(await p.getToken('ks:fiks')).toBe(first);
    p.invalidate('ks:fiks', first);
    expect(await p.getToken('ks:fiks')).toBe('at-2');
    expect(mp.grants).toHaveLength(2);
  });

  it('4xx → UPSTREAM_REJECTED with error/error_description, never the assertion; not retried', async () => {
    mp.reply = (res, grant) =>
      send(res, 400, {
        error: 'invalid_scope',
        error_description: `Scope not allowed for assertion ${grant.assertion}`,
      });
    const err = await caught(provider().getToken('ks:fiks'));
    expect(err.code).toBe('UPSTREAM_REJECTED');
    expect(err.details).toMatchObject({ upstream: 'maskinporten', status: 400, error: 'invalid_scope' });
    expect(err.details.errorDescription).toContain('Scope not allowed');
    expect(err.extensions.error).toBe('invalid_scope');
    const assertion = mp.grants[0].assertion;
    const text = JSON.stringify({ m: err.message, e: err.extensions, d: err.details });
    expect(text).not.toContain(assertion);
    expect(text).not.toContain(assertion.split('.')[2]);
    expect(mp.grants).toHaveLength(1);
    const grants = await metrics.tokenGrants.get();
    expect(grants.values[0]).toMatchObject({ value: 1, labels: { outcome: 'rejected' } });
  });

  it('5xx → bounded retries with fresh grants, then UPSTREAM_UNAVAILABLE', async () => {
    mp.reply = (res) => send(res, 503, { error: 'server_error' });
    const err = await caught(provider({}, { maxRetries: 1 }).getToken('ks:fiks'));
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(err.details.upstream).toBe('maskinporten');
    expect(mp.grants).toHaveLength(2);
    expect(mp.grants[0].claims.jti).not.toBe(mp.grants[1].claims.jti);
  });

  it('a transient 5xx followed by success yields a token', async () => {
    mp.reply = (res, _g, call) =>
      call === 1 ? send(res, 500, {}) : send(res, 200, { access_token: 'good', expires_in: 120 });
    expect(await provider().getToken('ks:fiks')).toBe('good');
  });

  it('a malformed 200 is UPSTREAM_UNAVAILABLE', async () => {
    mp.reply = (res) => send(res, 200, { token_type: 'Bearer' });
    const err = await caught(provider({}, { maxRetries: 0 }).getToken('ks:fiks'));
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('network failure and timeout → UPSTREAM_UNAVAILABLE', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = await caught(provider({ tokenUrl: `http://127.0.0.1:${port}/token` }).getToken('ks:fiks'));
    expect(refused.code).toBe('UPSTREAM_UNAVAILABLE');

    mp.reply = () => undefined; // hang: only the 150 ms timeout can end the call
    const timedOut = await caught(provider({}, { timeoutMs: 150, maxRetries: 0 }).getToken('ks:fiks'));
    expect(timedOut.code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('keeps serving a still-valid token when a refresh fails', async () => {
    let now = 0;
    mp.reply = (res, _g, call) =>
      call === 1 ? send(res, 200, { access_token: 'at-1', expires_in: 100 }) : send(res, 503, {});
    const p = provider({}, { monotonicNow: () => now, maxRetries: 0 });
    await p.getToken('ks:fiks');
    now = 95_000; // past refresh point (90 s), before expiry (100 s)
    expect(await p.getToken('ks:fiks')).toBe('at-1');
    now = 99_000; // too close to expiry to hand out
    await caught(p.getToken('ks:fiks'));
  });

  it('canObtainToken reports true/false and never throws', async () => {
    expect(await provider().canObtainToken('ks:fiks')).toBe(true);
    mp.reply = (res) => send(res, 401, { error: 'invalid_client' });
    expect(await provider().canObtainToken('ks:fiks')).toBe(false);
  });

  it('rejects a non-RSA or unreadable key at construction', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(() => provider({ privateKeyPem: ec })).toThrow(/RSA/);
    expect(() => provider({ privateKeyPem: 'not a key' })).toThrow(/private key/);
  });

  it('accepts a PKCS#1 key directly', async () => {
    const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(await provider({ privateKeyPem: pkcs1 }).getToken('ks:fiks')).toBe('at-1');
  });
});
