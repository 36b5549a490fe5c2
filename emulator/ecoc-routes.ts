import { randomUUID } from 'node:crypto';
import { normaliseVin } from './identifiers';
import {
  decodeIviDocument,
  duplicateIssue,
  parseIvi,
  toSvvIssue,
  validateIvi,
  type IviDocument,
  type IviIssue,
  type SvvValideringsmelding,
} from '../src/ivi';
import { ECOC_SCOPE } from './auth';
import { CLASSES, FUELS, type FuelInfo, type Powertrain, type VehicleClass } from './catalogue';
import type { EmulatorContext } from './context';
import type { VehicleRecord } from './dataset';
import { header, json, parseJsonBody, type EmulatorRequest, type Reply } from './http';
import type { TechSpec } from './tech';
import { osloDateTime } from './time';
import { STATUS_CODES } from 'node:http';

/**
 * SVV eCoC pre-registration ("melding om preregistrering", upstream-svv-ecoc.md §2–§3), answering the proposed
 * EcocStatusResponse (§3.1 [SYN]) with the status mapping given there. Validation is the shared IVI module, so the
 * subgraph's dry run and this emulator report the same issues.
 */

export const ECOC_PREFIX = '/ws/no/vegvesen/kjoretoy/felles/innmelding/meldingompreregistrering/v1/';

export interface EcocStatusResponse {
  datoTid: string;
  iviIdentifikator?: {
    iviReferanse: string;
    understellsnummerMerke?: { understellsnummer: string; merke?: string };
  };
  melding: { meldingskode: string; meldingstekst: string };
  feilmeldinger: SvvValideringsmelding[];
  varsler: SvvValideringsmelding[];
  /** Synthetic addition (§3 allows a mock to add it; clients must not depend on it). */
  kuid?: string;
}

const DOCUMENT = { field: 'iviDokument', path: '/ivi/iviDokument' };

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
      return requestError('XML-TOO-LARGE', 'iviDokument', DOCUMENT.path, 'Forespørselen er for stor');
    }
    const parsed = parseJsonBody(req);
    if (!parsed.ok) return requestError('JSON-MALFORMED', 'body', '/', 'Forespørselen er ikke gyldig JSON');
    // SVV's own example wraps the body in an array; EASY posts a single object. Accept both (§2 [SYN]).
    let body = parsed.value;
    if (Array.isArray(body)) {
      if (body.length !== 1)
        return requestError('REQ-FORMAT', 'body', '/', 'Forventet ett MeldingOmPreregistreringRequest-objekt');
      body = body[0];
    }
    const request = isObject(body) ? body : {};
    const ivi = isObject(request.ivi) ? request.ivi : undefined;
    if (!ivi || typeof ivi.iviDokument !== 'string' || ivi.iviDokument.trim() === '') {
      return requestError('IVI-E-REQ', 'iviDokument', DOCUMENT.path, 'Påkrevd felt ivi.iviDokument mangler');
    }
    if (typeof ivi.iviReferanse !== 'string' || ivi.iviReferanse.trim() === '') {
      return requestError('IVI-E-REQ', 'iviReferanse', '/ivi/iviReferanse', 'Påkrevd felt ivi.iviReferanse mangler');
    }
    const iviReferanse = ivi.iviReferanse.trim();
    const avgift = isObject(request.avgiftsklassifisering) ? request.avgiftsklassifisering.avgiftsKode : undefined;
    const avgiftsKode = typeof avgift === 'string' || typeof avgift === 'number' ? String(avgift) : undefined;

    const decoded = decodeIviDocument(ivi.iviDokument, DOCUMENT);
    if (!decoded.ok) return status(400, INVALID, { feilmeldinger: [toSvvIssue(decoded.issue)] });
    const doc = parseIvi(decoded.value, DOCUMENT);
    if (!doc.ok) return status(400, INVALID, { feilmeldinger: [toSvvIssue(doc.issue)] });

    const vin = doc.value.vin ? normaliseVin(doc.value.vin) : undefined;
    const duplicates: IviIssue[] = [];
    if (vin && ctx.dataset.hasVin(vin)) duplicates.push(duplicateIssue('vin', doc.value));
    if (ctx.dataset.findPreRegistrationByIvi(iviReferanse)) duplicates.push(duplicateIssue('iviReferanse', doc.value));
    const result = validateIvi(doc.value, { iviReferanse, avgiftsKode, extraIssues: duplicates });
    const iviIdentifikator: EcocStatusResponse['iviIdentifikator'] = { iviReferanse };
    const varsler = result.warnings.map(toSvvIssue);
    if (result.errors.length > 0 || !vin) {
      return status(422, REJECTED, { iviIdentifikator, feilmeldinger: result.errors.map(toSvvIssue), varsler });
    }

    const record = ctx.dataset.addPreRegistration(vin, {
      iviReferanse,
      receivedAt: Date.now(),
      tech: techFromIvi(doc.value, avgiftsKode),
      clientId: clientOf(ctx, req),
    });
    iviIdentifikator.understellsnummerMerke = { understellsnummer: vin };
    if (doc.value.make) iviIdentifikator.understellsnummerMerke.merke = doc.value.make;
    return status(200, ACCEPTED, { iviIdentifikator, varsler, kuid: record.kuid });
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

