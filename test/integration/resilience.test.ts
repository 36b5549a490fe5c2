import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_AUDIENCE, DEV_ISSUER, generateDevKey, jwksOf, mintToken } from '../../dev/mint-token';
import { sampleDocument } from '../fixtures/ivi';
import { moveWallClockForward } from '../helpers/clock';
import { startStack, type EmulatorSample, type Stack } from '../helpers/stack';
import { until } from '../helpers/wait';

/**
 * Upstream faults injected in the emulator, seen through the whole subgraph over HTTP. Nothing here depends on how
 * fast the machine is: an answer the test expects to succeed has seconds per attempt (a loaded machine must not time
 * it out), a fault that must time out never answers, and the outcome is read from counts and codes, never from a
 * clock. The breaker test opens it after 3 failures in its own stack. Timing goals live in `npm run bench`.
 */
const RESILIENCE_ENV = {
  UPSTREAM_ATTEMPT_TIMEOUT_MS: '3000',
  UPSTREAM_DEADLINE_MS: '8000',
  UPSTREAM_MAX_RETRIES: '2',
  UPSTREAM_BREAKER_THRESHOLD: '20',
  UPSTREAM_BREAKER_HALF_OPEN_MS: '600',
};

/** Vehicles are identified by VIN: SVV's bulk answers carry no kuid (docs/upstreams.md §3). */
const LOOKUP = `query($p: String) { vehicle(kjennemerke: $p) { understellsnummer } }`;

