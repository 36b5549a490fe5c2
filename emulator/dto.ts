import { CLASSES, IMPORT_COUNTRIES, type VehicleClass } from './catalogue';
import {
  Dataset,
  currentOrdinaryPlate,
  displayPlate,
  isOrgParty,
  orgIndexOf,
  type KjoringensArt,
  type OwnerPeriod,
  type PartyId,
  type RegStatus,
  type VehicleRecord,
} from './dataset';
import { intBetween, rngFor } from './prng';
import { generatedTech, type TechSpec } from './tech';
import { DAY_MS, osloDate, osloDateTime } from './time';

/**
 * The Fiks/SVV v2 `kjoretoy` DTO (brief §3 and §8), with SVV's Norwegian field names. Only eierskap, registrering
 * and kjennemerke depend on the point in time; periodiskKjoretoyKontroll is always current.
 */

export interface Kodeverk {
  kodeVerdi: string;
  kodeNavn?: string;
  kodeBeskrivelse?: string;
  kodeTypeId?: string;
  tidligereKodeVerdi: string[];
}

export function kode(kodeVerdi: string, kodeNavn?: string, kodeBeskrivelse?: string, kodeTypeId?: string): Kodeverk {
  const k: Kodeverk = { kodeVerdi, tidligereKodeVerdi: [] };
  if (kodeNavn !== undefined) k.kodeNavn = kodeNavn;
  if (kodeBeskrivelse !== undefined) k.kodeBeskrivelse = kodeBeskrivelse;
  if (kodeTypeId !== undefined) k.kodeTypeId = kodeTypeId;
  return k;
}

/** Loosely typed: the tree is large and all fields are optional in SVV's model; tests assert the shape. */
export type KjoretoyDto = Record<string, unknown>;

const STATUS_TEXT: Record<RegStatus, string> = {
  REGISTRERT: 'Registrert',
  AVREGISTRERT: 'Avregistrert',
  UREGISTRERT: 'Uregistrert',
  UTFORT: 'Utført',
  VRAKET: 'Vraket',
};

const KJORINGENS_ART: Record<KjoringensArt, string> = {
  EGENTRANSP_ANNEN: 'Egentransport',
  UTLEIE: 'Utleie',
  ERVERVSTRANSPORT: 'Ervervsmessig transport',
};

const ORDINARY_TYPE = kode('ORDINART', 'Ordinære kjennemerker', 'Sorte tegn på hvit bunn');

/** Technical data of any record: generated lazily, or as mapped from its eCoC document. */
export function techOf(dataset: Dataset, record: VehicleRecord): TechSpec {
  return record.prereg ? record.prereg.tech : generatedTech(dataset.seed, record);
}

/**
 * The vehicle as it was at `at` (ms since epoch; undefined = now). Undefined when the vehicle did not exist yet.
 */
export function vehicleAt(dataset: Dataset, record: VehicleRecord, at?: number): KjoretoyDto | undefined {
  if (at !== undefined && at < record.existsFrom) return undefined;
  const tech = techOf(dataset, record);
  const t = at ?? Number.POSITIVE_INFINITY;
  const ordinary = currentOrdinaryPlate(record, at);

  const kjoretoyId: Record<string, unknown> = { understellsnummer: record.vin, kuid: record.kuid };
  if (ordinary) kjoretoyId.kjennemerke = displayPlate(ordinary);

  const dto: KjoretoyDto = { kjoretoyId };
  if (record.firstReg !== undefined) {
    dto.forstegangsregistrering = { registrertForstegangNorgeDato: osloDate(record.firstReg) };
  }
  // Plates known at `at`; those that have since ended carry tilTidspunkt.
  const plates = record.plates.filter((p) => p.fom <= t);
  if (plates.length > 0) {
    dto.kjennemerke = plates.map((p) => {
      const item: Record<string, unknown> = {
        fomTidspunkt: osloDateTime(p.fom),
        kjennemerke: displayPlate(p.plate),
        kjennemerkekategori: p.kategori,
        kjennemerketype: ORDINARY_TYPE,
      };
      if (p.tom !== undefined) item.tilTidspunkt = osloDateTime(p.tom);
      return item;
    });
  }

  const owner = Dataset.periodAt(record.owners, at);
  const status = Dataset.periodAt(record.statuses, at);
  if (status) {
    const registrering: Record<string, unknown> = {
      fomTidspunkt: osloDateTime(status.fom),
      registreringsstatus: kode(status.status, undefined, STATUS_TEXT[status.status]),
      kjoringensArt: owner
        ? kode(owner.kjoringensArt, KJORINGENS_ART[owner.kjoringensArt])
        : kode('EGENTRANSP_ANNEN', KJORINGENS_ART.EGENTRANSP_ANNEN),
    };
    if (status.tom !== undefined) registrering.tilTidspunkt = osloDateTime(status.tom);
    if (owner) registrering.registrertForstegangPaEierskap = osloDateTime(owner.fom);
    if (status.status === 'AVREGISTRERT') registrering.avregistrertSidenDato = osloDate(status.fom);
    dto.registrering = registrering;
  }

  dto.godkjenning = godkjenning(dataset, record, tech);
  const kontroll = periodicInspection(dataset, record, tech);
  if (kontroll) dto.periodiskKjoretoyKontroll = kontroll;
  if (owner) dto.eierskap = eierskap(dataset, owner);
  return dto;
}

