import { until } from '../../helpers/wait';
import { startTestEmulator, type TestEmulator } from './helpers';

/** Fault injection, latency, and the stats that count them (CONTRACTS.md admin API). */

let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator({ vehicles: 100 });
  await t.token('ks:fiks');
});
afterAll(() => t.close());
beforeEach(() => t.admin('reset', { method: 'POST' }));

const kuidBody = [{ kuid: '1234567890' }, { kuid: '1234567891' }];
const lookup = () => t.fiks('bulk/kuid', { body: kuidBody });

describe('status faults', () => {
  it('answer the next N calls of the route with the status, then normally', async () => {
    await t.admin('faults', { body: { route: 'bulk/kuid', times: 2, status: 503, headers: { 'Retry-After': '1' } } });
    const first = await lookup();
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('1');
    expect((await first.json()) as any).toMatchObject({
      status: 503,
      message: 'Injected fault',
      errorId: expect.any(String),
    });
    expect((await lookup()).status).toBe(503);
    expect((await lookup()).status).toBe(200);
    // Other routes are untouched.
    expect((await t.fiks('bulk/kjennemerke', { body: [] })).status).toBe(200);

    const stats = await t.admin('stats');
    expect(stats.routes['bulk/kuid']).toMatchObject({
      requests: 3,
      statuses: { '503': 2, '200': 1 },
      faultsInjected: 2,
      idsRequested: 6,
    });
    expect(stats.batchSizes['bulk/kuid']).toEqual([2, 2, 2]);
  });

  it('send a given body (JSON or text) and apply "*" to any route', async () => {
    await t.admin('faults', {
      body: [
        { route: '*', times: 1, status: 500, body: 'boom' },
        { route: 'understellsnummer', times: 1, status: 429, body: { custom: true } },
      ],
    });
    const star = await t.fiks('bulk/understellsnummer/ABC');
    expect(star.status).toBe(500);
    expect(await star.text()).toBe('boom');
    const own = await t.fiks('bulk/understellsnummer/ABC');
    expect(own.status).toBe(429);
    expect((await own.json()) as any).toEqual({ custom: true });
    expect((await t.fiks('bulk/understellsnummer/ABC')).status).toBe(200);
  });

  it('give the token route a Maskinporten-shaped error', async () => {
    await t.admin('faults', { body: { route: 'token', times: 1, status: 503 } });
    const res = await t.grant(await t.assertion());
    expect(res.status).toBe(503);
    expect((await res.json()) as any).toEqual({ error: 'server_error', error_description: 'Injected fault' });
  });

  it('give eCoC routes an EcocStatusResponse', async () => {
    await t.admin('faults', { body: { route: 'ecoc/opprette', times: 1, status: 500 } });
    const res = await t.ecoc('opprette', { body: {} });
    expect(res.status).toBe(500);
    expect(((await res.json()) as any).melding.meldingskode).toBe('ECOC-FEIL');
  });
});

describe('connection faults', () => {
  it('reset before-body destroys the socket without an answer and counts the request', async () => {
    await t.admin('faults', { body: { route: 'bulk/kuid', times: 1, reset: 'before-body' } });
    await expect(lookup()).rejects.toThrow();
    expect((await lookup()).status).toBe(200);
    const stats = await t.admin('stats');
    expect(stats.routes['bulk/kuid']).toMatchObject({
      requests: 2,
      inFlight: 0,
      statuses: { '200': 1 },
      faultsInjected: 1,
    });
    // The body was never read, so its ids were not counted.
    expect(stats.batchSizes['bulk/kuid']).toEqual([2]);
  });

  it('reset after-body reads and counts the whole request, then destroys the socket', async () => {
    await t.admin('faults', { body: { route: 'bulk/kuid', times: 1, reset: 'after-body' } });
    await expect(lookup()).rejects.toThrow();
    const stats = await t.admin('stats');
    expect(stats.routes['bulk/kuid']).toMatchObject({ requests: 1, inFlight: 0, idsRequested: 2, statuses: {} });
  });

  it('hang keeps the request open until the client gives up', async () => {
    await t.admin('faults', { body: { route: 'bulk/kuid', times: 1, hang: true } });
    const abort = new AbortController();
    const outcome = fetch(t.fiksUrl('bulk/kuid'), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        IntegrasjonId: t.integration.id,
        IntegrasjonPassord: t.integration.password,
        Authorization: `Bearer ${await t.token()}`,
      },
      body: '[]',
      signal: abort.signal,
    }).then(
      () => 'answered',
      () => 'gave up',
    );
    // Held open: in flight until the client gives up (a hang that answered would end the wait with 'answered').
    await until(async () => (await t.admin('stats')).routes['bulk/kuid'].inFlight === 1);
    abort.abort();
    expect(await outcome).toBe('gave up');
    // The server notices the closed socket and stops counting the request as in flight.
    await until(async () => (await t.admin('stats')).routes['bulk/kuid'].inFlight === 0);
    expect((await t.admin('stats')).routes['bulk/kuid']).toMatchObject({
      requests: 1,
      inFlight: 0,
      maxInFlight: 1,
      statuses: {},
    });
  });

  it('close() returns even with hanging sockets, and their clients see the connection end', async () => {
    const own = await startTestEmulator({ vehicles: 20 });
    await own.token();
    await own.admin('faults', { body: { route: '*', times: 5, hang: true } });
    const hung = [own.fiks('bulk/kuid', { body: [] }), own.fiks('bulk/kuid', { body: [] })].map((p) =>
      p.then(
        () => 'answered',
        () => 'failed',
      ),
    );
    await until(async () => (await own.admin('stats')).routes['bulk/kuid'].inFlight === 2);
    // A close() that waited for the hanging requests would never return (the test would time out).
    await own.close();
    expect(await Promise.all(hung)).toEqual(['failed', 'failed']);
  });
});