describe('resilient upstream calls against the emulator', () => {
  let stack: Stack;
  let sample: EmulatorSample;

  beforeAll(async () => {
    stack = await startStack({ env: RESILIENCE_ENV });
    sample = await stack.sample(40);
  });
  afterAll(() => stack?.close());
  beforeEach(() => stack.reset());

  const plate = (i: number) => sample.vehicles[i].kjennemerke;

  it('50 concurrent queries on a cold token cache cause exactly one token grant, checked as Maskinporten would', async () => {
    const cold = await startStack({ env: RESILIENCE_ENV });
    try {
      const coldSample = await cold.sample(50);
      const results = await Promise.all(
        coldSample.vehicles.slice(0, 50).map((v) => cold.gql(LOOKUP, { p: v.kjennemerke })),
      );
      expect(results.every((r) => r.body.data?.vehicle?.understellsnummer)).toBe(true);
      const stats = await cold.stats();
      expect(stats.tokenGrants).toBe(1);
      expect(stats.grantsRejected).toBe(0);
      const [grant] = stats.grants;
      expect(Object.keys(grant.claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'scope']);
      expect(Number(grant.claims.exp) - Number(grant.claims.iat)).toBeLessThanOrEqual(120);
      expect(grant.claims.aud).toBe(`${cold.emulatorUrl}/`);
      expect(grant.claims.scope).toBe('ks:fiks');
      expect(grant.header).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
    } finally {
      await cold.close();
    }
  });

  it('gives every grant a unique jti, and the eCoC scope its own token', async () => {
    // A submission reaches SVV, so it needs the eCoC token (a withdrawal of an unknown reference stops at the ledger).
    const { xml } = sampleDocument();
    await stack.gql(`mutation($xml: String!) { preRegister(input: { iviXml: $xml }) { status } }`, { xml });
    const stats = await stack.stats();
    const jtis = stats.grants.map((g) => g.claims.jti);
    expect(new Set(jtis).size).toBe(jtis.length);
    expect(stats.grants.map((g) => g.claims.scope)).toContain('svv:kjoretoy/ecoc');
    for (const g of stats.grants) expect(Number(g.claims.exp) - Number(g.claims.iat)).toBeLessThanOrEqual(120);
  });

  it('a lookup that meets two 503s and then a 200 succeeds, with 3 upstream calls', async () => {
    await stack.fault({ route: 'bulk/kjennemerke', times: 2, status: 503 });
    const res = await stack.gql(LOOKUP, { p: plate(0) });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.vehicle.understellsnummer).toBe(sample.vehicles[0].understellsnummer);
    const route = (await stack.stats()).routes['bulk/kjennemerke'];
    expect(route.requests).toBe(3);
    expect(route.statuses).toMatchObject({ '503': 2, '200': 1 });
  });

  // How long the client waits before the retry is checked in test/unit/datasources/http.test.ts (its log line).
  it('honours a short Retry-After on 503 and succeeds on the retry', async () => {
    await stack.fault({ route: 'bulk/kjennemerke', times: 1, status: 503, headers: { 'Retry-After': '1' } });
    const res = await stack.gql(LOOKUP, { p: plate(1) });
    expect(res.body.data.vehicle.understellsnummer).toBe(sample.vehicles[1].understellsnummer);
    expect((await stack.stats()).routes['bulk/kjennemerke'].requests).toBe(2);
  });

  // Waiting the 120 s out would exceed the test's timeout; one upstream call shows it did not retry.
  it('does not wait for a Retry-After longer than the deadline: UPSTREAM_UNAVAILABLE at once', async () => {
    await stack.fault({ route: 'bulk/kjennemerke', times: 1, status: 503, headers: { 'Retry-After': '120' } });
    const res = await stack.gql(LOOKUP, { p: plate(2) });
    expect(res.body.data.vehicle).toBeNull();
    expect(res.body.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: 'fiks' });
    expect((await stack.stats()).routes['bulk/kjennemerke'].requests).toBe(1);
  });

  it('a hanging upstream gives UPSTREAM_UNAVAILABLE at the deadline, and the process keeps serving', async () => {
    await stack.fault({ route: 'bulk/kjennemerke', times: 3, hang: true });
    const res = await stack.gql(LOOKUP, { p: plate(3) });
    expect(res.body.errors![0].extensions!.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(res.body.errors![0].path).toEqual(['vehicle']);
    const after = await stack.gql(LOOKUP, { p: plate(3) });
    expect(after.body.data.vehicle.understellsnummer).toBe(sample.vehicles[3].understellsnummer);
  });

  it('retries a connection reset on a lookup', async () => {
    await stack.fault({ route: 'bulk/kjennemerke', times: 1, reset: 'before-body' });
    const res = await stack.gql(LOOKUP, { p: plate(4) });
    expect(res.body.data.vehicle.understellsnummer).toBe(sample.vehicles[4].understellsnummer);
    expect((await stack.stats()).routes['bulk/kjennemerke'].requests).toBeGreaterThanOrEqual(1);
  });

  it('a 401 from Fiks drops the token, fetches a new one once, and retries once', async () => {
    await stack.gql(LOOKUP, { p: plate(5) }); // warm token
    await stack.reset();
    await stack.fault({ route: 'bulk/kjennemerke', times: 1, status: 401 });
    const res = await stack.gql(LOOKUP, { p: plate(6) });
    expect(res.body.data.vehicle.understellsnummer).toBe(sample.vehicles[6].understellsnummer);
    const stats = await stack.stats();
    expect(stats.tokenGrants).toBe(1);
    expect(stats.routes['bulk/kjennemerke'].requests).toBe(2);
  });

  it("a 403 is UPSTREAM_REJECTED with Fiks's errorId, and is not retried", async () => {
    const errorId = '0f1e2d3c-0000-4000-8000-00000000abcd';
    await stack.fault({
      route: 'bulk/kjennemerke',
      times: 1,
      status: 403,
      body: { timestamp: Date.now(), status: 403, error: 'Forbidden', errorId, path: '/x', message: 'Ingen tilgang' },
    });
    const res = await stack.gql(LOOKUP, { p: plate(7) });
    expect(res.body.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', upstreamErrorId: errorId });
    expect((await stack.stats()).routes['bulk/kjennemerke'].requests).toBe(1);
  });

  it("an SVV error passed through Fiks is UPSTREAM_REJECTED with SVV's svvguid for support", async () => {
    const svvguid = 'c0ffee00-1111-4222-8333-444455556666';
    await stack.fault({ route: 'bulk/kjennemerke', times: 1, status: 400, body: { svvguid, melding: 'Ugyldig' } });
    const res = await stack.gql(LOOKUP, { p: plate(12) });
    expect(res.body.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', upstreamErrorId: svvguid });
    expect(res.body.errors![0].message).not.toContain('Ugyldig');
    expect((await stack.stats()).routes['bulk/kjennemerke'].requests).toBe(1);
  });

  it('a spent quota (422 + Retry-After) is UPSTREAM_QUOTA_EXCEEDED with retryAfter, and is not retried', async () => {
    await stack.fault({
      route: 'bulk/kjennemerke',
      times: 1,
      status: 422,
      headers: { 'Retry-After': '3600' },
      body: 'Kvote brukt opp, prøv igjen etter midnatt',
    });
    const res = await stack.gql(LOOKUP, { p: plate(8) });
    expect(res.body.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_QUOTA_EXCEEDED', retryAfter: 3600 });
    expect((await stack.stats()).routes['bulk/kjennemerke'].requests).toBe(1);
  });

  it('a fault fails only the fields that depend on it', async () => {
    await stack.fault({ route: 'bulk/kjennemerke', times: 3, status: 503 });
    const res = await stack.gql(
      `query($p: String, $k: ID) { a: vehicle(kjennemerke: $p) { understellsnummer } b: vehicle(kuid: $k) { kuid } }`,
      {
        p: plate(9),
        k: sample.vehicles[10].kuid,
      },
    );
    expect(res.body.data.a).toBeNull();
    expect(res.body.data.b.kuid).toBe(sample.vehicles[10].kuid);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: ['a'] })]);
  });

  it('a failing owner search is null with its error; the vehicle asked for beside it stands', async () => {
    await stack.fault({ route: 'sok', times: 3, status: 503 });
    const res = await stack.gql(
      `query($p: String) { a: vehicle(kjennemerke: $p) { understellsnummer } s: vehiclesByOwnerName(name: "Nordmann") { totalCount } }`,
      { p: plate(11) },
    );
    expect(res.body.data).toEqual({ a: { understellsnummer: sample.vehicles[11].understellsnummer }, s: null });
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: ['s'], extensions: expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE' }) }),
    ]);
  });

  it.each([
    ['an HTML page', '<html>Service temporarily unavailable</html>'],
    ['another JSON object', { feil: 'noe gikk galt' }],
    ['an array', []],
  ])('a 200 search answer that is %s is an error, not "no hits"', async (_what, body) => {
    await stack.fault({ route: 'sok', times: 1, status: 200, body });
    const res = await stack.gql(`{ s: vehiclesByOwnerName(name: "Nordmann") { totalCount } }`);
    expect(res.body.data).toEqual({ s: null });
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: ['s'], extensions: expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE' }) }),
    ]);
  });

  it('the breaker opens on sustained failure, fails fast with no upstream hits, then recovers through one probe', async () => {
    // Half-open after a minute, so the breaker is surely still open however slow the machine; the test then moves
    // the wall clock (cockatiel's breaker reads Date.now()) past that minute instead of waiting.
    const halfOpenMs = 60_000;
    const breaker = await startStack({
      env: {
        ...RESILIENCE_ENV,
        UPSTREAM_MAX_RETRIES: '0',
        UPSTREAM_BREAKER_THRESHOLD: '3',
        UPSTREAM_BREAKER_HALF_OPEN_MS: String(halfOpenMs),
      },
    });
    try {
      const s = await breaker.sample(10);
      await breaker.gql(LOOKUP, { p: s.vehicles[0].kjennemerke }); // warm the token
      await breaker.fault({ route: 'bulk/kjennemerke', times: 3, status: 503 });
      for (let i = 0; i < 3; i++) await breaker.gql(LOOKUP, { p: s.vehicles[i + 1].kjennemerke });
      await breaker.reset();

      // Fails fast: no upstream call at all while open.
      const open = await breaker.gql(LOOKUP, { p: s.vehicles[5].kjennemerke });
      expect(open.body.errors![0].extensions!.code).toBe('UPSTREAM_UNAVAILABLE');
      expect((await breaker.stats()).routes['bulk/kjennemerke'].requests).toBe(0);
      // Reported, but the replica stays in the load balancer (every replica shares the upstream).
      const ready = await fetch(breaker.url.replace('/graphql', '/health/ready'));
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ degraded: true, checks: { breakers: { fiks: 'open' } } });

      moveWallClockForward(halfOpenMs + 1000);
      const probe = await breaker.gql(LOOKUP, { p: s.vehicles[6].kjennemerke });
      expect(probe.body.data.vehicle.understellsnummer).toBe(s.vehicles[6].understellsnummer);
      const after = await breaker.gql(LOOKUP, { p: s.vehicles[7].kjennemerke });
      expect(after.body.data.vehicle.understellsnummer).toBe(s.vehicles[7].understellsnummer);
      expect((await breaker.stats()).routes['bulk/kjennemerke'].requests).toBe(2);
      const recovered = await fetch(breaker.url.replace('/graphql', '/health/ready'));
      expect(await recovered.json()).toMatchObject({ degraded: false, checks: { breakers: { fiks: 'closed' } } });
    } finally {
      jest.useRealTimers();
      await breaker.close();
    }
  });

  it('the bulkhead holds at most M requests in flight upstream and rejects overflow before they finish', async () => {
    const bulkhead = await startStack({
      env: {
        ...RESILIENCE_ENV,
        UPSTREAM_BULKHEAD_LIMIT: '3',
        UPSTREAM_BULKHEAD_QUEUE: '2',
        UPSTREAM_ATTEMPT_TIMEOUT_MS: '30000',
        UPSTREAM_DEADLINE_MS: '60000',
      },
    });
    try {
      const s = await bulkhead.sample(20);
      await bulkhead.gql(LOOKUP, { p: s.vehicles[0].kjennemerke }); // warm the token
      await bulkhead.reset();
      // The first three upstream calls are held for 12 s: long enough for the other nine requests to arrive while
      // they fill the bulkhead, however busy the machine.
      await bulkhead.fault({ route: 'bulk/kjennemerke', times: 3, delayMs: 12_000 });
      const finished: string[] = [];
      // Separate HTTP requests, so each is its own loader batch and upstream call.
      const send = (i: number) =>
        bulkhead.gql(LOOKUP, { p: s.vehicles[i].kjennemerke }).then((r) => {
          finished.push(r.body.data?.vehicle?.understellsnummer ? 'ok' : String(r.body.errors?.[0]?.extensions?.code));
          return r;
        });
      const held = [0, 1, 2].map(send);
      await until(async () => (await bulkhead.stats()).routes['bulk/kjennemerke'].inFlight === 3);
      const rest = Array.from({ length: 9 }, (_, i) => send(i + 3));
      const results = await Promise.all([...held, ...rest]);
      const ok = results.filter((r) => r.body.data?.vehicle?.understellsnummer).length;
      const rejected = results.filter((r) => r.body.errors?.[0]?.extensions?.code === 'UPSTREAM_UNAVAILABLE').length;
      const route = (await bulkhead.stats()).routes['bulk/kjennemerke'];
      expect(route.maxInFlight).toBe(3);
      expect(ok).toBe(5); // 3 running + 2 queued
      expect(rejected).toBe(7);
      // Overflow is refused at once: all seven refusals came back before any held call finished.
      expect(finished.slice(0, 7)).toEqual(Array(7).fill('UPSTREAM_UNAVAILABLE'));
      expect(route.requests).toBe(5);
    } finally {
      await bulkhead.close();
    }
  });
});

