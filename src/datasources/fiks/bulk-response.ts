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

export function remainingQuota(body: unknown): number | undefined {
  return isObject(body) && typeof body.gjenstaendeKvote === 'number' ? body.gjenstaendeKvote : undefined;
}

/** Matches items to keys: by echoed request first, then by the vehicle's own ids, by position only as a last resort. */
export function matchBulkItems(keys: LookupKey[], items: BulkItem[]): ItemOutcome[] {
  const used = new Set<number>();
  const assigned: (number | undefined)[] = keys.map(() => undefined);

  const take = (keyIndex: number, predicate: (item: BulkItem, itemIndex: number) => boolean): void => {
    if (assigned[keyIndex] !== undefined) return;
    // Prefer the item at the same position when several match (same vehicle asked for at two times).
    const order = [keyIndex, ...items.keys()];
    for (const i of order) {
      if (i < items.length && !used.has(i) && predicate(items[i], i)) {
        used.add(i);
        assigned[keyIndex] = i;
        return;
      }
    }
  };

  keys.forEach((key, k) => take(k, (item) => echoMatches(key, item)));
  keys.forEach((key, k) => take(k, (item) => !item.request && vehicleMatches(key, vehicleOf(item))));
  if (items.length === keys.length) keys.forEach((_key, k) => take(k, (_item, i) => i === k && !items[i].request));

  return keys.map((_key, k) => {
    const index = assigned[k];
    return index === undefined ? { kind: 'error', reason: 'NO_MATCHING_ITEM' } : outcomeOf(items[index]);
  });
}

function echoMatches(key: LookupKey, item: BulkItem): boolean {
  const echoed = item.request?.[key.kind];
  if (typeof echoed !== 'string') return false;
  const id = key.kind === 'kjennemerke' ? normaliseKjennemerke(echoed) : echoed.trim().toUpperCase();
  return id === key.id && sameInstant(item.request?.dtg, key.dtg);
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

export function outcomeOf(item: BulkItem): ItemOutcome {
  const vehicle = vehicleOf(item);
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