/**
 * Whether an answer was delayed, without reading a clock: a marker timer of (almost) the delay is started just
 * before the request. The emulator runs in this process and Node fires timers in order of their due time, so when the
 * answer was held for its delay the marker has fired by the time it arrives, however busy the machine.
 */
async function afterMarker<T>(
  markerMs: number,
  request: () => Promise<T>,
): Promise<{ value: T; markerFired: boolean }> {
  let fired = false;
  const marker = setTimeout(() => (fired = true), markerMs);
  try {
    const value = await request();
    return { value, markerFired: fired };
  } finally {
    clearTimeout(marker);
  }
}

describe('delays', () => {
  it('delayMs delays the answer, then answers normally or with the status', async () => {
    await t.admin('faults', {
      body: [
        { route: 'bulk/kuid', times: 1, delayMs: 250 },
        { route: 'bulk/kuid', times: 1, delayMs: 150, status: 502 },
      ],
    });
    const first = await afterMarker(240, lookup);
    expect(first.value.status).toBe(200);
    expect(first.markerFired).toBe(true);
    const second = await afterMarker(140, lookup);
    expect(second.value.status).toBe(502);
    expect(second.markerFired).toBe(true);
  });

  it('latencyMs delays every upstream answer, but not the admin API', async () => {
    const slow = await startTestEmulator({ vehicles: 20, latencyMs: 200 });
    try {
      expect((await afterMarker(190, () => slow.token())).markerFired).toBe(true);
      const fiks = await afterMarker(190, () => slow.fiks('bulk/kuid', { body: [] }));
      expect(fiks.value.status).toBe(200);
      expect(fiks.markerFired).toBe(true);
      // With ten minutes of latency the admin API still answers: it is never delayed (else the test times out).
      slow.emulator.configure({ latencyMs: 600_000 });
      expect((await slow.admin('stats')).routes['bulk/kuid'].requests).toBe(1);
    } finally {
      await slow.close();
    }
  });

  it('maxInFlight records the most concurrent requests', async () => {
    await t.admin('faults', { body: { route: 'bulk/kuid', times: 5, hang: true } });
    const token = await t.token();
    const abort = new AbortController();
    const hung = Array.from({ length: 5 }, () =>
      fetch(t.fiksUrl('bulk/kuid'), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          IntegrasjonId: t.integration.id,
          IntegrasjonPassord: t.integration.password,
          Authorization: `Bearer ${token}`,
        },
        body: '[]',
        signal: abort.signal,
      }).then(
        () => 'answered',
        () => 'gave up',
      ),
    );
    // Hanging requests stay in flight until their clients give up, so all five are open together.
    await until(async () => (await t.admin('stats')).routes['bulk/kuid'].inFlight === 5);
    abort.abort();
    expect(await Promise.all(hung)).toEqual(Array(5).fill('gave up'));
    await until(async () => (await t.admin('stats')).routes['bulk/kuid'].inFlight === 0);
    const stats = await t.admin('stats');
    expect(stats.routes['bulk/kuid']).toMatchObject({ requests: 5, inFlight: 0, maxInFlight: 5 });
  });
});

describe('admin API', () => {
  it('rejects invalid faults with 400', async () => {
    for (const body of [
      { route: 'nope', times: 1, status: 500 },
      { route: 'sok', times: 0, status: 500 },
      { route: 'sok', times: 1 },
      { route: 'sok', times: 1, extra: 1 },
    ]) {
      const res = await fetch(`${t.emulator.url}/__emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
    }
  });

  it('reset zeroes counters and clears faults', async () => {
    await t.admin('faults', { body: { route: 'sok', times: 3, status: 500 } });
    await t.fiks('sok/eiernavn?navn=x');
    await t.admin('reset', { method: 'POST' });
    const stats = await t.admin('stats');
    expect(stats.routes.sok).toEqual({
      requests: 0,
      inFlight: 0,
      maxInFlight: 0,
      idsRequested: 0,
      statuses: {},
      faultsInjected: 0,
    });
    expect(stats.grants).toEqual([]);
    expect((await t.admin('faults')).pending).toEqual([]);
    expect((await t.fiks('sok/eiernavn?navn=x')).status).toBe(204);
  });

  it('serves a sample of known identifiers', async () => {
    const sample = await t.admin('sample?count=3');
    expect(sample.vehicles).toHaveLength(3);
    expect(Object.keys(sample)).toEqual(
      expect.arrayContaining(['vehicles', 'withOwnershipHistory', 'personalPlates', 'ownerSearch', 'organisations']),
    );
    const bad = await fetch(`${t.emulator.url}/__emulator/sample?count=abc`);
    expect(bad.status).toBe(400);
  });
});
