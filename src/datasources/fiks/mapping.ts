import { isValidIsoDateTime, normaliseKjennemerke } from '../../domain/identifiers';
import type { AdresseDto, KjoretoyDto, KodeverkDto, PersonEnhetDto } from './dto';
import type {
  AddressModel,
  CodeModel,
  FuelModel,
  OwnerModel,
  PlateModel,
  TechnicalDataModel,
  VehicleModel,
} from './model';

/** Identifiers the request established for this vehicle (a bulk/kuid item answers for the kuid asked for). */
export interface KnownIds {
  kuid?: string;
}

/**
 * The one place where SVV's Norwegian DTOs become the GraphQL domain. Tolerant by design: every field may be missing,
 * numbers may arrive as strings, and a code may be a Kodeverk object or a bare string. Real bulk answers carry no
 * `kjoretoyId.kuid` (docs/upstreams.md §3), so a vehicle maps with or without one.
 */
export function mapVehicle(dto: KjoretoyDto, asOf: string, known: KnownIds = {}): VehicleModel {
  const id = dto.kjoretoyId ?? {};
  const kuid = str(id.kuid) ?? known.kuid ?? null;
  const plates = (dto.kjennemerke ?? []).map(mapPlate).filter((p): p is PlateModel => p !== null);
  const eierskap = dto.eierskap ?? {};
  return {
    kuid,
    kjennemerke: id.kjennemerke ? normaliseKjennemerke(id.kjennemerke) : currentOrdinaryPlate(plates),
    understellsnummer: str(id.understellsnummer),
    plates,
    firstRegisteredInNorway: str(dto.forstegangsregistrering?.registrertForstegangNorgeDato),
    registration: dto.registrering
      ? {
          status: code(dto.registrering.registreringsstatus),
          usage: code(dto.registrering.kjoringensArt),
          from: str(dto.registrering.fomTidspunkt),
          to: str(dto.registrering.tilTidspunkt),
          firstRegisteredOnOwnership: dateTime(dto.registrering.registrertForstegangPaEierskap),
          deregisteredSince: dateTime(dto.registrering.avregistrertSidenDato),
        }
      : null,
    technical: mapTechnical(dto),
    inspection: mapInspection(dto.periodiskKjoretoyKontroll),
    owner: mapOwner(eierskap.eier),
    coOwner: mapOwner(eierskap.medeier),
    lessee: mapOwner(eierskap.leasingtaker),
    asOf,
  };
}

/** Bulk answers often carry `{}` here and never `sistGodkjent` (docs/upstreams.md §3): nothing known is `null`. */
function mapInspection(dto: KjoretoyDto['periodiskKjoretoyKontroll']): VehicleModel['inspection'] {
  const dueDate = str(dto?.kontrollfrist);
  const lastApproved = str(dto?.sistGodkjent);
  return dueDate || lastApproved ? { dueDate, lastApproved } : null;
}

function currentOrdinaryPlate(plates: PlateModel[]): string | null {
  const current = plates.filter((p) => !p.to);
  return (current.find((p) => p.category !== 'PERSONLIG') ?? current[0])?.kjennemerke ?? null;
}

function mapPlate(dto: {
  kjennemerke?: string;
  kjennemerkekategori?: string;
  kjennemerketype?: KodeverkDto;
  fomTidspunkt?: string;
  tilTidspunkt?: string;
}): PlateModel | null {
  if (!dto.kjennemerke) return null;
  return {
    kjennemerke: normaliseKjennemerke(dto.kjennemerke),
    category: str(dto.kjennemerkekategori),
    type: code(dto.kjennemerketype),
    from: str(dto.fomTidspunkt),
    to: str(dto.tilTidspunkt),
  };
}

export function mapOwner(dto: PersonEnhetDto | undefined): OwnerModel | null {
  if (!dto) return null;
  const common = {
    address: mapAddress(dto.adresse),
    since: str(dto.fomTidspunkt),
    until: str(dto.tilTidspunkt),
    unverified: typeof dto.erUverifisert === 'boolean' ? dto.erUverifisert : null,
  };
  if (dto.person) {
    const p = dto.person;
    const name = [p.fornavn, p.mellomnavn, p.etternavn].filter((x) => typeof x === 'string' && x.trim()).join(' ');
    return {
      __typename: 'Person',
      name,
      firstName: str(p.fornavn),
      middleName: str(p.mellomnavn),
      lastName: str(p.etternavn),
      birthDate: str(p.fodselsdato),
      fodselsnummer: str(p.fodselsnummer),
      ...common,
    };
  }
  if (dto.enhet?.organisasjonsnummer) {
    return {
      __typename: 'Organization',
      organisasjonsnummer: String(dto.enhet.organisasjonsnummer),
      name: str(dto.enhet.organisasjonsnavn),
      ...common,
    };
  }
  return null;
}

function mapAddress(dto: AdresseDto | undefined): AddressModel | null {
  if (!dto) return null;
  return {
    lines: [dto.adresselinje1, dto.adresselinje2, dto.adresselinje3].filter(
      (l): l is string => typeof l === 'string' && l.trim() !== '',
    ),
    postnummer: str(dto.postnummer),
    poststed: str(dto.poststed),
    kommunenummer: str(dto.kommunenummer),
    kommunenavn: str(dto.kommunenavn),
    country: str(dto.land),
    countryCode: str(dto.landkode),
  };
}

