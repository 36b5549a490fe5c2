import { normaliseKjennemerke } from '../../domain/identifiers';
import type { BulkItem, KjoretoyDto } from './dto';

/**
 * Parsing of the Fiks bulk answers. Real answers are `{ gjenstaendeKvote, responser: [{ request, kjoretoydata |
 * feilmelding }] }` (docs/upstreams.md §3); the v2 family's other shape is still accepted, tolerantly: an object with
 * `responser` / `kjoretoyresponser`, or a bare array; the vehicle under `kjoretoydata` or `kjoretoy`; errors as
 * `feilmelding` or `responskoder[]`.
 */
export type LookupKind = 'kjennemerke' | 'kuid' | 'understellsnummer';

export interface LookupKey {
  kind: LookupKind;
  /** Normalised id (plate without spaces, uppercase). */
  id: string;
  /** ISO date-time, or undefined for "now". */
  dtg?: string;
}

/**
 * What one requested id came back as: a vehicle; not found (unknown or invalid id); withheld (the vehicle exists, SVV
 * will not show it); the service could not answer for it; or another, unexpected per-item error.
 */
export type ItemOutcome =
  | { kind: 'found'; vehicle: KjoretoyDto }
  | { kind: 'not-found' }
  | { kind: 'withheld' }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'error'; reason: string };

export function extractBulkItems(body: unknown): BulkItem[] {
  if (Array.isArray(body)) return body.filter(isObject) as BulkItem[];
  if (isObject(body)) {
    const list = body.responser ?? body.kjoretoyresponser;
    if (Array.isArray(list)) return list.filter(isObject) as BulkItem[];
    // A single v2 item, not wrapped.
    if ('kjoretoy' in body || 'kjoretoydata' in body) return [body as BulkItem];
  }
  return [];
}

/**
 * The hits of a search answer (`{ antallTreffTotalt, kjoretoyresponser: [...] }`, docs/upstreams.md §5), or undefined
 * when the body is not that shape (a proxy's HTML page, another service's JSON): such an answer is not "no hits".
 */
export function extractSearchItems(body: unknown): BulkItem[] | undefined {
  if (!isObject(body)) return undefined;
  const list = body.kjoretoyresponser;
  if (Array.isArray(list)) return list.filter(isObject) as BulkItem[];
  return list == null && typeof body.antallTreffTotalt === 'number' ? [] : undefined;
}

export function remainingQuota(body: unknown): number | undefined {
  return isObject(body) && typeof body.gjenstaendeKvote === 'number' ? body.gjenstaendeKvote : undefined;
}

/**
 * Matches items to keys: by echoed request first, then by the vehicle's own ids, by position only as a last resort.
 * When several items match a key (the same vehicle asked for at two times), the one at the key's own position wins,
 * else the first. Answers come back in request order as a rule, so the item at the key's position is tried first and
 * the items are indexed by id (once, and only) when that fails: 100 keys cost 100 checks, not 100 × 100.
 */
export function matchBulkItems(keys: LookupKey[], items: BulkItem[]): ItemOutcome[] {
  const used = new Uint8Array(items.length);
  const assigned: (number | undefined)[] = new Array(keys.length);

  let echoIndex: Map<string, number[]> | undefined;
  const byEcho = (key: LookupKey): number[] => {
    echoIndex ??= indexItems(items, (item) => {
      const request = item.request;
      if (!request) return [];
      return (['kjennemerke', 'kuid', 'understellsnummer'] as const)
        .filter((kind) => typeof request[kind] === 'string')
        .map((kind) => `${kind}|${normaliseId(kind, request[kind] as string)}`);
    });
    return echoIndex.get(`${key.kind}|${key.id}`) ?? [];
  };
  const vehicles = items.map(vehicleOf);
  let vehicleIndex: Map<string, number[]> | undefined;
  const byVehicle = (key: LookupKey): number[] => {
    vehicleIndex ??= indexItems(items, (item, i) => (item.request ? [] : vehicleIds(vehicles[i])));
    return vehicleIndex.get(`${key.kind}|${key.id}`) ?? [];
  };

  /** Assigns the key the first free candidate that fits: its own position, then the indexed ones in order. */
  const take = (k: number, fits: (i: number) => boolean, candidates: () => number[]): void => {
    if (assigned[k] !== undefined) return;
    const pick = k < items.length && !used[k] && fits(k) ? k : candidates().find((i) => !used[i] && fits(i));
    if (pick === undefined) return;
    used[pick] = 1;
    assigned[k] = pick;
  };

  keys.forEach((key, k) =>
    take(
      k,
      (i) => echoMatches(key, items[i]),
      () => byEcho(key),
    ),
  );
  keys.forEach((key, k) =>
    take(
      k,
      (i) => !items[i].request && vehicleMatches(key, vehicles[i]),
      () => byVehicle(key),
    ),
  );
  if (items.length === keys.length) {
    keys.forEach((_key, k) =>
      take(
        k,
        (i) => i === k && !items[i].request,
        () => [],
      ),
    );
  }

  return keys.map((_key, k) => {
    const index = assigned[k];
    return index === undefined
      ? { kind: 'error', reason: 'NO_MATCHING_ITEM' }
      : outcomeOf(items[index], vehicles[index]);
  });
}

