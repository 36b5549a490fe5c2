/** A permit as the example subgraph stores it: only identifiers of the other subgraphs' entities. */
export interface ParkingPermitRecord {
  id: string;
  zone: string;
  validUntil: string;
  kjennemerke: string;
  /** Company permits only. */
  organisasjonsnummer?: string;
}

/** The part of the emulator's `GET /__emulator/sample` answer this example needs. */
export interface PermitSeed {
  vehicles: { kjennemerke: string }[];
  organisations: { organisasjonsnummer: string }[];
}

const ZONES = ['Sentrum-1', 'Sentrum-2', 'Grünerløkka', 'Frogner', 'Majorstuen', 'Gamle Oslo'];

/**
 * Fetches known identifiers from the emulator, so every permit's vehicle and holder really resolve in the
 * vehicle subgraph. `count` vehicles become `count` permits.
 */
export async function fetchPermitSeed(emulatorUrl: string, count: number): Promise<PermitSeed> {
  const res = await fetch(`${emulatorUrl}/__emulator/sample?count=${count}`);
  if (!res.ok) throw new Error(`emulator sample: HTTP ${res.status}`);
  const body = (await res.json()) as Partial<PermitSeed>;
  return {
    vehicles: (body.vehicles ?? []).filter((v) => v.kjennemerke),
    organisations: body.organisations ?? [],
  };
}

/** Deterministic permits: one per vehicle; every third permit is a company permit held by a sampled organisation. */
export function buildPermits(seed: PermitSeed): ParkingPermitRecord[] {
  return seed.vehicles.map((vehicle, i) => {
    const holder =
      i % 3 === 2 && seed.organisations.length > 0 ? seed.organisations[i % seed.organisations.length] : undefined;
    const month = String((i % 12) + 1).padStart(2, '0');
    return {
      id: `PP-${String(i + 1).padStart(4, '0')}`,
      zone: ZONES[i % ZONES.length],
      validUntil: `2027-${month}-28`,
      kjennemerke: vehicle.kjennemerke,
      organisasjonsnummer: holder?.organisasjonsnummer,
    };
  });
}
