import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { ECOC_SCOPE } from './auth';
import { CLASSES, COLOURS, FUELS, type FuelInfo, type Powertrain, type VehicleClass } from './catalogue';
import type { EmulatorContext } from './context';
import type { VehicleRecord } from './dataset';
import { duplicate, judgeIvi } from './ecoc-rules';
import { header, json, parseJsonBody, type EmulatorRequest, type Reply } from './http';
import { normaliseVin } from './identifiers';
import { decodeIviDokument, readIvi, type IviView, type Valideringsmelding } from './ivi-document';
import type { TechSpec } from './tech';
import { osloDate, osloDateTime } from './time';

/**
 * SVV eCoC pre-registration ("melding om preregistrering", docs/upstreams.md §11), answering `EcocStatusResponse`
 * with the status mapping given there. Documents are judged by SVV's required fields as the emulator reads them
 * (ecoc-rules.ts), not by the subgraph's own rules, so a document the subgraph let through can still be refused here.
 */

export const ECOC_PREFIX = '/ws/no/vegvesen/kjoretoy/felles/innmelding/meldingompreregistrering/v1/';

export interface EcocStatusResponse {
  datoTid: string;
  iviIdentifikator?: {
    iviReferanse: string;
    understellsnummerMerke?: { understellsnummer: string; merke?: string };
  };
  melding: { meldingskode: string; meldingstekst: string };
  feilmeldinger: Valideringsmelding[];
  varsler: Valideringsmelding[];
  /** Synthetic addition (no source shows SVV returning it; clients must not depend on it). */
  kuid?: string;
}

const DOCUMENT_PATH = '/ivi/iviDokument';

function status(code: number, melding: [string, string], extra: Partial<EcocStatusResponse> = {}): Reply {
  const body: EcocStatusResponse = {
    datoTid: osloDateTime(Date.now()),
    ...(extra.iviIdentifikator ? { iviIdentifikator: extra.iviIdentifikator } : {}),
    melding: { meldingskode: melding[0], meldingstekst: melding[1] },
    feilmeldinger: extra.feilmeldinger ?? [],
    varsler: extra.varsler ?? [],
  };
  if (extra.kuid) body.kuid = extra.kuid;
  return json(code, body);
}

const INVALID: [string, string] = ['ECOC-UGYLDIG', 'Ugyldig forespørsel'];
const REJECTED: [string, string] = ['ECOC-AVVIST', 'Melding om preregistrering feilet'];
const ACCEPTED: [string, string] = ['ECOC-OK', 'Melding om preregistrering mottatt og kjøretøy opprettet'];

function requestError(kode: string, felt: string, sti: string, meldingstekst: string): Reply {
  return status(400, INVALID, { feilmeldinger: [{ kode, felt, sti, meldingstekst }] });
}

/** 401 without a valid token, 403 when it lacks the eCoC scope: gateway answers, in Fiks's error shape plus svvguid. */
export function checkEcocAccess(ctx: EmulatorContext, req: EmulatorRequest): Reply | undefined {
  const check = ctx.auth.checkBearer(header(req, 'Authorization'), ECOC_SCOPE);
  if (check.ok) return undefined;
  const code = check.reason === 'scope' ? 403 : 401;
  const id = randomUUID();
  return json(code, {
    timestamp: Date.now(),
    status: code,
    error: STATUS_CODES[code],
    errorId: id,
    svvguid: id,
    path: req.url.pathname,
    message: code === 403 ? `Access token mangler scope ${ECOC_SCOPE}` : 'Klarte ikke å validere access_token',
  });
}

function clientOf(ctx: EmulatorContext, req: EmulatorRequest): string | undefined {
  const check = ctx.auth.checkBearer(header(req, 'Authorization'), ECOC_SCOPE);
  return check.ok ? check.clientId : undefined;
}