function mapTechnical(dto: KjoretoyDto): TechnicalDataModel | null {
  const approval = dto.godkjenning?.tekniskGodkjenning;
  if (!approval) return null;
  const klass = approval.kjoretoyklassifisering ?? {};
  const data = obj(approval.tekniskeData);
  const generelt = obj(data.generelt);
  const motorOgDrivverk = obj(data.motorOgDrivverk);
  const motors = arr(motorOgDrivverk.motor).map(obj);
  const fuels: FuelModel[] = motors.flatMap((m) =>
    arr(m.drivstoff)
      .map(obj)
      .map((d) => ({ fuel: code(d.drivstoffKode), maxNetPowerKw: num(d.maksNettoEffekt) })),
  );
  const powers = fuels.map((f) => f.maxNetPowerKw).filter((p): p is number => p !== null && p !== undefined);
  const vekter = obj(data.vekter);
  const dimensjoner = obj(data.dimensjoner);
  const karosseri = obj(data.karosseriOgLasteplan);
  const persontall = obj(data.persontall);
  const miljodata = obj(data.miljodata);
  const utslipp = arr(miljodata.miljoOgdrivstoffGruppe)
    .map(obj)
    .flatMap((g) => arr(g.forbrukOgUtslipp).map(obj));
  // WLTP values sit in `wltpKjoretoyspesifikk`, NEDC values at the top of `forbrukOgUtslipp[]` (docs/upstreams.md §3).
  const wltp = utslipp.map((u) => obj(u.wltpKjoretoyspesifikk));
  return {
    make: str(obj(arr(generelt.merke)[0]).merke),
    commercialName: str(arr(generelt.handelsbetegnelse)[0]),
    type: str(generelt.typebetegnelse),
    vehicleClass: code(klass.tekniskKode),
    classDescription: str(klass.beskrivelse),
    taxCode: code(klass.kjoretoyAvgiftsKode)?.value ?? null,
    fuels,
    hybridCategory: code(motorOgDrivverk.hybridKategori),
    powerKw: powers.length ? Math.max(...powers) : null,
    // Hybrids list the electric drive as a motor of its own, without a displacement (docs/upstreams.md §3).
    displacementCc: motors.map((m) => int(m.slagvolum)).find((cc) => cc !== null) ?? null,
    maxSpeedKmh: int(arr(motorOgDrivverk.maksimumHastighet)[0]),
    weights: {
      curbWeightKg: int(vekter.egenvekt),
      payloadKg: int(vekter.nyttelast),
      maxPermittedKg: int(vekter.tillattTotalvekt),
      trailerWithBrakesKg: int(vekter.tillattTilhengervektMedBrems),
      trailerWithoutBrakesKg: int(vekter.tillattTilhengervektUtenBrems),
      combinationKg: int(vekter.tillattVogntogvekt),
      roofLoadKg: int(vekter.tillattTaklast),
    },
    dimensions: {
      lengthMm: int(dimensjoner.lengde),
      widthMm: int(dimensjoner.bredde),
      heightMm: int(dimensjoner.hoyde),
    },
    colours: arr(karosseri.rFarge)
      .map(code)
      .filter((c): c is CodeModel => c !== null),
    seats: int(persontall.sitteplasserTotalt),
    euroClass: code(miljodata.euroKlasse),
    // Plug-in hybrids have only the weighted combined WLTP value.
    co2GramsPerKm: firstNumber([
      ...wltp.map((w) => w.co2Kombinert),
      ...wltp.map((w) => w.co2VektetKombinert),
      ...utslipp.map((u) => u.co2BlandetKjoring),
    ]),
    electricRangeKm: int(
      firstNumber([
        ...wltp.map((w) => w.rekkeviddeKmBlandetkjoring),
        ...utslipp.map((u) => u.rekkeviddeKm),
        ...wltp.map((w) => w.nedcRekkeviddeKm),
      ]),
    ),
  };
}

/** A Kodeverk object, or a bare string, as a Code. */
export function code(value: unknown): CodeModel | null {
  if (typeof value === 'string' && value.trim()) return { value, name: null, description: null };
  if (value && typeof value === 'object') {
    const k = value as KodeverkDto;
    if (typeof k.kodeVerdi === 'string' || typeof k.kodeVerdi === 'number') {
      return { value: String(k.kodeVerdi), name: str(k.kodeNavn), description: str(k.kodeBeskrivelse) };
    }
  }
  return null;
}

/** SVV's date-time fields; anything else (a bare date, free text) is left out rather than passed on as a DateTime. */
function dateTime(value: unknown): string | null {
  return typeof value === 'string' && isValidIsoDateTime(value) ? value : null;
}

function str(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function num(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value.replace(',', '.'));
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function int(value: unknown): number | null {
  const n = num(value);
  return n === null ? null : Math.round(n);
}

function firstNumber(values: unknown[]): number | null {
  for (const v of values) {
    const n = num(v);
    if (n !== null) return n;
  }
  return null;
}

function obj(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}
