import {
  isValidIsoDate,
  isValidIsoDateTime,
  isValidKjennemerke,
  isValidKuid,
  isValidOrganisasjonsnummer,
  isValidVin,
  normaliseKjennemerke,
  normaliseKuid,
  normaliseVin,
} from './identifiers';
import { FIKS_SCOPE } from './auth';
import type { EmulatorContext } from './context';
import type { SearchFilters, VehicleRecord } from './dataset';
import { vehicleAt, type KjoretoyDto } from './dto';
import { fiksError, header, json, parseJsonBody, UUID_PATTERN, type EmulatorRequest, type Reply } from './http';

/**
 * Fiks Kjøretøyregister v2 routes (docs/upstreams.md §1–§8), under
 * `/kjoretoyregister/api/:fiksOrgId/rest/distribusjon/kjoretoy/v2.0/`, answering as real answers look: bulk answers
 * without kuid and without owners' fødselsnummer, v2 search answers with both, 1-based search rows. Functional
 * errors per id are data (feilmelding / responskoder).
 */

export const FIKS_PREFIX = '/kjoretoyregister/api/';
export const FIKS_API_PATH = '/rest/distribusjon/kjoretoy/v2.0/';

const SEARCH_DEFAULT_ROWS = 20;
/** The real maximum page size is undocumented [I]; larger `antall` values are clamped. */
const SEARCH_MAX_ROWS = 100;

type Feil = { kode: string; beskrivelse: string };
/** OPPLYSNINGER_UTILGJENGELIG is seen in real answers; KJENNEMERKE_* come from a third-party client; the rest [SYN]. */
const FEIL = {
  OPPLYSNINGER_UTILGJENGELIG: 'Opplysninger om kjøretøyet er ikke tilgjengelige',
  KJENNEMERKE_UKJENT: 'Fant ikke kjøretøy med oppgitt kjennemerke',
  KJENNEMERKE_UGYLDIG: 'Kjennemerket har ugyldig format',
  KUID_UKJENT: 'Fant ikke kjøretøy med oppgitt kuid',
  KUID_UGYLDIG: 'Kuid har ugyldig format',
  UNDERSTELLSNUMMER_UKJENT: 'Fant ikke kjøretøy med oppgitt understellsnummer',
  UNDERSTELLSNUMMER_UGYLDIG: 'Understellsnummeret har ugyldig format',
  DTG_UGYLDIG: 'Ugyldig dtg: forventet ISO-8601 dato-tid med tidssone',
  FORESPORSEL_UGYLDIG: 'Ugyldig forespørsel',
} as const;
type FeilKode = keyof typeof FEIL;
const feil = (kode: FeilKode): Feil => ({ kode, beskrivelse: FEIL[kode] });

/** Integration headers, then the token, then the path's fiksOrgId: the order Fiks reports them in. */
export function checkFiksAccess(ctx: EmulatorContext, req: EmulatorRequest): Reply | undefined {
  const path = req.url.pathname;
  const integrationId = header(req, 'IntegrasjonId');
  if (!ctx.auth.checkIntegration(integrationId, header(req, 'IntegrasjonPassord'))) {
    return fiksError(401, path, `Autentisering feilet for integrasjon med id ${integrationId ?? ''}`.trimEnd());
  }
  if (!ctx.auth.checkBearer(header(req, 'Authorization'), FIKS_SCOPE).ok) {
    return fiksError(401, path, 'Klarte ikke å validere access_token');
  }
  const fiksOrgId = req.params.fiksOrgId ?? '';
  if (!UUID_PATTERN.test(fiksOrgId)) {
    return fiksError(400, path, 'fiksOrgId må være en gyldig UUID');
  }
  // Access is granted per organisation in Fiks Konfigurasjon; 403 without it (docs/upstreams.md §1).
  if (!ctx.settings.fiksOrgIds.has(fiksOrgId.toLowerCase())) {
    return fiksError(403, path, 'Integrasjonen har ikke tilgang til tjenesten for denne organisasjonen');
  }
  return undefined;
}