export function createPreRegistration(ctx: EmulatorContext) {
  return (req: EmulatorRequest): Reply => {
    const denied = checkEcocAccess(ctx, req);
    if (denied) return denied;
    if (req.bodyTooLarge) {
      return requestError('XML-TOO-LARGE', 'iviDokument', DOCUMENT_PATH, 'Forespørselen er for stor');
    }
    const parsed = parseJsonBody(req);
    if (!parsed.ok) return requestError('JSON-MALFORMED', 'body', '/', 'Forespørselen er ikke gyldig JSON');
    // SVV's own example wraps the body in an array; a working client posts a single object. Accept both.
    let body = parsed.value;
    if (Array.isArray(body)) {
      if (body.length !== 1)
        return requestError('REQ-FORMAT', 'body', '/', 'Forventet ett MeldingOmPreregistreringRequest-objekt');
      body = body[0];
    }
    const request = isObject(body) ? body : {};
    const ivi = isObject(request.ivi) ? request.ivi : undefined;
    if (!ivi || typeof ivi.iviDokument !== 'string' || ivi.iviDokument.trim() === '') {
      return requestError('IVI-E-REQ', 'iviDokument', DOCUMENT_PATH, 'Påkrevd felt ivi.iviDokument mangler');
    }
    if (typeof ivi.iviReferanse !== 'string' || ivi.iviReferanse.trim() === '') {
      return requestError('IVI-E-REQ', 'iviReferanse', '/ivi/iviReferanse', 'Påkrevd felt ivi.iviReferanse mangler');
    }
    const iviReferanse = ivi.iviReferanse.trim();
    const avgift = isObject(request.avgiftsklassifisering) ? request.avgiftsklassifisering.avgiftsKode : undefined;
    const avgiftsKode = typeof avgift === 'string' || typeof avgift === 'number' ? String(avgift) : undefined;

    const decoded = decodeIviDokument(ivi.iviDokument);
    if (!decoded.ok) return status(400, INVALID, { feilmeldinger: [decoded.melding] });
    const doc = readIvi(decoded.value);
    if (!doc.ok) return status(400, INVALID, { feilmeldinger: [doc.melding] });

    const rawVin = doc.value.fields.vin?.value;
    const vin = rawVin ? normaliseVin(rawVin) : undefined;
    const judgement = judgeIvi(doc.value, { iviReferanse, avgiftsKode, today: osloDate(Date.now()) });
    if (vin && ctx.dataset.hasVin(vin)) judgement.feilmeldinger.push(duplicate('vin', doc.value));
    if (ctx.dataset.findPreRegistrationByIvi(iviReferanse)) {
      judgement.feilmeldinger.push(duplicate('iviReferanse', doc.value));
    }
    const iviIdentifikator: EcocStatusResponse['iviIdentifikator'] = { iviReferanse };
    if (judgement.feilmeldinger.length > 0 || !vin) {
      return status(422, REJECTED, { iviIdentifikator, ...judgement });
    }

    const record = ctx.dataset.addPreRegistration(vin, {
      iviReferanse,
      receivedAt: Date.now(),
      tech: techFromIvi(doc.value, avgiftsKode),
      clientId: clientOf(ctx, req),
    });
    const make = doc.value.makes[0];
    iviIdentifikator.understellsnummerMerke = { understellsnummer: vin, ...(make ? { merke: make } : {}) };
    return status(200, ACCEPTED, { iviIdentifikator, varsler: judgement.varsler, kuid: record.kuid });
  };
}

function withdrawn(record: VehicleRecord): Reply {
  const prereg = record.prereg;
  return status(200, ['ECOC-SLETTET', 'Melding om preregistrering er slettet'], {
    iviIdentifikator: prereg && {
      iviReferanse: prereg.iviReferanse,
      understellsnummerMerke: {
        understellsnummer: record.vin,
        ...(prereg.tech.make ? { merke: prereg.tech.make } : {}),
      },
    },
  });
}

function notFound(felt: string, sti: string, meldingstekst: string): Reply {
  return status(404, ['ECOC-IKKE-FUNNET', 'Fant ingen preregistrering å slette'], {
    feilmeldinger: [{ kode: 'ECOC-IKKE-FUNNET', felt, sti, meldingstekst }],
  });
}

/** DELETE slette/ivireferanse/:ref: only the client that sent it may withdraw it (docs/upstreams.md §11). */
export function deleteByIviReferanse(ctx: EmulatorContext) {
  return (req: EmulatorRequest): Reply => {
    const denied = checkEcocAccess(ctx, req);
    if (denied) return denied;
    const ref = (req.params.ref ?? '').trim();
    const record = ctx.dataset.findPreRegistrationByIvi(ref);
    if (!record)
      return notFound('iviReferanse', '/ivireferanse', 'Fant ingen preregistrering med oppgitt IVI-referanse');
    const sender = record.prereg?.clientId;
    if (sender !== undefined && sender !== clientOf(ctx, req)) {
      return status(403, REJECTED, {
        feilmeldinger: [
          {
            kode: 'ECOC-IKKE-AVSENDER',
            felt: 'iviReferanse',
            sti: '/ivireferanse',
            meldingstekst: 'Bare avsenderen kan slette preregistreringen',
          },
        ],
      });
    }
    ctx.dataset.removePreRegistration(record);
    return withdrawn(record);
  };
}

/** DELETE slette/understellsnummer/:vin: withdraws a pre-registration; a registered vehicle cannot be deleted. */
export function deleteByVin(ctx: EmulatorContext) {
  return (req: EmulatorRequest): Reply => {
    const denied = checkEcocAccess(ctx, req);
    if (denied) return denied;
    const vin = normaliseVin(req.params.vin ?? '');
    const record = ctx.dataset.findPreRegistrationByVin(vin);
    if (!record) {
      if (ctx.dataset.hasVin(vin)) {
        return status(422, REJECTED, {
          feilmeldinger: [
            {
              kode: 'ECOC-REGISTRERT',
              felt: 'understellsnummer',
              sti: '/understellsnummer',
              meldingstekst: 'Kjøretøyet er registrert og kan ikke slettes',
            },
          ],
        });
      }
      return notFound(
        'understellsnummer',
        '/understellsnummer',
        'Fant ingen preregistrering med oppgitt understellsnummer',
      );
    }
    ctx.dataset.removePreRegistration(record);
    return withdrawn(record);
  };
}

