import { CLASSES, HYBRID_CATEGORIES, IMPORT_COUNTRIES, type ClassInfo, type VehicleClass } from './catalogue';
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
import { addRegisterDetail } from './register-detail';
import { generatedTech, type TechSpec } from './tech';
import { DAY_MS, osloDate, osloDateTime } from './time';

/**
 * The SVV `kjoretoydata` DTO with SVV's Norwegian field names, in the shape real answers have (docs/upstreams.md §3):
 * bulk answers carry no kuid and owners without fødselsnummer; only v2 search answers carry those. Only eierskap,
 * registrering and kjennemerke depend on the point in time; periodiskKjoretoyKontroll is always current.
 */

/** Which answer the vehicle is part of: a bulk lookup (kjennemerke, kuid, VIN) or a v2 search (`sok/*`), with the
 *  owners' fødselsnummer when the integration's roles allow it. */
export type AnswerKind = 'bulk' | 'search' | 'search-fnr';

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

/** kodeNavn and kodeBeskrivelse; EGENTRANSP_ANNEN as in real answers, the others synthetic. */
const KJORINGENS_ART: Record<KjoringensArt, [string, string]> = {
  EGENTRANSP_ANNEN: ['Egentransport', 'Annen egentransport.'],
  UTLEIE: ['Utleie', 'Utleie uten fører.'],
  ERVERVSTRANSPORT: ['Ervervsmessig transport', 'Transport mot vederlag.'],
};

const ORDINARY_TYPE = kode('ORDINART', 'Ordinære kjennemerker', 'Sorte tegn på hvit bunn');

/** Technical data of any record: generated lazily, or as mapped from its eCoC document. */
export function techOf(dataset: Dataset, record: VehicleRecord): TechSpec {
  return record.prereg ? record.prereg.tech : generatedTech(dataset.seed, record);
}

/**
 * The vehicle as it was at `at` (ms since epoch; undefined = now), as part of a bulk or a search answer. Undefined
 * when the vehicle did not exist yet.
 */
export function vehicleAt(
  dataset: Dataset,
  record: VehicleRecord,
  at?: number,
  answer: AnswerKind = 'bulk',
): KjoretoyDto | undefined {
  if (at !== undefined && at < record.existsFrom) return undefined;
  const tech = techOf(dataset, record);
  const t = at ?? Number.POSITIVE_INFINITY;
  const ordinary = currentOrdinaryPlate(record, at);

  const kjoretoyId: Record<string, unknown> = {};
  if (ordinary) kjoretoyId.kjennemerke = displayPlate(ordinary);
  kjoretoyId.understellsnummer = record.vin;
  if (answer !== 'bulk') kjoretoyId.kuid = record.kuid;

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
      kjoringensArt: kode(
        owner?.kjoringensArt ?? 'EGENTRANSP_ANNEN',
        ...KJORINGENS_ART[owner?.kjoringensArt ?? 'EGENTRANSP_ANNEN'],
      ),
    };
    if (status.tom !== undefined) registrering.tilTidspunkt = osloDateTime(status.tom);
    // Recorded in 2 of 24 real vehicles and absent from the rest (docs/upstreams.md §3): here about one in ten.
    if (owner && record.index % 10 === 0) registrering.registrertForstegangPaEierskap = osloDateTime(owner.fom);
    // A date-time, despite its name (docs/upstreams.md §3).
    if (status.status === 'AVREGISTRERT') registrering.avregistrertSidenDato = osloDateTime(status.fom);
    dto.registrering = registrering;
  }

  dto.godkjenning = godkjenning(dataset, record, tech);
  dto.periodiskKjoretoyKontroll = periodicInspection(dataset, record, tech);
  if (owner) dto.eierskap = eierskap(dataset, owner, answer);
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

  const classInfo = classOf(tech);
  const klassNavn = tech.klassNavn ?? classInfo?.navn;
  const kjoretoyklassifisering: Record<string, unknown> = { tekniskKode: tekniskKode(tech, classInfo) };
  if (klassNavn) kjoretoyklassifisering.beskrivelse = klassNavn;
  if (tech.avgiftsKode) {
    const texts = classInfo?.avgiftsKode === tech.avgiftsKode ? classInfo.avgift : [];
    kjoretoyklassifisering.kjoretoyAvgiftsKode = kode(tech.avgiftsKode, ...texts);
  }
  if (tech.typeApprovalNumber)
    kjoretoyklassifisering.efTypegodkjenning = { typegodkjenningNrTekst: tech.typeApprovalNumber };

  result.tekniskGodkjenning = { kjoretoyklassifisering, tekniskeData: tekniskeData(tech) };
  addRegisterDetail(result, tech);
  return result;
}