interface Resolved {
  request: unknown;
  vehicle?: KjoretoyDto;
  error?: FeilKode;
}

/** dtg → ms, undefined for "now", or 'invalid'. */
function parseDtg(dtg: unknown): number | undefined | 'invalid' {
  if (dtg === undefined || dtg === null) return undefined;
  if (typeof dtg !== 'string' || !isValidIsoDateTime(dtg)) return 'invalid';
  return Date.parse(dtg);
}

function echo(item: Record<string, unknown>, key: 'kjennemerke' | 'kuid'): Record<string, unknown> {
  const request: Record<string, unknown> = { [key]: item[key] };
  if (item.dtg !== undefined) request.dtg = item.dtg;
  return request;
}

function resolveBulkItem(ctx: EmulatorContext, kind: 'kjennemerke' | 'kuid', item: unknown): Resolved {
  const invalid: FeilKode = kind === 'kjennemerke' ? 'KJENNEMERKE_UGYLDIG' : 'KUID_UGYLDIG';
  if (!item || typeof item !== 'object' || Array.isArray(item)) return { request: item, error: invalid };
  const fields = item as Record<string, unknown>;
  const request = echo(fields, kind);
  const raw = fields[kind];
  if (typeof raw !== 'string') return { request, error: invalid };
  const at = parseDtg(fields.dtg);
  if (at === 'invalid') return { request, error: 'DTG_UGYLDIG' };
  let record: VehicleRecord | undefined;
  if (kind === 'kjennemerke') {
    const plate = normaliseKjennemerke(raw);
    if (!isValidKjennemerke(plate)) return { request, error: invalid };
    record = ctx.dataset.findByPlate(plate, at);
  } else {
    const kuid = normaliseKuid(raw);
    if (!isValidKuid(kuid)) return { request, error: invalid };
    record = ctx.dataset.findByKuid(kuid, at);
  }
  const vehicle = record && ctx.answers.at(record, at);
  if (!record || !vehicle) return { request, error: kind === 'kjennemerke' ? 'KJENNEMERKE_UKJENT' : 'KUID_UKJENT' };
  return record.withheld ? { request, error: 'OPPLYSNINGER_UTILGJENGELIG' } : { request, vehicle };
}

/** 400 for the whole request, still in the bulk-response shape of the configured wrapper (docs/upstreams.md §8). */
function bulkRequestError(ctx: EmulatorContext, message: string): Reply {
  if (ctx.settings.wrapper === 'B') {
    return json(400, { responskoder: [{ kode: 'FORESPORSEL_UGYLDIG', beskrivelse: message }] });
  }
  return json(400, {
    gjenstaendeKvote: ctx.quota.remaining(ctx.settings.dailyQuota),
    responser: [],
    feilmelding: message,
  });
}

/** 422 with Retry-After and a plain-string body when the vehicles in this answer would exceed the daily quota. */
function consumeQuota(ctx: EmulatorContext, vehicles: number): Reply | undefined {
  if (ctx.quota.tryConsume(vehicles, ctx.settings.dailyQuota)) return undefined;
  return {
    status: 422,
    headers: { 'Retry-After': String(ctx.quota.retryAfterSeconds()) },
    body: 'Kvoten for antall kjøretøy per døgn er brukt opp. Prøv igjen etter midnatt (norsk tid).',
  };
}

/** Number of ids in a bulk body, for stats (undefined when the body is not a JSON array). */
export function countBulkIds(body: Buffer): number | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return Array.isArray(parsed) ? parsed.length : undefined;
  } catch {
    return undefined;
  }
}

