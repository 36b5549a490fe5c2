import type { FiksConfig } from '../../../../src/config';
import { FiksDataSource } from '../../../../src/datasources/fiks/fiks-datasource';
import type { UpstreamClient, UpstreamRequest } from '../../../../src/datasources/http';
import { UpstreamError } from '../../../../src/errors';

const config: FiksConfig = {
  baseUrl: 'http://fiks.invalid',
  orgId: '6f1c2a7e-0000-4000-8000-000000000001',
  integrationId: 'id',
  integrationPassword: 'pw',
  bulkMaxBatch: 50,
  vinConcurrency: 2,
  searchPageMax: 100,
  orgSearchEnabled: true,
  scope: 'ks:fiks',
};

/**
 * A fake Fiks that knows plates "AA10000".."AA19999" (kuid = digits) and answers in wrapper A. "WH…" plates are
 * withheld, "TT…" plates meet a service fault, everything else is unknown.
 */
function fakeClient(options: { failChunk?: number; withKuid?: boolean } = {}) {
  const calls: UpstreamRequest[] = [];
  const client = {
    async request(req: UpstreamRequest) {
      calls.push(req);
      if (options.failChunk === calls.length) {
        throw new UpstreamError('UPSTREAM_UNAVAILABLE', 'down', { upstream: 'fiks', status: 503 });
      }
      const items = (req.data as { kjennemerke: string; dtg?: string }[]).map((r) => {
        const kjoretoyId = { kjennemerke: `AA ${r.kjennemerke.slice(2)}`, understellsnummer: `VIN${r.kjennemerke}` };
        if (r.kjennemerke.startsWith('AA')) {
          const id = options.withKuid === false ? kjoretoyId : { ...kjoretoyId, kuid: r.kjennemerke.slice(2) };
          return { request: r, kjoretoydata: { kjoretoyId: id } };
        }
        if (r.kjennemerke.startsWith('WH')) return { request: r, feilmelding: 'OPPLYSNINGER_UTILGJENGELIG' };
        if (r.kjennemerke.startsWith('TT')) return { request: r, feilmelding: 'TJENESTE_IKKE_TILGJENGELIG' };
        return { request: r, feilmelding: 'KJENNEMERKE_UKJENT' };
      });
      // Reverse to prove matching does not rely on order.
      return { status: 200, data: { gjenstaendeKvote: 100, responser: items.reverse() }, headers: {} };
    },
  };
  return { client: client as unknown as UpstreamClient, calls };
}

/** A fake Fiks scripted per route: `answer(req)` gives the body. */
function scriptedClient(answer: (req: UpstreamRequest) => unknown) {
  const calls: UpstreamRequest[] = [];
  const client = {
    async request(req: UpstreamRequest) {
      calls.push(req);
      return { status: 200, data: answer(req), headers: {} };
    },
  };
  return { client: client as unknown as UpstreamClient, calls };
}
const route = (req: UpstreamRequest) => req.path.slice(req.path.indexOf('/v2.0/') + '/v2.0/'.length);