describe('slow upstream bodies and tenants', () => {
  it('a body that stalls after its first byte times out the attempt, is retried, and succeeds', async () => {
    const stack = await startStack({ env: RESILIENCE_ENV });
    try {
      const s = await stack.sample(5);
      await stack.gql(LOOKUP, { p: s.vehicles[0].kjennemerke }); // warm the token
      await stack.reset();
      // The stall outlasts the whole deadline, so an answer can only come from the retry.
      await stack.fault({ route: 'bulk/kjennemerke', times: 1, slowBodyMs: 600_000 });
      const res = await stack.gql(LOOKUP, { p: s.vehicles[1].kjennemerke });
      expect(res.body.data.vehicle.understellsnummer).toBe(s.vehicles[1].understellsnummer);
      expect((await stack.stats()).routes['bulk/kjennemerke'].requests).toBe(2);
    } finally {
      await stack.close();
    }
  });
});

describe('tenants: fiksOrgId from a caller-token claim', () => {
  it('uses the claim when it is a UUID, the configured default without it, refuses a malformed one, and fails only the lookup when Fiks answers 403', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenant-'));
    const key = await generateDevKey();
    const jwksFile = join(dir, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify(jwksOf(key)));
    const defaultOrg = '6f1c2a7e-0000-4000-8000-000000000001';
    const tenantOrg = '0b6c1d52-0000-4000-8000-0000000000aa';
    const stack = await startStack({
      env: {
        ...RESILIENCE_ENV,
        AUTH_JWKS_FILE: jwksFile,
        AUTH_ISSUER: DEV_ISSUER,
        AUTH_AUDIENCE: DEV_AUDIENCE,
        FIKS_ORG_ID: defaultOrg,
        FIKS_ORG_ID_CLAIM: 'fiks_org_id',
        // The tenant's organisation has granted the integration access too (FIKS_ORG_ID's has); no other has.
        EMULATOR_FIKS_ORG_IDS: tenantOrg,
      },
    });
    try {
      const s = await stack.sample(3);
      const as = async (claims: Record<string, unknown>) => ({
        authorization: `Bearer ${await mintToken(key, { scope: 'vehicles:read', claims })}`,
      });
      const tenant = await stack.gql(LOOKUP, { p: s.vehicles[0].kjennemerke }, await as({ fiks_org_id: tenantOrg }));
      expect(tenant.body.data.vehicle.understellsnummer).toBe(s.vehicles[0].understellsnummer);
      const fallback = await stack.gql(LOOKUP, { p: s.vehicles[1].kjennemerke }, await as({}));
      expect(fallback.body.data.vehicle.understellsnummer).toBe(s.vehicles[1].understellsnummer);
      expect((await stack.stats()).fiksOrgIds).toEqual({ [tenantOrg]: 1, [defaultOrg]: 1 });

      await stack.reset();
      const bad = await stack.gql(LOOKUP, { p: s.vehicles[2].kjennemerke }, await as({ fiks_org_id: '../../admin' }));
      expect(bad.status).toBe(403);
      expect(bad.body.errors![0].extensions!.code).toBe('FORBIDDEN');
      expect((await stack.stats()).routes['bulk/kjennemerke'].requests).toBe(0);

      // A well-formed organisation that has not granted access: Fiks answers 403; the lookup fails alone, coded.
      const stranger = '0b6c1d52-0000-4000-8000-0000000000bb';
      const refused = await stack.gql(LOOKUP, { p: s.vehicles[2].kjennemerke }, await as({ fiks_org_id: stranger }));
      expect(refused.status).toBe(200);
      expect(refused.body.data).toEqual({ vehicle: null });
      expect(refused.body.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', upstream: 'fiks' });
      expect(JSON.stringify(refused.body)).not.toContain(stranger);
      expect((await stack.stats()).fiksOrgIds).toEqual({ [stranger]: 1 });
    } finally {
      await stack.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