export function bulkLookup(ctx: EmulatorContext, kind: 'kjennemerke' | 'kuid') {
  return (req: EmulatorRequest): Reply => {
    const denied = checkFiksAccess(ctx, req);
    if (denied) return denied;
    // Content-Type: application/json is required (docs/upstreams.md §1); 415 as a Spring backend answers [I].
    const mediaType = header(req, 'Content-Type')?.split(';')[0].trim().toLowerCase();
    if (mediaType !== 'application/json') {
      return fiksError(415, req.url.pathname, 'Content-Type må være application/json');
    }
    const parsed = parseJsonBody(req);
    if (!parsed.ok || !Array.isArray(parsed.value)) {
      return bulkRequestError(ctx, `Ugyldig forespørsel: forventet en JSON-liste med {${kind}, dtg?}`);
    }
    const max = ctx.settings.bulkMaxIds;
    if (parsed.value.length > max) {
      // SVV's text (docs/upstreams.md §2); where it sits in the body is the emulator's choice [SYN].
      return bulkRequestError(ctx, 'Antall elementer i request overstiger maks antall lovlig');
    }
    const resolved = parsed.value.map((item) => resolveBulkItem(ctx, kind, item));
    const overQuota = consumeQuota(ctx, resolved.filter((r) => r.vehicle).length);
    if (overQuota) return overQuota;

    if (ctx.settings.wrapper === 'B') {
      return json(
        200,
        resolved.map((r) =>
          r.vehicle
            ? { kjoretoy: r.vehicle, responskoder: [] }
            : { responskoder: [feil(r.error ?? 'FORESPORSEL_UGYLDIG')] },
        ),
      );
    }
    return json(200, {
      gjenstaendeKvote: ctx.quota.remaining(ctx.settings.dailyQuota),
      responser: resolved.map((r) => {
        const item: Record<string, unknown> = { request: r.request };
        if (r.vehicle) item.kjoretoydata = r.vehicle;
        else item.feilmelding = r.error;
        return item;
      }),
    });
  };
}

/**
 * GET bulk/understellsnummer/{vin}: every vehicle with that VIN, as it is now. No source documents a `dtg` for this
 * lookup (docs/upstreams.md §6), so a `dtg` parameter is ignored, as an unknown parameter would be.
 */
export function vinLookup(ctx: EmulatorContext) {
  return (req: EmulatorRequest): Reply => {
    const denied = checkFiksAccess(ctx, req);
    if (denied) return denied;
    const raw = req.params.vin ?? '';
    const vin = normaliseVin(raw);
    let error: FeilKode | undefined;
    let found: { vehicle?: KjoretoyDto; error?: FeilKode }[] = [];
    if (!isValidVin(vin)) error = 'UNDERSTELLSNUMMER_UGYLDIG';
    else {
      found = ctx.dataset
        .findByVin(vin)
        .map((r) => (r.withheld ? { error: 'OPPLYSNINGER_UTILGJENGELIG' as const } : { vehicle: ctx.answers.at(r) }))
        .filter((f) => f.error !== undefined || f.vehicle !== undefined);
      if (found.length === 0) error = 'UNDERSTELLSNUMMER_UKJENT';
    }
    const overQuota = consumeQuota(ctx, found.filter((f) => f.vehicle).length);
    if (overQuota) return overQuota;

    if (ctx.settings.wrapper === 'B') {
      return json(
        200,
        error
          ? [{ responskoder: [feil(error)] }]
          : found.map((f) =>
              f.vehicle ? { kjoretoy: f.vehicle, responskoder: [] } : { responskoder: [feil(f.error!)] },
            ),
      );
    }
    const item: Record<string, unknown> = {
      request: { understellsnummer: raw },
      kjoretoydataListe: found.map((f) => (f.vehicle ? { kjoretoydata: f.vehicle } : { feilmelding: f.error })),
    };
    if (error) item.feilmelding = error;
    return json(200, { gjenstaendeKvote: ctx.quota.remaining(ctx.settings.dailyQuota), responser: [item] });
  };
}

/** v2 search error: 400 with only `responskoder` (docs/upstreams.md §5). */
function searchParamError(beskrivelse: string): Reply {
  return json(400, { responskoder: [{ kode: 'UGYLDIG_PARAMETER', beskrivelse }] });
}