function godkjenning(dataset: Dataset, record: VehicleRecord, tech: TechSpec): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  if (record.firstReg !== undefined) {
    const forstegang: Record<string, unknown> = { forstegangRegistrertDato: osloDate(record.firstReg) };
    if (record.imported) {
      const rng = rngFor(dataset.seed, record.index, 5);
      const [landNavn, landkode] = IMPORT_COUNTRIES[intBetween(rng, 0, IMPORT_COUNTRIES.length - 1)];
      forstegang.forstegangRegistrertDato = osloDate(record.firstReg - intBetween(rng, 200, 2000) * DAY_MS);
      forstegang.bruktimport = { importland: { landNavn, landkode }, kilometerstand: intBetween(rng, 5, 180) * 1000 };
    }
    result.forstegangsGodkjenning = forstegang;
  }

  const klassNavn = tech.klassNavn ?? CLASSES[tech.klass as VehicleClass]?.navn;
  const kjoretoyklassifisering: Record<string, unknown> = { tekniskKode: kode(tech.klass, klassNavn) };
  if (klassNavn) kjoretoyklassifisering.beskrivelse = klassNavn;
  if (tech.avgiftsKode) kjoretoyklassifisering.kjoretoyAvgiftsKode = kode(tech.avgiftsKode);
  if (tech.typeApprovalNumber)
    kjoretoyklassifisering.efTypegodkjenning = { typegodkjenningNrTekst: tech.typeApprovalNumber };

  result.tekniskGodkjenning = { kjoretoyklassifisering, tekniskeData: tekniskeData(tech) };
  return result;
}

function tekniskeData(tech: TechSpec): Record<string, unknown> {
  const generelt: Record<string, unknown> = { tekniskKode: kode(tech.klass) };
  if (tech.make) generelt.merke = [{ merke: tech.make, ...(tech.makeCode ? { merkeKode: tech.makeCode } : {}) }];
  if (tech.commercialName) generelt.handelsbetegnelse = [tech.commercialName];
  if (tech.typebetegnelse) generelt.typebetegnelse = tech.typebetegnelse;
  if (tech.fabrikant) generelt.fabrikant = [{ fabrikantNavn: tech.fabrikant }];
  const data: Record<string, unknown> = { generelt };

  if (tech.engine) {
    const motor: Record<string, unknown> = {
      drivstoff: tech.engine.fuels.map((f) => ({
        drivstoffKode: kode(f.fuel.kodeVerdi, f.fuel.kodeNavn, undefined, 'TEKNISKEDATA.DRIVSTOFFTYPE'),
        ...(f.kw !== undefined ? { maksNettoEffekt: f.kw } : {}),
      })),
    };
    if (tech.engine.cylinders !== undefined) motor.antallSylindre = tech.engine.cylinders;
    if (tech.engine.cc !== undefined) motor.slagvolum = tech.engine.cc;
    if (tech.engine.motorKode) motor.motorKode = tech.engine.motorKode;
    const motorOgDrivverk: Record<string, unknown> = {
      motor: [motor],
      utelukkendeElektriskDrift: tech.powertrain === 'ELECTRIC',
    };
    if (tech.maxSpeed !== undefined) motorOgDrivverk.maksimumHastighet = [tech.maxSpeed];
    if (tech.powertrain === 'HYBRID') motorOgDrivverk.hybridKategori = kode('HYBRID', 'Hybrid (ikke ladbar)');
    if (tech.powertrain === 'PLUGIN') motorOgDrivverk.hybridKategori = kode('LADBAR_HYBRID', 'Ladbar hybrid');
    data.motorOgDrivverk = motorOgDrivverk;
  }

  const vekter = compact({
    egenvekt: tech.egenvekt,
    nyttelast: tech.nyttelast,
    tillattTotalvekt: tech.tillattTotalvekt,
    tillattTilhengervektMedBrems: tech.tilhengerMedBrems,
    tillattTilhengervektUtenBrems: tech.tilhengerUtenBrems,
    tillattVogntogvekt: tech.vogntogvekt,
    tillattTaklast: tech.taklast,
  });
  if (vekter) data.vekter = vekter;
  const dimensjoner = compact({ lengde: tech.lengde, bredde: tech.bredde, hoyde: tech.hoyde });
  if (dimensjoner) data.dimensjoner = dimensjoner;
  if (tech.axles !== undefined) data.akslinger = compact({ antallAksler: tech.axles, akselavstand: tech.akselavstand });

  const karosseri: Record<string, unknown> = {};
  if (tech.karosseri) karosseri.karosseritype = kode(tech.karosseri[0], tech.karosseri[1]);
  if (tech.doors !== undefined) karosseri.antallDorer = [tech.doors];
  if (tech.colour) karosseri.rFarge = [kode(tech.colour[0], tech.colour[1])];
  if (Object.keys(karosseri).length) data.karosseriOgLasteplan = karosseri;

  if (tech.euroKlasse || tech.co2 !== undefined || tech.rekkeviddeKm !== undefined) {
    const miljodata: Record<string, unknown> = {};
    if (tech.euroKlasse) miljodata.euroKlasse = kode(tech.euroKlasse, `Euro ${tech.euroKlasse}`);
    const forbrukOgUtslipp = compact({
      co2BlandetKjoring: tech.co2,
      forbrukBlandetKjoring: tech.forbruk,
      rekkeviddeKm: tech.rekkeviddeKm,
    });
    if (forbrukOgUtslipp && tech.engine) {
      if (tech.malemetode) forbrukOgUtslipp.malemetode = kode(tech.malemetode);
      const fuel = tech.engine.fuels[0].fuel;
      miljodata.miljoOgdrivstoffGruppe = [
        { drivstoffKodeMiljodata: kode(fuel.kodeVerdi, fuel.kodeNavn), forbrukOgUtslipp: [forbrukOgUtslipp] },
      ];
    }
    data.miljodata = miljodata;
  }
  if (tech.seats !== undefined)
    data.persontall = compact({ sitteplasserTotalt: tech.seats, sitteplasserForan: tech.seatsFront });
  if (tech.tyre)
    data.dekkOgFelg = { akselDekkOgFelgKombinasjon: [{ akselDekkOgFelg: [{ dekkdimensjon: tech.tyre }] }] };
  return data;
}

