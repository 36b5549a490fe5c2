import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODELS } from '../../../emulator/catalogue';
import { Dataset } from '../../../emulator/dataset';
import { vehicleAt, type KjoretoyDto } from '../../../emulator/dto';
import { mapVehicle } from '../../../src/datasources/fiks/mapping';

/**
 * The emulator's vehicles are as large as real ones, and built the same way, so that a benchmark reading them reads
 * what SVV sends (docs/upstreams.md §3): the recorded answer's two vehicles against the emulator's cars and vans.
 */

const recording = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/svv/bulk-kjennemerke-2-vehicles.json'), 'utf8'),
) as { responser: { kjoretoydata: KjoretoyDto }[] };
const realVehicles = recording.responser.map((r) => r.kjoretoydata);
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
const tekniskeData = (v: KjoretoyDto) =>
  ((v.godkjenning as { tekniskGodkjenning: { tekniskeData: Record<string, unknown> } }).tekniskGodkjenning
    .tekniskeData ?? {}) as Record<string, unknown>;

const dataset = new Dataset({ seed: 20261123, vehicles: 3000 });
const cars = [...dataset.all()]
  .filter((r) => ['M1', 'N1'].includes(MODELS[r.model].klass))
  .slice(0, 200)
  .map((r) => vehicleAt(dataset, r)!)
  .filter(Boolean);

describe('the emulator answers with vehicles the size and shape of real ones', () => {
  it('a car or van is within 0.7 to 1.5 times the recorded vehicles average size', () => {
    const real = realVehicles.reduce((sum, v) => sum + bytes(v), 0) / realVehicles.length;
    expect(real).toBeGreaterThan(9000); // the recording itself: 9.9 and 12.2 KB
    const sizes = cars.map(bytes).sort((a, b) => a - b);
    expect(sizes[0]).toBeGreaterThanOrEqual(0.7 * real);
    expect(sizes[sizes.length - 1]).toBeLessThanOrEqual(1.5 * real);
  });

  it('carries the technical sections real answers carry (axles, brakes, tyres, towbar, body, engine, environment)', () => {
    const realSections = new Set(realVehicles.flatMap((v) => Object.keys(tekniskeData(v))));
    const withTowbar = cars.find((v) => 'tilhengerkopling' in tekniskeData(v));
    expect(withTowbar).toBeDefined();
    for (const section of realSections) expect(Object.keys(tekniskeData(withTowbar!))).toContain(section);
    const axles = tekniskeData(withTowbar!).akslinger as { antallAksler: number; akselGruppe: unknown[] };
    expect(axles.akselGruppe).toHaveLength(axles.antallAksler);
  });

  it('adds only what the subgraph does not read: every vehicle maps exactly as it did without the detail', () => {
    let withoutDetail: typeof vehicleAt | undefined;
    jest.isolateModules(() => {
      jest.doMock('../../../emulator/register-detail', () => ({ addRegisterDetail: () => undefined }));
      withoutDetail = (jest.requireActual('../../../emulator/dto') as typeof import('../../../emulator/dto')).vehicleAt;
    });
    jest.dontMock('../../../emulator/register-detail');
    const records = [...dataset.all()].slice(0, 300);
    for (const record of records) {
      const full = vehicleAt(dataset, record);
      const plain = withoutDetail!(dataset, record);
      if (!full || !plain) continue;
      expect(bytes(full)).toBeGreaterThan(bytes(plain));
      expect(mapVehicle(full, '2026-12-02T00:00:00Z')).toEqual(mapVehicle(plain, '2026-12-02T00:00:00Z'));
    }
  });
});