/** `kind|id` → indexes of the items that carry it, in item order. */
function indexItems(items: BulkItem[], idsOf: (item: BulkItem, i: number) => string[]): Map<string, number[]> {
  const index = new Map<string, number[]>();
  items.forEach((item, i) => {
    for (const id of new Set(idsOf(item, i))) {
      const list = index.get(id);
      if (list) list.push(i);
      else index.set(id, [i]);
    }
  });
  return index;
}

function normaliseId(kind: LookupKind, value: string): string {
  return kind === 'kjennemerke' ? normaliseKjennemerke(value) : value.trim().toUpperCase();
}

function echoMatches(key: LookupKey, item: BulkItem): boolean {
  const echoed = item.request?.[key.kind];
  if (typeof echoed !== 'string') return false;
  return normaliseId(key.kind, echoed) === key.id && sameInstant(item.request?.dtg, key.dtg);
}

/** The `kind|id` keys a vehicle answers to: its kuid, its VIN and every plate it has had. */
function vehicleIds(vehicle: KjoretoyDto | undefined): string[] {
  if (!vehicle) return [];
  const ids: string[] = [];
  const kuid = vehicle.kjoretoyId?.kuid?.trim();
  if (kuid) ids.push(`kuid|${kuid}`);
  const vin = vehicle.kjoretoyId?.understellsnummer?.trim().toUpperCase();
  if (vin) ids.push(`understellsnummer|${vin}`);
  for (const plate of [vehicle.kjoretoyId?.kjennemerke, ...(vehicle.kjennemerke ?? []).map((p) => p.kjennemerke)]) {
    if (typeof plate === 'string') ids.push(`kjennemerke|${normaliseKjennemerke(plate)}`);
  }
  return ids;
}

function vehicleMatches(key: LookupKey, vehicle: KjoretoyDto | undefined): boolean {
  if (!vehicle) return false;
  if (key.kind === 'kuid') return vehicle.kjoretoyId?.kuid?.trim() === key.id;
  if (key.kind === 'understellsnummer') return vehicle.kjoretoyId?.understellsnummer?.trim().toUpperCase() === key.id;
  const plates = [vehicle.kjoretoyId?.kjennemerke, ...(vehicle.kjennemerke ?? []).map((p) => p.kjennemerke)];
  return plates.some((p) => typeof p === 'string' && normaliseKjennemerke(p) === key.id);
}

function sameInstant(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a === b || Date.parse(a) === Date.parse(b);
}

export function vehicleOf(item: BulkItem): KjoretoyDto | undefined {
  return item.kjoretoydata ?? item.kjoretoy ?? item.kjoretoydataListe?.find((x) => x.kjoretoydata)?.kjoretoydata;
}

/**
 * Per-item `feilmelding` codes (docs/upstreams.md §4): OPPLYSNINGER_UTILGJENGELIG is seen in real answers [C]; the
 * others come from a third-party client [I], so near spellings are read alike.
 */
const WITHHELD = /^OPPLYSNINGER_UTILGJENGELIG$/i;
const UNAVAILABLE = /^TJENESTE_IKKE_TILGJENGELIG$/i;
/** "No such vehicle": an unknown or invalid id (KJENNEMERKE_UKJENT, KJENNEMERKE_UGYLDIG, ...). */
const NOT_FOUND = /UKJENT|IKKE_FUNNET|FINNES_IKKE|NOT_FOUND|UGYLDIG|INGEN_TREFF/i;

export function outcomeOf(item: BulkItem, vehicle = vehicleOf(item)): ItemOutcome {
  if (vehicle) return { kind: 'found', vehicle };
  const reasons = [
    item.feilmelding,
    ...(item.responskoder ?? []).map((r) => r.kode),
    ...(item.kjoretoydataListe ?? []).map((x) => x.feilmelding),
  ]
    .filter((r): r is string => typeof r === 'string' && r.trim() !== '')
    .map((r) => r.trim());
  if (reasons.some((r) => WITHHELD.test(r))) return { kind: 'withheld' };
  if (reasons.some((r) => UNAVAILABLE.test(r))) return { kind: 'unavailable', reason: reasons[0].toUpperCase() };
  if (reasons.length === 0 || reasons.some((r) => NOT_FOUND.test(r))) return { kind: 'not-found' };
  return { kind: 'error', reason: safeReason(reasons[0]) };
}

/** Only code-like reasons go into errors; free text from upstream could carry anything. */
function safeReason(reason: string): string {
  return /^[A-Z0-9_]{2,64}$/.test(reason) ? reason : 'UPSTREAM_ITEM_ERROR';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