/** Current deadline and last approval (ignores dtg, as SVV does). Absent for vehicles without EU-kontroll. */
function periodicInspection(
  dataset: Dataset,
  record: VehicleRecord,
  tech: TechSpec,
): Record<string, string> | undefined {
  if (!tech.inspected || record.firstReg === undefined) return undefined;
  const [firstYears, interval] = CLASSES[tech.klass as VehicleClass]?.inspectionYears ?? [4, 2];
  const rng = rngFor(dataset.seed, record.index, 6);
  const year = 365.25 * DAY_MS;
  let due = record.firstReg + firstYears * year;
  // Advance to the first deadline after the dataset's "today", then let some vehicles be overdue.
  while (due < dataset.anchor) due += interval * year;
  if (rng() < 0.08 && due - interval * year > record.firstReg) due -= interval * year;
  const result: Record<string, string> = { kontrollfrist: osloDate(due) };
  const previous = due - interval * year;
  if (previous > record.firstReg + DAY_MS) result.sistGodkjent = osloDate(previous - intBetween(rng, 5, 60) * DAY_MS);
  return result;
}

function eierskap(dataset: Dataset, period: OwnerPeriod): Record<string, unknown> {
  const result: Record<string, unknown> = { eier: personEnhet(dataset, period.eier, period) };
  if (period.medeier !== undefined) result.medeier = personEnhet(dataset, period.medeier, period);
  if (period.leasingtaker !== undefined) result.leasingtaker = personEnhet(dataset, period.leasingtaker, period);
  result.vedtakstidspunkt = osloDateTime(period.fom + 52);
  return result;
}

function personEnhet(dataset: Dataset, party: PartyId, period: OwnerPeriod): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  if (isOrgParty(party)) {
    const org = dataset.organisation(orgIndexOf(party));
    result.enhet = { organisasjonsnummer: org.organisasjonsnummer, organisasjonsnavn: org.organisasjonsnavn };
    result.adresse = { ...org.adresse };
  } else {
    const p = dataset.person(party);
    const person: Record<string, unknown> = { fornavn: p.fornavn };
    if (p.mellomnavn) person.mellomnavn = p.mellomnavn;
    person.etternavn = p.etternavn;
    person.fodselsdato = p.fodselsdato;
    person.fodselsnummer = p.fodselsnummer;
    result.person = person;
    result.adresse = { ...p.adresse };
    result.adressestatus = kode('VANLIG_BOSATT', 'Vanlig bosatt');
  }
  result.fomTidspunkt = osloDateTime(period.fom);
  if (period.tom !== undefined) result.tilTidspunkt = osloDateTime(period.tom);
  result.erUverifisert = false;
  return result;
}

function compact(values: Record<string, number | undefined>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out[k] = v;
  return Object.keys(out).length ? out : undefined;
}