// ---------------------------------------------------------------- IVI → register data

const num = (value: string | undefined): number | undefined => {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value.replace(',', '.'));
  return Number.isFinite(n) ? n : undefined;
};

/** IVI FuelCode (eDatenblatt table, docs/upstreams.md §12 [S]) → SVV drivstoffKode [I]. */
function svvFuel(fuelCode: string | undefined): FuelInfo | undefined {
  const code = num(fuelCode);
  if (code === undefined) return undefined;
  if (code >= 10 && code < 20) return FUELS.PETROL;
  if ((code >= 20 && code < 30) || code === 81 || code === 82) return FUELS.DIESEL;
  if (code === 30 || code === 40 || code === 44 || code === 60) return FUELS.GAS;
  if (code === 50) return FUELS.HYDROGEN;
  return undefined;
}

/**
 * The CoC colour codes (1 white, 2 yellow, 3 orange, 4 red, 5 violet, 6 blue, 7 green, 8 grey, 9 brown, 10 black;
 * 1, 3 and 7 confirmed by a working client) → SVV's rFarge codes. Violet has no SVV code seen.
 */
const IVI_TO_SVV_COLOUR: Record<string, string> = {
  '1': '01',
  '2': '09',
  '3': '10',
  '4': '02',
  '6': '03',
  '7': '04',
  '8': '05',
  '9': '08',
  '10': '06',
};

/** Maps what the IVI document says onto the register's technical data (only the fields SVV's DTO has). */
export function techFromIvi(doc: IviView, avgiftsKode?: string): TechSpec {
  const field = (name: keyof IviView['fields']) => doc.fields[name]?.value;
  const category = field('category') ?? 'M1';
  const info = CLASSES[category as VehicleClass];
  const hybrid = doc.engine.hybridCategory?.toUpperCase();
  const powertrain: Powertrain = doc.pureElectric
    ? 'ELECTRIC'
    : hybrid
      ? hybrid.startsWith('OVC')
        ? 'PLUGIN'
        : 'HYBRID'
      : svvFuel(doc.fuels[0]?.fuelCode) === FUELS.DIESEL
        ? 'DIESEL'
        : 'PETROL';
  const colourCode = IVI_TO_SVV_COLOUR[field('primaryColour')?.replace(/^0+/, '') ?? ''];
  const colour = COLOURS.find(([code]) => code === colourCode);

  const tech: TechSpec = {
    klass: category,
    klassNavn: info?.navn,
    avgiftsKode,
    make: doc.makes[0],
    commercialName: doc.commercialNames[0],
    typebetegnelse: field('type'),
    variant: field('variant'),
    version: field('version'),
    fabrikant: doc.manufacturerNames[0] ?? doc.makes[0],
    typeApprovalNumber: field('typeApprovalNumber'),
    powertrain,
    egenvekt: num(field('massInRunningOrder')),
    tillattTotalvekt: num(field('technPermMaxLadenMass')),
    vogntogvekt: num(field('technPermMaxMassCombination')),
    lengde: num(field('length')),
    bredde: num(field('width')),
    hoyde: num(field('height')),
    akselavstand: num(field('wheelbase')),
    axles: num(field('numberOfAxles')),
    colour,
    seats: num(field('seats')),
    tyre: doc.tyreSizes[0],
    co2: num(doc.wltp.combinedCo2 ?? doc.wltp.weightedCombinedCo2),
    forbruk: num(doc.wltp.combinedFuelConsumption),
    malemetode: 'WLTP',
    inspected: /^[MN][1-3]/.test(category),
  };
  if (tech.egenvekt !== undefined && tech.tillattTotalvekt !== undefined)
    tech.nyttelast = tech.tillattTotalvekt - tech.egenvekt;

  const fuels: { fuel: FuelInfo; kw?: number }[] = [];
  if (doc.pureElectric) fuels.push({ fuel: FUELS.ELECTRIC, kw: num(doc.fuels[0]?.maximumNetPower) });
  else {
    for (const f of doc.fuels) {
      const fuel = svvFuel(f.fuelCode);
      if (fuel) fuels.push({ fuel, kw: num(f.maximumNetPower) });
    }
    if (hybrid) fuels.push({ fuel: FUELS.ELECTRIC });
  }
  if (doc.fuels.length > 0 || fuels.length > 0 || doc.engine.capacity !== undefined) {
    tech.engine = {
      cylinders: num(doc.engine.cylinders),
      cc: num(doc.engine.capacity),
      motorKode: doc.engine.code,
      fuels,
    };
    tech.maxSpeed = num(doc.fuels[0]?.maximumSpeed);
  }
  return tech;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