/** Rows are 1-based: no `fra` is the first page, `fra=11&antall=10` the second of ten (docs/upstreams.md §5). */
function paging(params: URLSearchParams): { fra: number; antall: number } | Reply {
  const fraRaw = params.get('fra');
  const antallRaw = params.get('antall');
  const fra = fraRaw === null || fraRaw === '' ? 1 : Number(fraRaw);
  const antall = antallRaw === null || antallRaw === '' ? SEARCH_DEFAULT_ROWS : Number(antallRaw);
  if (!Number.isInteger(fra) || fra < 1) return searchParamError('Parameter fra må være et heltall ≥ 1');
  if (!Number.isInteger(antall) || antall < 1) return searchParamError('Parameter antall må være et heltall ≥ 1');
  return { fra, antall: Math.min(antall, SEARCH_MAX_ROWS) };
}

/** 200 with a page of hits, or 204 with an empty body when nothing matches. */
function searchAnswer(ctx: EmulatorContext, hits: VehicleRecord[], page: { fra: number; antall: number }): Reply {
  if (hits.length === 0) return { status: 204 };
  const rows = hits.slice(page.fra - 1, page.fra - 1 + page.antall);
  // v2 search answers carry kuid, and the owners' fødselsnummer when the integration's roles allow it.
  const answer = ctx.settings.searchFodselsnummer ? 'search-fnr' : 'search';
  const kjoretoyresponser = rows.map((r) => ({
    kjoretoy: vehicleAt(ctx.dataset, r, undefined, answer),
    responskoder: [],
  }));
  return json(200, {
    antallTreffTotalt: hits.length,
    antallITreffliste: kjoretoyresponser.length,
    responskoder: [],
    kjoretoyresponser,
  });
}

export function searchByOwnerName(ctx: EmulatorContext) {
  return (req: EmulatorRequest): Reply => {
    const denied = checkFiksAccess(ctx, req);
    if (denied) return denied;
    const params = req.url.searchParams;
    const navn = params.get('navn')?.trim();
    if (!navn)
      return json(400, { responskoder: [{ kode: 'PARAMETER_MANGLER', beskrivelse: 'Parameter navn er påkrevd' }] });
    const page = paging(params);
    if ('status' in page) return page;

    const filters: SearchFilters = {};
    for (const name of ['postnummer', 'poststed', 'fylke'] as const) {
      const value = params.get(name)?.trim();
      if (value) filters[name] = value;
    }
    const fodselsdato = params.get('fodselsdato')?.trim();
    if (fodselsdato) {
      if (!isValidIsoDate(fodselsdato)) return searchParamError('Parameter fodselsdato må være på formen ÅÅÅÅ-MM-DD');
      filters.fodselsdato = fodselsdato;
    }
    const erPerson = params.get('erPerson')?.trim().toLowerCase();
    if (erPerson) {
      if (erPerson !== 'true' && erPerson !== 'false')
        return searchParamError('Parameter erPerson må være true eller false');
      filters.erPerson = erPerson === 'true';
    }
    return searchAnswer(ctx, ctx.dataset.searchByOwnerName(navn, filters), page);
  };
}

export function searchByOrganisation(ctx: EmulatorContext) {
  return (req: EmulatorRequest): Reply => {
    const denied = checkFiksAccess(ctx, req);
    if (denied) return denied;
    const params = req.url.searchParams;
    const orgnr = params.get('organisasjonsnummer')?.trim();
    if (!orgnr) {
      return json(400, {
        responskoder: [{ kode: 'PARAMETER_MANGLER', beskrivelse: 'Parameter organisasjonsnummer er påkrevd' }],
      });
    }
    if (!isValidOrganisasjonsnummer(orgnr)) return searchParamError('Ugyldig organisasjonsnummer');
    const page = paging(params);
    if ('status' in page) return page;
    return searchAnswer(ctx, ctx.dataset.vehiclesOfOrganisation(orgnr), page);
  };
}
