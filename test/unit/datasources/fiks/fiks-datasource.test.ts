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

/** A fake Fiks that knows plates "AA10000".."AA19999" (kuid = digits) and answers in wrapper A. */
function fakeClient(options: { failChunk?: number } = {}) {
  const calls: UpstreamRequest[] = [];
  const client = {
    async request(req: UpstreamRequest) {
      calls.push(req);
      if (options.failChunk === calls.length) {
        throw new UpstreamError('UPSTREAM_UNAVAILABLE', 'down', { upstream: 'fiks', status: 503 });
      }
      const items = (req.data as { kjennemerke: string; dtg?: string }[]).map((r) =>
        r.kjennemerke.startsWith('AA')
          ? { request: r, kjoretoydata: { kjoretoyId: { kjennemerke: r.kjennemerke, kuid: r.kjennemerke.slice(2) } } }
          : { request: r, feilmelding: 'KJENNEMERKE_UKJENT' },
      );
      // Reverse to prove matching does not rely on order.
      return { status: 200, data: { gjenstaendeKvote: 100, responser: items.reverse() }, headers: {} };
    },
  };
  return { client: client as unknown as UpstreamClient, calls };
}

describe('FiksDataSource loaders', () => {
  it('batches one tick of plate lookups into ceil(N / maxBatch) bulk calls, answering each in order', async () => {
    const { client, calls } = fakeClient();
    const fiks = new FiksDataSource({ client, config, fiksOrgId: config.orgId });
    const plates = Array.from({ length: 120 }, (_, i) => `AA${10000 + i}`);
    const results = await Promise.all(plates.map((p) => fiks.vehicleByKjennemerke(p)));
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => (c.data as unknown[]).length)).toEqual([50, 50, 20]);
    expect(calls[0].path).toBe(`/${config.orgId}/rest/distribusjon/kjoretoy/v2.0/bulk/kjennemerke`);
    expect(results.map((r) => r?.kuid)).toEqual(plates.map((p) => p.slice(2)));
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
    expect(found?.kuid).toBe('10001');
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
});