describe('FiksDataSource loaders', () => {
  it('batches one tick of plate lookups into ceil(N / maxBatch) bulk calls, answering each in order', async () => {
    const { client, calls } = fakeClient();
    const fiks = new FiksDataSource({ client, config, fiksOrgId: config.orgId });
    const plates = Array.from({ length: 120 }, (_, i) => `AA${10000 + i}`);
    const results = await Promise.all(plates.map((p) => fiks.vehicleByKjennemerke(p)));
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => (c.data as unknown[]).length)).toEqual([50, 50, 20]);
    expect(calls[0].path).toBe(`/${config.orgId}/rest/distribusjon/kjoretoy/v2.0/bulk/kjennemerke`);
    expect(results.map((r) => r?.kjennemerke)).toEqual(plates);
    expect(fiks.upstreamCalls).toBe(3);
  });

  it('deduplicates the same plate and keeps the point in time part of the key', async () => {
    const { client, calls } = fakeClient();
    const fiks = new FiksDataSource({ client, config, fiksOrgId: config.orgId });
    await Promise.all([
      fiks.vehicleByKjennemerke('AA10001'),
      fiks.vehicleByKjennemerke('AA10001'),
      fiks.vehicleByKjennemerke('AA10001', '2020-01-01T00:00:00Z'),
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0].data).toEqual([
      { kjennemerke: 'AA10001' },
      { kjennemerke: 'AA10001', dtg: '2020-01-01T00:00:00Z' },
    ]);
  });

  it('gives null for an unknown plate without failing the others', async () => {
    const { client } = fakeClient();
    const fiks = new FiksDataSource({ client, config, fiksOrgId: config.orgId });
    const [found, missing] = await Promise.all([
      fiks.vehicleByKjennemerke('AA10001'),
      fiks.vehicleByKjennemerke('ZZ10001'),
    ]);
    expect(found?.kjennemerke).toBe('AA10001');
    expect(missing).toBeNull();
  });

  it('a failed chunk fails only the keys in that chunk', async () => {
    const { client } = fakeClient({ failChunk: 2 });
    const fiks = new FiksDataSource({ client, config, fiksOrgId: config.orgId });
    const plates = Array.from({ length: 120 }, (_, i) => `AA${10000 + i}`);
    const settled = await Promise.allSettled(plates.map((p) => fiks.vehicleByKjennemerke(p)));
    const rejected = settled.map((s, i) => (s.status === 'rejected' ? i : -1)).filter((i) => i >= 0);
    expect(rejected).toEqual(Array.from({ length: 50 }, (_, i) => 50 + i));
  });

  it('withheld is null plus VEHICLE_WITHHELD, a service fault UPSTREAM_UNAVAILABLE, both only at their own key', async () => {
    const { client } = fakeClient();
    const fiks = new FiksDataSource({ client, config, fiksOrgId: config.orgId });
    const settled = await Promise.allSettled([
      fiks.vehicleByKjennemerke('AA10001'),
      fiks.vehicleByKjennemerke('WH10001'),
      fiks.vehicleByKjennemerke('TT10001'),
      fiks.vehicleByKjennemerke('ZZ10001'),
    ]);
    expect(settled[0]).toMatchObject({ status: 'fulfilled', value: { kjennemerke: 'AA10001' } });
    expect(settled[1]).toMatchObject({ status: 'rejected', reason: { extensions: { code: 'VEHICLE_WITHHELD' } } });
    expect(settled[2]).toMatchObject({ status: 'rejected', reason: { extensions: { code: 'UPSTREAM_UNAVAILABLE' } } });
    expect(settled[3]).toEqual({ status: 'fulfilled', value: null });
  });

  it('a vehicle without kuid maps, and is remembered only under the keys it has: its plate, not a kuid', async () => {
    const { client, calls } = scriptedClient((req) => ({
      responser: (req.data as Record<string, string>[]).map((r) => ({
        request: r,
        kjoretoydata: {
          kjoretoyId: { kjennemerke: 'AA 10001', understellsnummer: 'VINAA10001' },
          kjennemerke: [{ kjennemerke: 'MYCAR1', kjennemerkekategori: 'PERSONLIG' }],
        },
      })),
    }));
    const fiks = new FiksDataSource({ client, config, fiksOrgId: config.orgId });
    const vehicle = await fiks.vehicleByKjennemerke('MYCAR1');
    expect(vehicle).toMatchObject({ kuid: null, kjennemerke: 'AA10001', understellsnummer: 'VINAA10001' });
    expect(await fiks.vehicleByKjennemerke('AA10001')).toBe(vehicle);
    expect(calls.map(route)).toEqual(['bulk/kjennemerke']);
    await fiks.vehicleByKuid('10001');
    expect(calls.map(route)).toEqual(['bulk/kjennemerke', 'bulk/kuid']);
  });

  it('a lookup by kuid gives the vehicle the kuid it was found by, and remembers it under its plate too', async () => {
    const { client, calls } = scriptedClient((req) => ({
      responser: (req.data as { kuid: string }[]).map((r) => ({
        request: r,
        kjoretoydata: { kjoretoyId: { kjennemerke: 'CU 11306', understellsnummer: 'SISDINKY35995054' } },
      })),
    }));
    const fiks = new FiksDataSource({ client, config, fiksOrgId: config.orgId });
    const vehicle = await fiks.vehicleByKuid('3378119709');
    expect(vehicle).toMatchObject({ kuid: '3378119709', kjennemerke: 'CU11306' });
    expect(await fiks.vehicleByKjennemerke('CU11306')).toBe(vehicle);
    expect(calls.map(route)).toEqual(['bulk/kuid']);
  });

  it('search rows are 1-based: the first page asks fra=1, the next fra = rows seen + 1', async () => {
    const { client, calls } = scriptedClient(() => ({
      antallTreffTotalt: 3,
      kjoretoyresponser: [{ kjoretoy: { kjoretoyId: { kjennemerke: 'CU 11306', kuid: '3378119709' } } }],
    }));
    const fiks = new FiksDataSource({ client, config, fiksOrgId: config.orgId });
    await fiks.searchByOwnerName({ name: 'Ola Nordmann' }, 0, 1);
    await fiks.searchByOwnerName({ name: 'Ola Nordmann' }, 1, 1);
    expect(calls.map((c) => [c.params?.fra, c.params?.antall])).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });

  it('a search answer with null or scalar entries serves the vehicles in it; one of another shape is an error', async () => {
    const hit = { kjoretoy: { kjoretoyId: { kjennemerke: 'CU 11306', kuid: '3378119709' } } };
    const answers: unknown[] = [
      { antallTreffTotalt: 1, kjoretoyresponser: [null, hit, 5] },
      { feil: 'noe gikk galt' },
      '<html>Service temporarily unavailable</html>',
    ];
    const { client } = scriptedClient(() => answers.shift());
    const fiks = new FiksDataSource({ client, config, fiksOrgId: config.orgId });
    const page = await fiks.searchByOwnerName({ name: 'Ola Nordmann' }, 0, 20);
    expect(page.vehicles.map((v) => v.kjennemerke)).toEqual(['CU11306']);
    for (let i = 0; i < 2; i++) {
      await expect(fiks.searchByOwnerName({ name: 'Ola Nordmann' }, 0, 20)).rejects.toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
      });
    }
  });

  describe('a VIN at a point in time (no dtg is sent on the VIN lookup)', () => {
    const at = '2021-06-01T12:00:00+02:00';
    const now = (kuid?: string) => ({
      responser: [
        {
          request: { understellsnummer: 'SISDINKY35995054' },
          kjoretoydataListe: [
            {
              kjoretoydata: {
                kjoretoyId: {
                  kjennemerke: 'CU 11306',
                  understellsnummer: 'SISDINKY35995054',
                  ...(kuid ? { kuid } : {}),
                },
                kjennemerke: [
                  {
                    kjennemerke: 'AB 12345',
                    kjennemerkekategori: 'KJORETOY',
                    fomTidspunkt: '2019-01-01T00:00:00+01:00',
                    tilTidspunkt: '2022-01-01T00:00:00+01:00',
                  },
                  {
                    kjennemerke: 'CU 11306',
                    kjennemerkekategori: 'KJORETOY',
                    fomTidspunkt: '2022-01-01T00:00:00+01:00',
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const then = (vin: string) => (req: UpstreamRequest) => ({
      responser: (req.data as Record<string, string>[]).map((r) => ({
        request: r,
        kjoretoydata: { kjoretoyId: { kjennemerke: 'AB 12345', understellsnummer: vin } },
      })),
    });

    it('resolves the VIN now, then asks bulk/kjennemerke for the plate it carried at `at`', async () => {
      const { client, calls } = scriptedClient((req) =>
        route(req).startsWith('bulk/understellsnummer') ? now() : then('SISDINKY35995054')(req),
      );
      const fiks = new FiksDataSource({ client, config, fiksOrgId: config.orgId });
      const vehicle = await fiks.vehicleByUnderstellsnummer('SISDINKY35995054', at);
      expect(vehicle).toMatchObject({ kjennemerke: 'AB12345', asOf: at });
      expect(calls.map(route)).toEqual(['bulk/understellsnummer/SISDINKY35995054', 'bulk/kjennemerke']);
      expect(calls[0].params).toBeUndefined();
      expect(calls[1].data).toEqual([{ kjennemerke: 'AB12345', dtg: at }]);
    });

    it('asks bulk/kuid when the answer has a kuid', async () => {
      const { client, calls } = scriptedClient((req) =>
        route(req).startsWith('bulk/understellsnummer') ? now('3378119709') : then('SISDINKY35995054')(req),
      );
      const fiks = new FiksDataSource({ client, config, fiksOrgId: config.orgId });
      expect(await fiks.vehicleByUnderstellsnummer('SISDINKY35995054', at)).not.toBeNull();
      expect(calls.map(route)).toEqual(['bulk/understellsnummer/SISDINKY35995054', 'bulk/kuid']);
      expect(calls[1].data).toEqual([{ kuid: '3378119709', dtg: at }]);
    });

    it('is null when the plate led to another vehicle then, or no plate covers `at`', async () => {
      const other = scriptedClient((req) =>
        route(req).startsWith('bulk/understellsnummer') ? now() : then('SOMEOTHERVIN0001')(req),
      );
      const fiks = new FiksDataSource({ client: other.client, config, fiksOrgId: config.orgId });
      expect(await fiks.vehicleByUnderstellsnummer('SISDINKY35995054', at)).toBeNull();
      const early = scriptedClient(() => now());
      const fiks2 = new FiksDataSource({ client: early.client, config, fiksOrgId: config.orgId });
      expect(await fiks2.vehicleByUnderstellsnummer('SISDINKY35995054', '2010-01-01T00:00:00Z')).toBeNull();
      expect(early.calls.map(route)).toEqual(['bulk/understellsnummer/SISDINKY35995054']);
    });
  });
});
