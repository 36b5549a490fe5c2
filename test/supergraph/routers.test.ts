import type { GqlResponse } from '../helpers/stack';
import {
  metricValue,
  startFederation,
  UNKNOWN_PERMIT_ID,
  UNKNOWN_PLATE,
  type Federation,
  type RouterName,
} from './federation-fixture';

type GqlError = NonNullable<GqlResponse<unknown>['body']['errors']>[number];
type Path = (string | number)[];

const errorsAt = (errors: GqlError[] | undefined, path: Path) =>
  (errors ?? []).filter((e) => JSON.stringify(e.path) === JSON.stringify(path));
const codesAt = (errors: GqlError[] | undefined, path: Path) =>
  errorsAt(errors, path).map((e) => e.extensions?.code as string | undefined);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

interface Vehicle {
  kuid?: string | null;
  understellsnummer?: string | null;
  kjennemerke?: string | null;
  technical?: { make: string | null } | null;
  owner?: { name: string | null } | null;
}
interface Permit {
  id: string;
  zone: string;
  kjennemerke: string;
  vehicle: Vehicle | null;
  holder: { organisasjonsnummer: string } | null;
}

/**
 * The same checks through each router this project documents, over the same two running subgraphs: the emulator ←
 * kjoretoy subgraph, the example parking-permits subgraph, the supergraph composed with @apollo/composition.
 */
const ROUTERS: [string, RouterName][] = [
  ['@apollo/gateway', 'apollo'],
  ['Hive Gateway on the Rust planner (the real CLI, examples/hive-gateway)', 'hive'],
];

let fed: Federation;
beforeAll(async () => {
  // No retries and a breaker that never opens here, so an injected fault fails exactly the request it targets.
  fed = await startFederation({ UPSTREAM_MAX_RETRIES: '0', UPSTREAM_BREAKER_THRESHOLD: '1000' }, ['apollo', 'hive']);
}, 240000);
afterAll(() => fed?.close());
beforeEach(() => fed.stack.reset());