/** DELETE slette/ivireferanse/:ref: only the client that sent the pre-registration may withdraw it (§2). */
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

/** IVI FuelCode (eDatenblatt table, §4.1 [S]) → SVV drivstoffKode [I]. */
function svvFuel(fuelCode: string | undefined): FuelInfo | undefined {
  const code = num(fuelCode);
  if (code === undefined) return undefined;
  if (code >= 10 && code < 20) return FUELS.PETROL;
  if ((code >= 20 && code < 30) || code === 81 || code === 82) return FUELS.DIESEL;
  if (code === 30 || code === 40 || code === 44 || code === 60) return FUELS.GAS;
  if (code === 50) return FUELS.HYDROGEN;
  return undefined;
}

/** IVI PrimaryColourCode (1 white, 3 orange, 7 green [C], others [I]) → SVV rFarge. */
const IVI_COLOURS: Record<string, [string, string]> = {
  '1': ['01', 'Hvit'],
  '2': ['02', 'Gul'],
  '3': ['11', 'Oransje'],
  '4': ['03', 'Rød'],
  '5': ['12', 'Fiolett'],
  '6': ['07', 'Blå'],
  '7': ['06', 'Grønn'],
  '8': ['05', 'Grå'],
  '9': ['04', 'Brun'],
  '10': ['08', 'Svart'],
};

/** Maps what the IVI document says onto the register's technical data (only the fields SVV's DTO has). */
export function techFromIvi(doc: IviDocument, avgiftsKode?: string): TechSpec {
  const category = doc.category ?? 'M1';
  const info = CLASSES[category as VehicleClass];
  const engine = doc.engines[0];
  const hybrid = engine?.hybridCategory?.toUpperCase();
  const powertrain: Powertrain = doc.pureElectric
    ? 'ELECTRIC'
    : hybrid
      ? hybrid.startsWith('OVC')
        ? 'PLUGIN'
        : 'HYBRID'
      : svvFuel(doc.fuels[0]?.fuelCode) === FUELS.DIESEL
        ? 'DIESEL'
        : 'PETROL';

  const tech: TechSpec = {
    klass: category,
    klassNavn: info?.navn,
    avgiftsKode,
    make: doc.make,
    commercialName: doc.commercialName,
    typebetegnelse: doc.type,
    variant: doc.variant,
    version: doc.version,
    fabrikant: doc.manufacturerName ?? doc.make,
    typeApprovalNumber: doc.typeApprovalNumber,
    powertrain,
    egenvekt: num(doc.massInRunningOrder),
    tillattTotalvekt: num(doc.technPermMaxLadenMass),
    vogntogvekt: num(doc.technPermMaxMassCombination),
    lengde: num(doc.length),
    bredde: num(doc.width),
    hoyde: num(doc.height),
    akselavstand: num(doc.wheelbase),
    axles: num(doc.numberOfAxles),
    colour: doc.primaryColourCode ? IVI_COLOURS[doc.primaryColourCode.replace(/^0+/, '')] : undefined,
    seats: num(doc.seats),
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
  if (engine || fuels.length > 0) {
    tech.engine = {
      cylinders: num(engine?.numberOfCylinders),
      cc: num(engine?.capacity),
      motorKode: engine?.code,
      fuels,
    };
    tech.maxSpeed = num(doc.fuels[0]?.maximumSpeed);
  }
  return tech;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