function classOf(tech: TechSpec): ClassInfo | undefined {
  return CLASSES[tech.klass as VehicleClass] as ClassInfo | undefined;
}

/** The vehicle class with its name and text, as both places that carry it in real answers have it. */
function tekniskKode(tech: TechSpec, classInfo = classOf(tech)): Kodeverk {
  return kode(tech.klass, tech.klassNavn ?? classInfo?.navn, classInfo?.beskrivelse);
}

function tekniskeData(tech: TechSpec): Record<string, unknown> {
  const generelt: Record<string, unknown> = { tekniskKode: tekniskKode(tech) };
  if (tech.make) generelt.merke = [{ merke: tech.make, ...(tech.makeCode ? { merkeKode: tech.makeCode } : {}) }];
  if (tech.commercialName) generelt.handelsbetegnelse = [tech.commercialName];
  if (tech.typebetegnelse) generelt.typebetegnelse = tech.typebetegnelse;
  if (tech.fabrikant) generelt.fabrikant = [{ fabrikantNavn: tech.fabrikant }];
  const data: Record<string, unknown> = { generelt };

  if (tech.engine) {
    const { engine } = tech;
    const drivstoff = (f: (typeof engine.fuels)[number], hybridElectric: boolean) => ({
      drivstoffKode: kode(f.fuel.kodeVerdi, f.fuel.kodeNavn, f.fuel.kodeNavn, 'TEKNISKEDATA.DRIVSTOFFTYPE'),
      // The recorded plug-in hybrid's electric motor also has a one-hour power, a little over half its peak.
      ...(hybridElectric && f.kw !== undefined ? { maksEffektPrTime: Math.round(f.kw * 5.3) / 10 } : {}),
      ...(f.kw !== undefined ? { maksNettoEffekt: f.kw } : {}),
    });
    const hybrid = tech.powertrain === 'HYBRID' || tech.powertrain === 'PLUGIN';
    // Hybrids as the recorded one: the combustion engine first, then a motor of its own for the electric drive.
    const [first, ...rest] = engine.fuels;
    const motor: Record<string, unknown> = {
      drivstoff: (hybrid ? [first] : engine.fuels).map((f) => drivstoff(f, false)),
    };
    if (engine.cylinders !== undefined) motor.antallSylindre = engine.cylinders;
    if (engine.cc !== undefined) motor.slagvolum = engine.cc;
    if (engine.motorKode) motor.motorKode = engine.motorKode;
    const motors = [motor];
    if (hybrid && rest.length > 0) {
      const electric: Record<string, unknown> = { drivstoff: rest.map((f) => drivstoff(f, true)) };
      if (engine.motorKode) electric.motorKode = engine.motorKode;
      motors.push(electric);
    }
    const [hybridValue, hybridName, hybridText] =
      tech.powertrain === 'HYBRID'
        ? HYBRID_CATEGORIES.HYBRID
        : tech.powertrain === 'PLUGIN'
          ? HYBRID_CATEGORIES.PLUGIN
          : HYBRID_CATEGORIES.NONE;
    const motorOgDrivverk: Record<string, unknown> = {
      // Always present in real answers, INGEN for everything that is not a hybrid.
      hybridKategori: kode(hybridValue, hybridName, hybridText, 'TEKNISKEDATA.HYBRIDKATEGORI'),
      motor: motors,
      utelukkendeElektriskDrift: tech.powertrain === 'ELECTRIC',
    };
    if (tech.maxSpeed !== undefined) motorOgDrivverk.maksimumHastighet = [tech.maxSpeed];
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
  if (tech.colour) karosseri.rFarge = [kode(tech.colour[0], tech.colour[1], undefined, 'TEKNISKEDATA.KAROSSERIFARGE')];
  if (Object.keys(karosseri).length) data.karosseriOgLasteplan = karosseri;

  const miljodata = environmentData(tech);
  if (miljodata) data.miljodata = miljodata;
  if (tech.seats !== undefined)
    data.persontall = compact({ sitteplasserTotalt: tech.seats, sitteplasserForan: tech.seatsFront });
  if (tech.tyre)
    data.dekkOgFelg = { akselDekkOgFelgKombinasjon: [{ akselDekkOgFelg: [{ dekkdimensjon: tech.tyre }] }] };
  return data;
}

const EURO_TEXTS: Record<string, string> = {
  '5L': 'Euro 5L - EF 715/2007*EF 459/2012 (med bokstavene A til M)',
  '6L': 'Euro 6L - EF 715/2007*EF 459/2012 (med bokstavene N til ZC)',
};

/**
 * `miljodata` as real answers place it (docs/upstreams.md §3): WLTP vehicles keep CO2 and electric range in
 * `forbrukOgUtslipp[].wltpKjoretoyspesifikk` (plug-in hybrids: weighted CO2 with the fuel, range with electricity);
 * NEDC vehicles keep CO2 at the top of `forbrukOgUtslipp[]`. No top-level `rekkeviddeKm` was ever seen, so an NEDC
 * electric vehicle has none.
 */
function environmentData(tech: TechSpec): Record<string, unknown> | undefined {
  if (!tech.euroKlasse && tech.co2 === undefined && tech.rekkeviddeKm === undefined) return undefined;
  const miljodata: Record<string, unknown> = {};
  if (tech.euroKlasse) {
    // Real answers repeat the long text in both fields; 5L and 6L are recorded, the others' texts synthetic.
    const text = EURO_TEXTS[tech.euroKlasse] ?? `Euro ${tech.euroKlasse}`;
    miljodata.euroKlasse = kode(tech.euroKlasse, text, text, 'TEKNISKEDATA.AVGASSKODE');
  }
  const fuel = tech.engine?.fuels[0]?.fuel;
  if (!fuel) return miljodata;
  const wltp = tech.malemetode === 'WLTP';
  const malemetode = wltp
    ? kode('WLTP', 'MALEMETODETYPE_WLTP', 'WLTP', 'MALEMETODETYPE')
    : kode('NEDC', 'MALEMETODETYPE_NEDC', 'NEDC (Lette kjøretøy)', 'MALEMETODETYPE');
  const group = (drivstoff: { kodeVerdi: string; kodeNavn: string }, values: Record<string, number | undefined>) => {
    const entry: Record<string, unknown> = { malemetode };
    const present = compact(values);
    if (present) Object.assign(entry, wltp ? { wltpKjoretoyspesifikk: present } : present);
    return {
      drivstoffKodeMiljodata: kode(
        drivstoff.kodeVerdi,
        drivstoff.kodeNavn,
        drivstoff.kodeNavn,
        'TEKNISKEDATA.DRIVSTOFFTYPE',
      ),
      forbrukOgUtslipp: [entry],
    };
  };
  const groups: Record<string, unknown>[] = [];
  if (!wltp) {
    groups.push(group(fuel, { co2BlandetKjoring: tech.co2, forbrukBlandetKjoring: tech.forbruk }));
  } else if (tech.powertrain === 'ELECTRIC') {
    groups.push(group(fuel, { rekkeviddeKmBlandetkjoring: tech.rekkeviddeKm }));
  } else if (tech.powertrain === 'PLUGIN') {
    groups.push(group(fuel, { co2VektetKombinert: tech.co2, forbrukVektetKombinert: tech.forbruk }));
    const electric = tech.engine?.fuels.find((f) => f.fuel.kodeVerdi === '5')?.fuel;
    if (electric) groups.push(group(electric, { rekkeviddeKmBlandetkjoring: tech.rekkeviddeKm }));
  } else {
    groups.push(group(fuel, { co2Kombinert: tech.co2, forbrukKombinert: tech.forbruk }));
  }
  miljodata.miljoOgdrivstoffGruppe = groups;
  return miljodata;
}

/**
 * Only the current deadline, as bulk answers carry it (ignores dtg, as SVV does); `{}` for vehicles without
 * EU-kontroll and for about a fifth of the others, so about a third of all answers have nothing here.
 */
function periodicInspection(dataset: Dataset, record: VehicleRecord, tech: TechSpec): Record<string, string> {
  if (!tech.inspected || record.firstReg === undefined) return {};
  const rng = rngFor(dataset.seed, record.index, 6);
  if (rng() < 0.2) return {};
  const [firstYears, interval] = classOf(tech)?.inspectionYears ?? [4, 2];
  const year = 365.25 * DAY_MS;
  let due = record.firstReg + firstYears * year;
  // Advance to the first deadline after the dataset's "today", then let some vehicles be overdue.
  while (due < dataset.anchor) due += interval * year;
  if (rng() < 0.08 && due - interval * year > record.firstReg) due -= interval * year;
  return { kontrollfrist: osloDate(due) };
}

function eierskap(dataset: Dataset, period: OwnerPeriod, answer: AnswerKind): Record<string, unknown> {
  const result: Record<string, unknown> = { eier: personEnhet(dataset, period.eier, period, answer) };
  if (period.medeier !== undefined) result.medeier = personEnhet(dataset, period.medeier, period, answer);
  if (period.leasingtaker !== undefined) {
    result.leasingtaker = personEnhet(dataset, period.leasingtaker, period, answer);
  }
  result.vedtakstidspunkt = osloDateTime(period.fom + 52);
  return result;
}

/**
 * An owner, co-owner or lessee. Bulk answers (`EierskapBegrenset`) carry no fødselsnummer, erUverifisert or
 * adressestatus; v2 search answers do (docs/upstreams.md §3, §5).
 */
function personEnhet(
  dataset: Dataset,
  party: PartyId,
  period: OwnerPeriod,
  answer: AnswerKind,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  if (isOrgParty(party)) {
    const org = dataset.organisation(orgIndexOf(party));
    result.adresse = { ...org.adresse };
    result.enhet = { organisasjonsnavn: org.organisasjonsnavn, organisasjonsnummer: org.organisasjonsnummer };
  } else {
    const p = dataset.person(party);
    result.adresse = { ...p.adresse };
    const person: Record<string, unknown> = { etternavn: p.etternavn, fodselsdato: p.fodselsdato, fornavn: p.fornavn };
    if (p.mellomnavn) person.mellomnavn = p.mellomnavn;
    if (answer !== 'bulk') {
      if (answer === 'search-fnr') person.fodselsnummer = p.fodselsnummer;
      result.adressestatus = kode('VANLIG_BOSATT', 'Vanlig bosatt');
    }
    result.person = person;
  }
  result.fomTidspunkt = osloDateTime(period.fom);
  if (period.tom !== undefined) result.tilTidspunkt = osloDateTime(period.tom);
  if (answer !== 'bulk') result.erUverifisert = false;
  return result;
}

function compact(values: Record<string, number | undefined>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out[k] = v;
  return Object.keys(out).length ? out : undefined;
}