describe.each(ROUTERS)('through %s', (_label, router) => {
  let readToken: string;
  beforeAll(async () => {
    readToken = await fed.token('vehicles:read');
  });
  const query = <T>(q: string, variables?: Record<string, unknown>, token?: string) =>
    fed.query<T>(router, q, variables, token);
  const metricsText = async () => (await fetch(new URL('/metrics', fed.stack.url))).text();
  const upstreamCalls = async () => {
    const { routes } = await fed.stack.stats();
    return Object.entries(routes)
      .filter(([route]) => route !== 'token')
      .reduce((n, [, r]) => n + r.requests, 0);
  };

  it('30 permits → 30 vehicle references → exactly ONE bulk/kjennemerke call, each permit joined to its own vehicle', async () => {
    const before = await metricsText();
    const res = await query<{ parkingPermits: Permit[] }>(
      `query Permits { parkingPermits(first: 30) { id kjennemerke vehicle { kjennemerke kuid understellsnummer technical { make } } } }`,
      undefined,
      readToken,
    );
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const permits = res.body.data!.parkingPermits;
    expect(permits).toHaveLength(30);
    // The right vehicle: the VIN the emulator holds for the permit's plate. No kuid: SVV's bulk answers carry none.
    expect(permits.map((p) => p.vehicle?.understellsnummer)).toEqual(
      fed.permits.slice(0, 30).map((p) => fed.vinOf(p.kjennemerke)),
    );
    expect(permits.every((p) => p.vehicle?.kuid === null)).toBe(true);
    expect(permits.every((p) => typeof p.vehicle?.technical?.make === 'string')).toBe(true);

    const stats = await fed.stack.stats();
    expect(stats.routes['bulk/kjennemerke'].requests).toBe(1);
    expect(stats.routes['bulk/kjennemerke'].idsRequested).toBe(30);
    expect(stats.batchSizes['bulk/kjennemerke']).toEqual([30]);
    expect(stats.routes['bulk/kuid'].requests).toBe(0);

    // The subgraph's /metrics shows that batch: one more observation, of 30 ids, on route bulk/kjennemerke.
    const after = await metricsText();
    const delta = (series: string) => metricValue(after, series) - metricValue(before, series);
    expect(delta('upstream_batch_size_count{route="bulk/kjennemerke"}')).toBe(1);
    expect(delta('upstream_batch_size_sum{route="bulk/kjennemerke"}')).toBe(30);
  });

  it('holder joins by organisasjonsnummer in the same request', async () => {
    const res = await query<{ parkingPermits: Permit[] }>(
      `{ parkingPermits(first: 30) { id holder { organisasjonsnummer } } }`,
      undefined,
      readToken,
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.parkingPermits.map((p) => p.holder?.organisasjonsnummer ?? null)).toEqual(
      fed.permits.slice(0, 30).map((p) => p.organisasjonsnummer ?? null),
    );
  });

  describe("the caller's Authorization header is forwarded and the subgraph enforces the scopes", () => {
    const OWNERS = `{ parkingPermits(first: 30) { id vehicle { kjennemerke owner { name } } } }`;

    it('without vehicles:read: FORBIDDEN at each of the 30 vehicle paths, one per index, and no upstream call', async () => {
      const token = await fed.token('owners:read');
      const res = await query<{ parkingPermits: Permit[] }>(
        // plates is non-null, so a refused vehicle is null rather than an empty shell.
        `{ parkingPermits(first: 30) { id vehicle { plates { kjennemerke } } } }`,
        undefined,
        token,
      );
      expect(res.body.data!.parkingPermits.map((p) => p.id)).toEqual(fed.permits.slice(0, 30).map((p) => p.id));
      expect(res.body.data!.parkingPermits.every((p) => p.vehicle === null)).toBe(true);
      // Every error at its own index (a planner that misplaces entity errors piles them up at index 0).
      const paths = (res.body.errors ?? []).map((e) => JSON.stringify(e.path));
      expect(paths.sort()).toEqual(
        range(30)
          .map((i) => JSON.stringify(['parkingPermits', i, 'vehicle']))
          .sort(),
      );
      expect(new Set((res.body.errors ?? []).map((e) => e.extensions?.code))).toEqual(new Set(['FORBIDDEN']));
      expect(await upstreamCalls()).toBe(0);
    });

    it('without owners:read: owner is null with FORBIDDEN at each of the 30 owner paths; plates and permits stand', async () => {
      const res = await query<{ parkingPermits: Permit[] }>(OWNERS, undefined, readToken);
      const permits = res.body.data!.parkingPermits;
      expect(permits).toHaveLength(30);
      permits.forEach((p, i) => {
        expect(p.vehicle?.kjennemerke).toBe(fed.permits[i].kjennemerke);
        expect(p.vehicle?.owner).toBeNull();
        expect(codesAt(res.body.errors, ['parkingPermits', i, 'vehicle', 'owner'])).toEqual(['FORBIDDEN']);
      });
      expect(res.body.errors).toHaveLength(30);
    });

    it('with owners:read: the owners appear', async () => {
      const token = await fed.token('vehicles:read owners:read');
      const res = await query<{ parkingPermits: Permit[] }>(OWNERS, undefined, token);
      expect(res.body.errors).toBeUndefined();
      const owners = res.body.data!.parkingPermits.map((p) => p.vehicle?.owner);
      expect(owners.some((o) => typeof o?.name === 'string' && o.name.length > 0)).toBe(true);
    });

    it('no token: UNAUTHENTICATED under each vehicle, owner null; the permits stand', async () => {
      const res = await query<{ parkingPermits: Permit[] }>(
        `{ parkingPermits(first: 3) { id vehicle { kjennemerke owner { name } } } }`,
      );
      const permits = res.body.data!.parkingPermits;
      expect(permits.map((p) => p.id)).toEqual(fed.permits.slice(0, 3).map((p) => p.id));
      permits.forEach((p, i) => {
        expect(p.vehicle?.owner ?? null).toBeNull();
        const mine = (res.body.errors ?? []).filter(
          (e) => JSON.stringify(e.path?.slice(0, 3)) === JSON.stringify(['parkingPermits', i, 'vehicle']),
        );
        expect(mine.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      });
    });

    it('a token the subgraph does not trust: UNAUTHENTICATED, no owner data and no upstream call', async () => {
      const token = await fed.token('vehicles:read owners:read', { untrusted: true });
      const res = await query<{ parkingPermits: Permit[] }>(OWNERS, undefined, token);
      for (const p of res.body.data?.parkingPermits ?? []) expect(p.vehicle?.owner ?? null).toBeNull();
      expect((res.body.errors ?? []).map((e) => e.extensions?.code)).toContain('UNAUTHENTICATED');
      expect(await upstreamCalls()).toBe(0);
    });
  });

  describe('BAD_USER_INPUT comes back through the router with its code, and nothing reaches Fiks', () => {
    it('a malformed DateTime literal (refused while the subgraph validates the operation)', async () => {
      const res = await query(`{ vehicle(kjennemerke: "AB12345", at: "2023-06-01") { kuid } }`, undefined, readToken);
      expect(res.status).toBe(200);
      expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors![0].message).toMatch(/^DateTime must be an ISO-8601 date-time/);
      expect(await upstreamCalls()).toBe(0);
    });

    it('a malformed DateTime variable: the message names the variable, never its value', async () => {
      const res = await query(
        `query($at: DateTime) { vehicle(kjennemerke: "AB12345", at: $at) { kuid } }`,
        { at: 'not-a-date-1985' },
        readToken,
      );
      expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors![0].message).toMatch(/\$at/);
      expect(JSON.stringify(res.body)).not.toContain('not-a-date-1985');
      expect(await upstreamCalls()).toBe(0);
    });

    it('a malformed kuid argument (refused by the resolver)', async () => {
      const res = await query(`{ vehicle(kuid: "12ab") { kuid } }`, undefined, readToken);
      expect(codesAt(res.body.errors, ['vehicle'])).toEqual(['BAD_USER_INPUT']);
      expect(errorsAt(res.body.errors, ['vehicle'])[0].extensions).toMatchObject({ argument: 'kuid' });
      expect(await upstreamCalls()).toBe(0);
    });
  });

  it('the parking-permits query runs twice (one after the other, then side by side) with the same answer', async () => {
    const permitsQuery = `{ parkingPermits(first: 10) { id zone vehicle { kjennemerke kuid technical { make commercialName } } holder { organisasjonsnummer } } }`;
    const first = await query<{ parkingPermits: Permit[] }>(permitsQuery, undefined, readToken);
    const second = await query<{ parkingPermits: Permit[] }>(permitsQuery, undefined, readToken);
    const [third, fourth] = await Promise.all([
      query<{ parkingPermits: Permit[] }>(permitsQuery, undefined, readToken),
      query<{ parkingPermits: Permit[] }>(permitsQuery, undefined, readToken),
    ]);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data!.parkingPermits.every((p) => typeof p.vehicle?.technical?.make === 'string')).toBe(true);
    for (const again of [second, third, fourth]) {
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
    }
    // The router is still up and answering.
    const after = await query<{ parkingPermits: Permit[] }>(`{ parkingPermits(first: 1) { id } }`);
    expect(after.body.data!.parkingPermits).toEqual([{ id: fed.permits[0].id }]);
  });

  describe('a vehicle that is missing or failing', () => {
    it('missing (unknown plate): the permit stands, its vehicle is null with NOT_FOUND at the vehicle path', async () => {
      const res = await query<{ parkingPermit: Permit }>(
        `query($id: ID!) { parkingPermit(id: $id) { id kjennemerke vehicle { plates { kjennemerke } technical { make } } } }`,
        { id: UNKNOWN_PERMIT_ID },
        readToken,
      );
      expect(res.body.data!.parkingPermit).toMatchObject({ id: UNKNOWN_PERMIT_ID, kjennemerke: UNKNOWN_PLATE });
      expect(res.body.data!.parkingPermit.vehicle).toBeNull();
      expect(codesAt(res.body.errors, ['parkingPermit', 'vehicle'])).toEqual(['NOT_FOUND']);
      expect((await fed.stack.stats()).routes['bulk/kjennemerke'].requests).toBe(1);
    });

    it('failing (emulator 503 on bulk/kjennemerke): UPSTREAM_UNAVAILABLE at each vehicle path; the permits stand', async () => {
      await fed.stack.fault({ route: 'bulk/kjennemerke', times: 1, status: 503 });
      const res = await query<{ parkingPermits: Permit[] }>(
        `{ parkingPermits(first: 2) { id zone vehicle { plates { kjennemerke } technical { make } } } }`,
        undefined,
        readToken,
      );
      const permits = res.body.data!.parkingPermits;
      expect(permits).toHaveLength(2);
      permits.forEach((p, i) => {
        expect(p.id).toBe(fed.permits[i].id);
        expect(p.zone).toBe(fed.permits[i].zone);
        expect(p.vehicle).toBeNull();
        expect(codesAt(res.body.errors, ['parkingPermits', i, 'vehicle'])).toContain('UPSTREAM_UNAVAILABLE');
      });
      // The router passes the subgraph's code and extensions through and names the subgraph.
      expect(errorsAt(res.body.errors, ['parkingPermits', 0, 'vehicle'])[0].extensions).toMatchObject({
        serviceName: 'kjoretoy',
        upstream: 'fiks',
      });
    });
  });
});
