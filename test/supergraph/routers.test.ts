import type { GqlResponse } from '../helpers/stack';
import { metricValue, startFederation, UNKNOWN_PERMIT_ID, UNKNOWN_PLATE, type Federation } from './federation-fixture';

type GqlError = NonNullable<GqlResponse<unknown>['body']['errors']>[number];
type Path = (string | number)[];

const errorsAt = (errors: GqlError[] | undefined, path: Path) =>
  (errors ?? []).filter((e) => JSON.stringify(e.path) === JSON.stringify(path));
const codesAt = (errors: GqlError[] | undefined, path: Path) =>
  errorsAt(errors, path).map((e) => e.extensions?.code as string | undefined);

interface Vehicle {
  kuid?: string;
  kjennemerke?: string | null;
  technical?: { make: string | null } | null;
  owner?: { name: string | null } | null;
}
interface Permit {
  id: string;
  zone: string;
  kjennemerke: string;
  vehicle: Vehicle | null;
  issuedFor: Vehicle | null;
  holder: { organisasjonsnummer: string } | null;
}

describe('end to end through @apollo/gateway over HTTP (emulator ← kjoretoy + parking-permits ← gateway)', () => {
  let fed: Federation;
  let readToken: string;

  beforeAll(async () => {
    // No retries and a breaker that never opens here, so an injected fault fails exactly the request it targets.
    fed = await startFederation({ UPSTREAM_MAX_RETRIES: '0', UPSTREAM_BREAKER_THRESHOLD: '1000' });
    readToken = await fed.token('vehicles:read');
  }, 60000);
  afterAll(() => fed?.close());
  beforeEach(() => fed.stack.reset());

  const metricsText = async () => (await fetch(new URL('/metrics', fed.stack.url))).text();

  it('30 permits → the plan fetches 30 vehicles from kjoretoy → exactly ONE bulk/kjennemerke call at the emulator', async () => {
    const before = await metricsText();
    const res = await fed.query<{ parkingPermits: Permit[] }>(
      `query Permits { parkingPermits(first: 30) { id kjennemerke vehicle { kjennemerke kuid technical { make } } } }`,
      undefined,
      readToken,
    );
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const permits = res.body.data!.parkingPermits;
    expect(permits).toHaveLength(30);
    // Every vehicle resolved, and to the right one: the kuid the example subgraph was seeded with.
    expect(permits.map((p) => p.vehicle?.kuid)).toEqual(fed.permits.slice(0, 30).map((p) => p.kuid));

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
    expect(delta('upstream_batch_size_bucket{le="20",route="bulk/kjennemerke"}')).toBe(0);
    expect(delta('upstream_batch_size_bucket{le="50",route="bulk/kjennemerke"}')).toBe(1);
  });

  it('issuedFor joins by kuid (one bulk/kuid call) and holder by organisasjonsnummer, in the same request', async () => {
    const res = await fed.query<{ parkingPermits: Permit[] }>(
      `{ parkingPermits(first: 30) { id issuedFor { kuid kjennemerke } holder { organisasjonsnummer } } }`,
      undefined,
      readToken,
    );
    expect(res.body.errors).toBeUndefined();
    const permits = res.body.data!.parkingPermits;
    expect(permits.map((p) => p.issuedFor?.kjennemerke)).toEqual(fed.permits.slice(0, 30).map((p) => p.kjennemerke));
    expect(permits.map((p) => p.holder?.organisasjonsnummer ?? null)).toEqual(
      fed.permits.slice(0, 30).map((p) => p.organisasjonsnummer ?? null),
    );
    const stats = await fed.stack.stats();
    expect(stats.routes['bulk/kuid'].requests).toBe(1);
    expect(stats.routes['bulk/kjennemerke'].requests).toBe(0);
  });

  describe("the caller's Authorization header is forwarded and enforced by the subgraph", () => {
    const OWNERS = `{ parkingPermits(first: 3) { id vehicle { kjennemerke owner { name } } } }`;

    it('a token without owners:read: owner is null with FORBIDDEN at each owner path; the rest stands', async () => {
      const res = await fed.query<{ parkingPermits: Permit[] }>(OWNERS, undefined, readToken);
      const permits = res.body.data!.parkingPermits;
      expect(permits).toHaveLength(3);
      permits.forEach((p, i) => {
        expect(p.vehicle?.kjennemerke).toBe(fed.permits[i].kjennemerke);
        expect(p.vehicle?.owner).toBeNull();
        expect(codesAt(res.body.errors, ['parkingPermits', i, 'vehicle', 'owner'])).toEqual(['FORBIDDEN']);
      });
    });

    it('a token with owners:read: the owners appear', async () => {
      const token = await fed.token('vehicles:read owners:read');
      const res = await fed.query<{ parkingPermits: Permit[] }>(OWNERS, undefined, token);
      expect(res.body.errors).toBeUndefined();
      const owners = res.body.data!.parkingPermits.map((p) => p.vehicle?.owner);
      expect(owners.some((o) => typeof o?.name === 'string' && o.name.length > 0)).toBe(true);
    });

    it('no token: UNAUTHENTICATED at the vehicle (or its owner) of each permit, owner null; the permits stand', async () => {
      const res = await fed.query<{ parkingPermits: Permit[] }>(OWNERS);
      const permits = res.body.data!.parkingPermits;
      expect(permits.map((p) => p.id)).toEqual(fed.permits.slice(0, 3).map((p) => p.id));
      permits.forEach((p, i) => {
        expect(p.vehicle?.owner ?? null).toBeNull();
        // Where depends on the schema: a type-level @requiresScopes on Vehicle refuses the whole reference (no
        // upstream call); a field-level one only `owner`. Either way the code is UNAUTHENTICATED, under the vehicle.
        const mine = (res.body.errors ?? []).filter(
          (e) => JSON.stringify(e.path?.slice(0, 3)) === JSON.stringify(['parkingPermits', i, 'vehicle']),
        );
        expect(mine.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      });
    });

    it('a token the subgraph does not trust: rejected there, so no vehicle data and no upstream call', async () => {
      const token = await fed.token('vehicles:read owners:read', { untrusted: true });
      const res = await fed.query<{ parkingPermits: Permit[] }>(OWNERS, undefined, token);
      for (const p of res.body.data?.parkingPermits ?? []) expect(p.vehicle?.owner ?? null).toBeNull();
      expect((res.body.errors ?? []).map((e) => e.extensions?.code)).toContain('UNAUTHENTICATED');
      expect((await fed.stack.stats()).routes['bulk/kjennemerke'].requests).toBe(0);
    });
  });

  describe('a vehicle that is missing or failing', () => {
    // The gateway nulls an entity only through a non-null field it cannot complete, so these select `kuid: ID!`.
    it('missing (unknown plate): the permit stands, its vehicle is null with NOT_FOUND at the vehicle path', async () => {
      const res = await fed.query<{ parkingPermit: Permit }>(
        `query($id: ID!) { parkingPermit(id: $id) { id kjennemerke vehicle { kuid technical { make } } } }`,
        { id: UNKNOWN_PERMIT_ID },
        readToken,
      );
      expect(res.body.data!.parkingPermit).toMatchObject({ id: UNKNOWN_PERMIT_ID, kjennemerke: UNKNOWN_PLATE });
      expect(res.body.data!.parkingPermit.vehicle).toBeNull();
      // The subgraph answers `_entities: [null]` plus NOT_FOUND at that index; the gateway moves it to the field.
      expect(codesAt(res.body.errors, ['parkingPermit', 'vehicle'])).toEqual(['NOT_FOUND']);
      expect((await fed.stack.stats()).routes['bulk/kjennemerke'].requests).toBe(1);
    });

    it('failing (emulator 503 on bulk/kjennemerke): vehicles null + UPSTREAM_UNAVAILABLE at each vehicle path; the kuid join is unaffected', async () => {
      await fed.stack.fault({ route: 'bulk/kjennemerke', times: 1, status: 503 });
      const res = await fed.query<{ parkingPermits: Permit[] }>(
        `{ parkingPermits(first: 2) { id zone vehicle { kuid technical { make } } issuedFor { kjennemerke } } }`,
        undefined,
        readToken,
      );
      const permits = res.body.data!.parkingPermits;
      expect(permits).toHaveLength(2);
      permits.forEach((p, i) => {
        expect(p.id).toBe(fed.permits[i].id);
        expect(p.zone).toBe(fed.permits[i].zone);
        expect(p.vehicle).toBeNull();
        expect(p.issuedFor?.kjennemerke).toBe(fed.permits[i].kjennemerke);
        expect(codesAt(res.body.errors, ['parkingPermits', i, 'vehicle'])).toContain('UPSTREAM_UNAVAILABLE');
      });
    });

    it('failing, with only nullable fields selected: the gateway keeps an empty vehicle object, the error still at its path', async () => {
      await fed.stack.fault({ route: 'bulk/kjennemerke', times: 1, status: 503 });
      const res = await fed.query<{ parkingPermits: Permit[] }>(
        `{ parkingPermits(first: 1) { id vehicle { technical { make } } } }`,
        undefined,
        readToken,
      );
      expect(res.body.data!.parkingPermits[0].vehicle).toEqual({ technical: null });
      expect(codesAt(res.body.errors, ['parkingPermits', 0, 'vehicle'])).toEqual(['UPSTREAM_UNAVAILABLE']);
      // The gateway passes the subgraph's message and code through and names the subgraph.
      expect(errorsAt(res.body.errors, ['parkingPermits', 0, 'vehicle'])[0].extensions).toMatchObject({
        serviceName: 'kjoretoy',
        upstream: 'fiks',
      });
    });
  });
});
