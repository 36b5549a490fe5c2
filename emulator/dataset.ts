import {
  fodselsnummerFrom,
  formatKjennemerkeSvv,
  normaliseKjennemerke,
  normaliseVin,
  organisasjonsnummerFrom,
} from './identifiers';
import {
  CLASS_WEIGHTS,
  CLASSES,
  COMPANY_FORMS,
  COMPANY_TRADES,
  COMPANY_WORDS,
  ELECTRIC_PLATE_PREFIXES,
  FIRST_NAMES,
  FLEET_OWNERS,
  FYLKER,
  LAST_NAMES,
  LEASING_COMPANIES,
  MIDDLE_NAMES,
  MODELS,
  PERSONAL_PLATE_WORDS,
  PLATE_PREFIXES,
  POPULAR_NAMES,
  POST_PLACE_WEIGHTS,
  POST_PLACES,
  SHORT_PLATE_PREFIXES,
  STREETS,
  type ModelSpec,
  type PostPlace,
  type Powertrain,
  type VehicleClass,
} from './catalogue';
import {
  affinePermutation,
  chance,
  intBetween,
  mixSeed,
  pick,
  pickWeighted,
  reseedableRng,
  rngFor,
  type Permutation,
  type Rng,
} from './prng';
import { DAY_MS, osloDateTime } from './time';
import type { TechSpec } from './tech';

/**
 * The emulator's synthetic vehicle register. Deterministic from (seed, size): vehicle i is generated from its own
 * PRNG stream, so the same seed always yields the same plates, owners and histories.
 *
 * Only what the indexes need is built eagerly (identifiers, plate/owner/status periods as small numbers); owner
 * persons/organisations and technical data are generated lazily from (seed, index) when a response needs them.
 * All fødselsnummer are synthetic (month + 80, Tenor style) and all organisasjonsnummer start with 3, a range
 * Brønnøysund never hands out to real entities; both carry valid mod-11 check digits.
 */

/** ≥ 0: person index; < 0: organisation, index = -1 - id. */
export type PartyId = number;
export const orgParty = (orgIndex: number): PartyId => -1 - orgIndex;
export const isOrgParty = (id: PartyId): boolean => id < 0;
export const orgIndexOf = (id: PartyId): number => -1 - id;

export type PlateCategory = 'KJORETOY' | 'PERSONLIG';
export interface PlatePeriod {
  /** Normalised (no space). */
  plate: string;
  kategori: PlateCategory;
  fom: number;
  tom?: number;
}

export type KjoringensArt = 'EGENTRANSP_ANNEN' | 'UTLEIE' | 'ERVERVSTRANSPORT';
export interface OwnerPeriod {
  fom: number;
  tom?: number;
  eier: PartyId;
  medeier?: PartyId;
  leasingtaker?: PartyId;
  kjoringensArt: KjoringensArt;
}

export type RegStatus = 'REGISTRERT' | 'AVREGISTRERT' | 'UREGISTRERT' | 'UTFORT' | 'VRAKET';
export interface StatusPeriod {
  status: RegStatus;
  fom: number;
  tom?: number;
}

export interface PreRegistration {
  iviReferanse: string;
  receivedAt: number;
  tech: TechSpec;
  /** Maskinporten client that sent it: only the sender may withdraw by IVI reference. */
  clientId?: string;
}

export interface VehicleRecord {
  /** Position in the dataset; generated vehicles are 0..n-1, pre-registered ones follow. */
  index: number;
  kuid: string;
  /** Normalised understellsnummer. */
  vin: string;
  /** Index into MODELS; -1 for pre-registered vehicles (their data is in `prereg.tech`). */
  model: number;
  powertrain: Powertrain;
  /** First registration in Norway; undefined while only pre-registered. */
  firstReg?: number;
  /** Lookups at an earlier dtg answer "not found". */
  existsFrom: number;
  /** Used import: first registered abroad. */
  imported: boolean;
  plates: PlatePeriod[];
  owners: OwnerPeriod[];
  statuses: StatusPeriod[];
  prereg?: PreRegistration;
  /**
   * SVV withholds this vehicle's data: lookups answer `OPPLYSNINGER_UTILGJENGELIG` instead of the vehicle, and
   * searches leave it out (docs/upstreams.md §4, §14).
   */
  withheld: boolean;
}

export interface Address {
  adresselinje1: string;
  postnummer: string;
  poststed: string;
  kommunenummer: string;
  kommunenavn: string;
  land: string;
  landkode: string;
}

export interface Person {
  fornavn: string;
  mellomnavn?: string;
  etternavn: string;
  fodselsdato: string;
  fodselsnummer: string;
  adresse: Address;
  /** Upper-case "FORNAVN [MELLOMNAVN] ETTERNAVN". */
  fullName: string;
}

export interface Organisation {
  organisasjonsnummer: string;
  organisasjonsnavn: string;
  adresse: Address;
}

export interface DatasetOptions {
  seed?: number;
  vehicles?: number;
  /**
   * The dataset's "today": every generated event lies before it. Fixed by default so a seed gives the same data on
   * any day (fixtures can rely on it); inspection deadlines lie up to two years after it.
   */
  anchor?: number;
}

export interface SearchFilters {
  postnummer?: string;
  poststed?: string;
  /** Fylke name or two-digit number. */
  fylke?: string;
  /** YYYY-MM-DD; persons only. */
  fodselsdato?: string;
  /** true: persons only, false: organisations only. */
  erPerson?: boolean;
}

export const DEFAULT_SEED = 20261123;
export const DEFAULT_VEHICLES = 3000;
export const DEFAULT_ANCHOR = Date.UTC(2026, 10, 1, 12, 0, 0);

const FLEET_ORGS = FLEET_OWNERS.length;
const SPECIAL_ORGS = FLEET_ORGS + LEASING_COMPANIES.length;
/** Birth dates 1940-01-01 .. 2005-12-31, each with this many individual-number slots (8 numbers per slot). */
const BIRTH_FROM = Date.UTC(1940, 0, 1);
const BIRTH_DAYS = Math.floor((Date.UTC(2005, 11, 31) - BIRTH_FROM) / DAY_MS) + 1;
const FNR_SLOTS_PER_DAY = 62;
const MAX_AGE_DAYS = 30 * 365;
const VIN_CHARS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
/** Share of generated vehicles whose data SVV withholds (the real share is unknown; enough for tests to find some). */
const WITHHELD_SHARE = 0.01;
const VIN_YEAR_CODES = 'ABCDEFGHJKLMNPRSTVWXY123456789';

/** One family of ordinary plates: allocation number k ↔ plate through a permutation, so no plate index is needed. */
interface PlateSpace {
  prefixes: readonly string[];
  digits: 4 | 5;
  permutation: Permutation;
  /** Allocation number → record index. */
  holders: number[];
}

export class Dataset {
  readonly seed: number;
  readonly size: number;
  readonly anchor: number;
  readonly personCount: number;
  readonly orgCount: number;
  /** Share of cars and vans owned by the fleet companies: ≥ 20 %, more in small datasets so each still has > 100. */
  private readonly fleetShare: number;

  private readonly records: (VehicleRecord | undefined)[] = [];
  /*
   * Lookups without big Maps (100k string keys would dominate start-up): kuids, ordinary plates and ISO VINs are
   * computed from the record index, so they are decoded back to it and checked against the record. Only personal
   * plates, irregular VINs and pre-registered VINs live in maps.
   */
  private readonly plateSpaces: PlateSpace[];
  /** Personal plate → record index, or indexes when the plate moved between vehicles. */
  private readonly personalPlates = new Map<string, number | number[]>();
  /** Irregular and pre-registered VINs → record index(es); several vehicles may share an irregular VIN. */
  private readonly otherVins = new Map<string, number | number[]>();
  private readonly persons = new Map<number, Person>();
  private readonly orgs = new Map<number, Organisation>();
  private readonly orgByNumber = new Map<string, number>();
  private readonly kuidPermutation: Permutation;
  private readonly fnrPermutation: Permutation;
  private readonly orgPermutation: Permutation;
  private nameIndex?: Map<string, number[]>;
  private orgVehicleIndex?: Map<number, number[]>;

  constructor(options: DatasetOptions = {}) {
    this.seed = (options.seed ?? DEFAULT_SEED) >>> 0;
    this.size = Math.max(1, Math.floor(options.vehicles ?? DEFAULT_VEHICLES));
    this.anchor = options.anchor ?? DEFAULT_ANCHOR;
    this.personCount = Math.max(50, Math.round(this.size * 0.75));
    this.orgCount = SPECIAL_ORGS + Math.max(20, Math.round(this.size * 0.06));
    this.fleetShare = Math.max(0.2, Math.min(0.6, 500 / this.size));
    this.kuidPermutation = affinePermutation(9_000_000_000, mixSeed(this.seed, 11));
    this.fnrPermutation = affinePermutation(BIRTH_DAYS * FNR_SLOTS_PER_DAY, mixSeed(this.seed, 12));
    this.orgPermutation = affinePermutation(1_000_000, mixSeed(this.seed, 13));
    for (let o = 0; o < this.orgCount; o++) this.orgByNumber.set(this.orgNumber(o), o);
    this.plateSpaces = [
      this.plateSpace(PLATE_PREFIXES, 5, 21),
      this.plateSpace(ELECTRIC_PLATE_PREFIXES, 5, 22),
      this.plateSpace(SHORT_PLATE_PREFIXES, 4, 23),
    ];
    this.generate();
  }

  // ---------------------------------------------------------------- generation

  private generate(): void {
    const [ordinarySpace, electricSpace, shortSpace] = this.plateSpaces;
    const usedPersonal = new Set<string>();
    const releasedPersonal: { plate: string; releasedAt: number }[] = [];
    const classes = CLASS_WEIGHTS.map(([c]) => c);
    const classWeights = CLASS_WEIGHTS.map(([, w]) => w);
    let lastIrregularVin: string | undefined;
    const rng = reseedableRng();

    for (let i = 0; i < this.size; i++) {
      rng.reseed(mixSeed(this.seed, i, 1));
      const klass = pickWeighted(rng, classes, classWeights);
      const ageDays = Math.floor(Math.pow(rng(), 1.6) * MAX_AGE_DAYS) + 20;
      const firstReg =
        this.anchor - ageDays * DAY_MS - intBetween(rng, 2, 10) * 3_600_000 - intBetween(rng, 0, 3_599_999);
      const year = new Date(firstReg).getUTCFullYear();
      const modelIndex = this.pickModel(rng, klass, year);
      const model = MODELS[modelIndex];
      const powertrain = pick(rng, model.powertrains);

      // Plates: an ordinary one (sometimes replaced once), and now and then a personal plate on top.
      const space = CLASSES[klass].shortPlate ? shortSpace : powertrain === 'ELECTRIC' ? electricSpace : ordinarySpace;
      const plates: PlatePeriod[] = [];
      const first = this.allocatePlate(space, i);
      if (ageDays > 800 && chance(rng, 0.08)) {
        const change = firstReg + intBetween(rng, 200, ageDays - 100) * DAY_MS;
        plates.push({ plate: first, kategori: 'KJORETOY', fom: firstReg, tom: change });
        plates.push({ plate: this.allocatePlate(space, i), kategori: 'KJORETOY', fom: change });
      } else {
        plates.push({ plate: first, kategori: 'KJORETOY', fom: firstReg });
      }
      if ((klass === 'M1' || klass === 'L3e') && ageDays > 120 && chance(rng, 0.035)) {
        const fom = firstReg + intBetween(rng, 30, ageDays - 60) * DAY_MS;
        const reused = releasedPersonal.findIndex((r) => r.releasedAt < fom);
        let plate: string;
        if (reused >= 0) {
          plate = releasedPersonal[reused].plate;
          releasedPersonal.splice(reused, 1);
        } else {
          plate = this.newPersonalPlate(rng, usedPersonal);
        }
        const period: PlatePeriod = { plate, kategori: 'PERSONLIG', fom };
        const daysLeft = Math.floor((this.anchor - fom) / DAY_MS);
        // Personal plates move with their owner to the next car: release some, for a later vehicle to take over.
        if (daysLeft > 90 && chance(rng, 0.35)) {
          period.tom = fom + intBetween(rng, 20, daysLeft - 60) * DAY_MS;
          releasedPersonal.push({ plate, releasedAt: period.tom });
        }
        plates.push(period);
      }

      const statuses = this.statusHistory(rng, firstReg, ageDays);
      const lastStatus = statuses[statuses.length - 1];
      const ownershipEnd =
        lastStatus.status === 'VRAKET' || lastStatus.status === 'UTFORT' ? lastStatus.fom : this.anchor;
      const owners = this.ownerHistory(rng, klass, firstReg, ownershipEnd);

      let irregular: string | undefined;
      if (year < 1999 && chance(rng, 0.12)) {
        // Old vehicles carry irregular, shorter numbers; a few are even shared by two vehicles.
        irregular = lastIrregularVin && chance(rng, 0.2) ? lastIrregularVin : this.irregularVin(rng, model, i);
        lastIrregularVin = irregular;
      }
      const vin = irregular ?? this.isoVin(rng, model, year, i);

      const record: VehicleRecord = {
        index: i,
        kuid: this.kuidFor(i),
        vin,
        model: modelIndex,
        powertrain,
        firstReg,
        existsFrom: firstReg,
        imported: chance(rng, 0.1),
        plates,
        owners,
        statuses,
        withheld: false,
      };
      // Its own stream (the next vehicle reseeds anyway), so the flag leaves every other generated value as it was.
      rng.reseed(mixSeed(this.seed, i, 9));
      record.withheld = rng() < WITHHELD_SHARE;
      this.insert(record, irregular === undefined);
    }
  }

  private pickModel(rng: Rng, klass: VehicleClass, year: number): number {
    let candidates: number[] = [];
    for (let m = 0; m < MODELS.length; m++) {
      if (MODELS[m].klass === klass && MODELS[m].fromYear <= year) candidates.push(m);
    }
    if (candidates.length === 0) candidates = MODELS.map((_, m) => m).filter((m) => MODELS[m].klass === klass);
    return pickWeighted(
      rng,
      candidates,
      candidates.map((m) => MODELS[m].weight),
    );
  }

  private plateSpace(prefixes: readonly string[], digits: 4 | 5, stream: number): PlateSpace {
    const capacity = prefixes.length * (digits === 5 ? 90_000 : 9_000);
    return { prefixes, digits, holders: [], permutation: affinePermutation(capacity, mixSeed(this.seed, stream)) };
  }

  /**
   * Unique per space: allocation number k maps through a permutation to (prefix, number), so plates look scattered.
   * Capacities (1.44M ordinary, 810k electric, 216k short plates) cover the 1M-vehicle config maximum; past them
   * numbers would repeat.
   */
  private allocatePlate(space: PlateSpace, index: number): string {
    const perPrefix = space.digits === 5 ? 90_000 : 9_000;
    const base = space.digits === 5 ? 10_000 : 1_000;
    const k = space.holders.length;
    space.holders.push(index);
    const slot = space.permutation.forward(k % (space.prefixes.length * perPrefix));
    return `${space.prefixes[Math.floor(slot / perPrefix)]}${base + (slot % perPrefix)}`;
  }

  /** Records that ever carried `plate` (normalised). */
  private plateHolders(plate: string): number[] {
    const m = /^([A-Z]{2})(\d{4,5})$/.exec(plate);
    if (!m) return multi(this.personalPlates.get(plate));
    const holders: number[] = [];
    for (const space of this.plateSpaces) {
      const prefix = space.prefixes.indexOf(m[1]);
      if (prefix < 0 || m[2].length !== space.digits) continue;
      const perPrefix = space.digits === 5 ? 90_000 : 9_000;
      const k = space.permutation.inverse(prefix * perPrefix + Number(m[2]) - (space.digits === 5 ? 10_000 : 1_000));
      if (k < space.holders.length) holders.push(space.holders[k]);
    }
    return holders;
  }

  /** Records whose VIN is `vin` (normalised): decoded from an ISO VIN's serial, or from the map. */
  private vinHolders(vin: string): number[] {
    const holders = [...multi(this.otherVins.get(vin))];
    if (vin.length === 17 && /^\d{6}$/.test(vin.slice(11))) {
      const plant = VIN_CHARS.indexOf(vin[10]);
      const index = plant * 1_000_000 + Number(vin.slice(11));
      if (plant >= 0 && this.records[index]?.vin === vin && !holders.includes(index)) holders.push(index);
    }
    return holders;
  }

  private newPersonalPlate(rng: Rng, used: Set<string>): string {
    for (let attempt = 0; attempt < 20; attempt++) {
      const word = pick(rng, PERSONAL_PLATE_WORDS);
      const plate =
        word.length <= 5
          ? `${word}${intBetween(rng, 1, 99)}`
          : word.length === 6
            ? `${word}${intBetween(rng, 1, 9)}`
            : word;
      if (!used.has(plate)) {
        used.add(plate);
        return plate;
      }
    }
    // The word space is small; beyond it, 3 letters + 4 digits (never the 2-letter ordinary pattern).
    for (let k = used.size; ; k++) {
      const word = PERSONAL_PLATE_WORDS[k % PERSONAL_PLATE_WORDS.length];
      const plate = `${word.slice(0, 3)}${1000 + (Math.floor(k / PERSONAL_PLATE_WORDS.length) % 9000)}`;
      if (!used.has(plate)) {
        used.add(plate);
        return plate;
      }
    }
  }

  private statusHistory(rng: Rng, firstReg: number, ageDays: number): StatusPeriod[] {
    const periods: StatusPeriod[] = [{ status: 'REGISTRERT', fom: firstReg }];
    const close = (at: number, next: RegStatus) => {
      periods[periods.length - 1].tom = at;
      periods.push({ status: next, fom: at });
    };
    if (ageDays < 500) return periods;
    const r = rng();
    const at = (fromDay: number, toDay: number) =>
      firstReg + intBetween(rng, fromDay, toDay) * DAY_MS + intBetween(rng, 0, 28_800_000);
    if (r < 0.05) {
      const scrapped = at(365, ageDays - 2);
      if (chance(rng, 0.5) && scrapped - firstReg > 400 * DAY_MS)
        close(scrapped - intBetween(rng, 30, 300) * DAY_MS, 'AVREGISTRERT');
      close(scrapped, 'VRAKET');
    } else if (r < 0.06) {
      close(at(365, ageDays - 2), 'UTFORT');
    } else if (r < 0.12) {
      const deregistered = at(200, ageDays - 40);
      close(deregistered, 'AVREGISTRERT');
      const daysLeft = Math.floor((this.anchor - deregistered) / DAY_MS);
      if (daysLeft > 30 && chance(rng, 0.5))
        close(deregistered + intBetween(rng, 10, daysLeft - 5) * DAY_MS, 'REGISTRERT');
    }
    return periods;
  }

  private ownerHistory(rng: Rng, klass: VehicleClass, firstReg: number, end: number): OwnerPeriod[] {
    const r = rng();
    let count = r < 0.55 ? 1 : r < 0.8 ? 2 : r < 0.92 ? 3 : r < 0.97 ? 4 : 5;
    const spanDays = Math.floor((end - firstReg) / DAY_MS);
    if (spanDays < 60 * count) count = Math.max(1, Math.floor(spanDays / 60));
    const cuts: number[] = [];
    for (let k = 1; k < count; k++)
      cuts.push(firstReg + intBetween(rng, 30, spanDays - 1) * DAY_MS + intBetween(rng, 0, 36_000_000));
    cuts.sort((a, b) => a - b);
    const commercial = klass === 'N3' || klass === 'M3';
    const periods: OwnerPeriod[] = [];
    let fom = firstReg;
    for (let k = 0; k < count; k++) {
      const tom = k < count - 1 ? cuts[k] : undefined;
      let eier: PartyId;
      let kjoringensArt: KjoringensArt = 'EGENTRANSP_ANNEN';
      const motorVehicle = klass !== 'L3e' && klass !== 'O1' && klass !== 'O2';
      if (motorVehicle && chance(rng, commercial ? 0.5 : this.fleetShare)) {
        const fleet = intBetween(rng, 0, FLEET_ORGS - 1);
        eier = orgParty(fleet);
        kjoringensArt = fleet === 0 ? 'UTLEIE' : fleet === 1 ? 'ERVERVSTRANSPORT' : 'EGENTRANSP_ANNEN';
      } else if (chance(rng, commercial ? 0.8 : 0.12)) {
        eier = orgParty(intBetween(rng, SPECIAL_ORGS, this.orgCount - 1));
        if (commercial) kjoringensArt = 'ERVERVSTRANSPORT';
      } else {
        eier = intBetween(rng, 0, this.personCount - 1);
      }
      const period: OwnerPeriod = { fom, eier, kjoringensArt };
      if (tom !== undefined) period.tom = tom;
      if (!isOrgParty(eier) && chance(rng, 0.08)) {
        const medeier = intBetween(rng, 0, this.personCount - 1);
        if (medeier !== eier) period.medeier = medeier;
      }
      const leasable = (klass === 'M1' || klass === 'N1') && new Date(fom).getUTCFullYear() >= 2008;
      if (leasable && !(isOrgParty(eier) && orgIndexOf(eier) < FLEET_ORGS) && chance(rng, 0.15)) {
        period.leasingtaker = orgParty(FLEET_ORGS + intBetween(rng, 0, LEASING_COMPANIES.length - 1));
      }
      periods.push(period);
      if (tom !== undefined) fom = tom;
    }
    return periods;
  }

  private isoVin(rng: Rng, model: ModelSpec, year: number, index: number): string {
    let vds = '';
    for (let k = 0; k < 5; k++) vds += VIN_CHARS[Math.floor(rng() * 23)];
    const yearCode = VIN_YEAR_CODES[(year - 1980 + 30 * 10) % 30];
    const plant = VIN_CHARS[Math.floor(index / 1_000_000) % VIN_CHARS.length];
    const serial = String(index % 1_000_000).padStart(6, '0');
    const withoutCheck = `${model.wmi}${vds}0${yearCode}${plant}${serial}`;
    return `${withoutCheck.slice(0, 8)}${vinCheckDigit(withoutCheck)}${withoutCheck.slice(9)}`;
  }

  private irregularVin(rng: Rng, model: ModelSpec, index: number): string {
    const letters = model.make.replace(/[^A-Z]/g, '').slice(0, intBetween(rng, 3, 6));
    return `${letters}${index}${intBetween(rng, 10, 99999)}`.slice(0, 16);
  }

  kuidFor(index: number): string {
    return String(1_000_000_000 + this.kuidPermutation.forward(index));
  }

  private indexOfKuid(kuid: string): number | undefined {
    if (!/^\d{10}$/.test(kuid) || kuid[0] === '0') return undefined;
    const index = this.kuidPermutation.inverse(Number(kuid) - 1_000_000_000);
    return this.records[index]?.kuid === kuid ? index : undefined;
  }

  private insert(record: VehicleRecord, decodableVin: boolean): void {
    this.records[record.index] = record;
    if (!decodableVin) addToMulti(this.otherVins, record.vin, record.index);
    for (const p of record.plates)
      if (p.kategori === 'PERSONLIG') addToMulti(this.personalPlates, p.plate, record.index);
  }

  // ---------------------------------------------------------------- parties

  person(p: number): Person {
    const cached = this.persons.get(p);
    if (cached) return cached;
    const name = this.personNameParts(p);
    const { fodselsnummer, fodselsdato } = this.syntheticFnr(p);
    const person: Person = {
      fornavn: name.fornavn,
      etternavn: name.etternavn,
      fodselsdato,
      fodselsnummer,
      adresse: this.address(rngFor(this.seed, p, 7), false),
      fullName: name.fullName,
    };
    if (name.mellomnavn) person.mellomnavn = name.mellomnavn;
    this.persons.set(p, person);
    return person;
  }

  /** Only the name (its own PRNG stream), so the name-search index needs no full persons. */
  private personNameParts(p: number): { fornavn: string; mellomnavn?: string; etternavn: string; fullName: string } {
    const rng = rngFor(this.seed, p, 2);
    if (chance(rng, 0.08)) {
      const [fornavn, etternavn] = pick(rng, POPULAR_NAMES);
      return { fornavn, etternavn, fullName: `${fornavn} ${etternavn}` };
    }
    const fornavn = pick(rng, FIRST_NAMES);
    const etternavn = pick(rng, LAST_NAMES);
    if (chance(rng, 0.15)) {
      const mellomnavn = pick(rng, MIDDLE_NAMES);
      return { fornavn, mellomnavn, etternavn, fullName: `${fornavn} ${mellomnavn} ${etternavn}` };
    }
    return { fornavn, etternavn, fullName: `${fornavn} ${etternavn}` };
  }

  /**
   * Person p gets a unique (birth date, slot) through a permutation; the slot offers 8 individual numbers, of which
   * the first with valid check digits is used (all 8 failing has odds below 1e-6; then another slot is tried, which
   * could in theory repeat a number). Month + 80 marks the number as synthetic.
   */
  private syntheticFnr(p: number): { fodselsnummer: string; fodselsdato: string } {
    const capacity = BIRTH_DAYS * FNR_SLOTS_PER_DAY;
    for (let attempt = 0; ; attempt++) {
      const x = this.fnrPermutation.forward((p + attempt * 7919) % capacity);
      const day = x % BIRTH_DAYS;
      const slot = Math.floor(x / BIRTH_DAYS);
      const birth = new Date(BIRTH_FROM + day * DAY_MS);
      const y = birth.getUTCFullYear();
      const dd = String(birth.getUTCDate()).padStart(2, '0');
      const mm = String(birth.getUTCMonth() + 1 + 80);
      const yy = String(y % 100).padStart(2, '0');
      // Individual numbers 000–499 mean 1900–1999, 500–999 mean 2000–2039.
      const base = y >= 2000 ? 500 : 0;
      for (let k = 0; k < 8; k++) {
        const individual = String(base + slot * 8 + k).padStart(3, '0');
        const fnr = fodselsnummerFrom(`${dd}${mm}${yy}${individual}`);
        if (fnr) {
          const fodselsdato = `${y}-${String(birth.getUTCMonth() + 1).padStart(2, '0')}-${dd}`;
          return { fodselsnummer: fnr, fodselsdato };
        }
      }
    }
  }

  organisation(o: number): Organisation {
    const cached = this.orgs.get(o);
    if (cached) return cached;
    const rng = rngFor(this.seed, o, 4);
    let name: string;
    if (o < FLEET_ORGS) name = FLEET_OWNERS[o];
    else if (o < SPECIAL_ORGS) name = LEASING_COMPANIES[o - FLEET_ORGS];
    else {
      const word = pick(rng, COMPANY_WORDS);
      name = chance(rng, 0.5)
        ? `${word}${pick(rng, COMPANY_TRADES)} ${pick(rng, COMPANY_FORMS)}`
        : `${pick(rng, LAST_NAMES)} ${pick(rng, COMPANY_TRADES)} ${pick(rng, COMPANY_FORMS)}`;
    }
    const org: Organisation = {
      organisasjonsnummer: this.orgNumber(o),
      organisasjonsnavn: name,
      adresse: this.address(rng, true),
    };
    this.orgs.set(o, org);
    return org;
  }

  /** "3" + 7 digits + check digit; distinct organisations get disjoint candidate ranges. */
  private orgNumber(o: number): string {
    const base = 30_000_000 + this.orgPermutation.forward(o) * 10;
    for (let j = 0; j < 10; j++) {
      const orgnr = organisasjonsnummerFrom(String(base + j));
      if (orgnr) return orgnr;
    }
    throw new Error('unreachable: one of ten consecutive numbers has a valid check digit');
  }

  private address(rng: Rng, organisation: boolean): Address {
    const place: PostPlace = pickWeighted(rng, POST_PLACES, POST_PLACE_WEIGHTS);
    const line =
      organisation && chance(rng, 0.3)
        ? `Postboks ${intBetween(rng, 1, 999)}`
        : `${pick(rng, STREETS)} ${intBetween(rng, 1, 120)}${chance(rng, 0.1) ? 'B' : ''}`;
    return { adresselinje1: line, ...place, land: 'Norge', landkode: 'NOR' };
  }

  partyName(id: PartyId): string {
    if (isOrgParty(id)) return this.organisation(orgIndexOf(id)).organisasjonsnavn;
    return this.persons.get(id)?.fullName ?? this.personNameParts(id).fullName;
  }

  partyAddress(id: PartyId): Address {
    return isOrgParty(id) ? this.organisation(orgIndexOf(id)).adresse : this.person(id).adresse;
  }

  // ---------------------------------------------------------------- lookups

  get(index: number): VehicleRecord | undefined {
    return this.records[index];
  }

  /** Number of slots (generated + pre-registered, including withdrawn ones). */
  get recordCount(): number {
    return this.records.length;
  }

  *all(): IterableIterator<VehicleRecord> {
    for (const r of this.records) if (r) yield r;
  }

  /** The vehicle that carried `plate` (ordinary or personal) at `at` (ms; undefined = now). */
  findByPlate(plate: string, at?: number): VehicleRecord | undefined {
    const normalised = normaliseKjennemerke(plate);
    const t = at ?? Number.POSITIVE_INFINITY;
    for (const index of this.plateHolders(normalised)) {
      const record = this.records[index];
      if (!record || record.existsFrom > t) continue;
      if (record.plates.some((p) => p.plate === normalised && p.fom <= t && (p.tom === undefined || t < p.tom))) {
        return record;
      }
    }
    return undefined;
  }

  findByKuid(kuid: string, at?: number): VehicleRecord | undefined {
    const index = this.indexOfKuid(kuid.trim());
    const record = index === undefined ? undefined : this.records[index];
    return record && record.existsFrom <= (at ?? Number.POSITIVE_INFINITY) ? record : undefined;
  }

  findByVin(vin: string, at?: number): VehicleRecord[] {
    const t = at ?? Number.POSITIVE_INFINITY;
    const found: VehicleRecord[] = [];
    for (const i of this.vinHolders(normaliseVin(vin))) {
      const r = this.records[i];
      if (r && r.existsFrom <= t) found.push(r);
    }
    return found;
  }

  hasVin(vin: string): boolean {
    return this.vinHolders(normaliseVin(vin)).some((i) => this.records[i] !== undefined);
  }

  /** The period of `periods` that contains `at` (the last one for "now"). */
  static periodAt<T extends { fom: number; tom?: number }>(periods: T[], at?: number): T | undefined {
    const t = at ?? Number.POSITIVE_INFINITY;
    for (let k = periods.length - 1; k >= 0; k--) {
      const p = periods[k];
      if (p.fom <= t && (p.tom === undefined || t < p.tom)) return p;
    }
    return undefined;
  }

  currentOwner(record: VehicleRecord): OwnerPeriod | undefined {
    const last = record.owners[record.owners.length - 1];
    return last && last.tom === undefined ? last : undefined;
  }

  // ---------------------------------------------------------------- search

  /**
   * Vehicles whose current owner (eier) has every word of `navn` as a word of their name (case-insensitive, whole
   * words), filtered, in dataset order. Withheld vehicles are left out.
   */
  searchByOwnerName(navn: string, filters: SearchFilters = {}): VehicleRecord[] {
    const words = splitWords(navn);
    if (words.length === 0) return [];
    const index = this.ensureNameIndex();
    const lists = words.map((w) => index.get(w) ?? []);
    lists.sort((a, b) => a.length - b.length);
    let hits = lists[0];
    for (const other of lists.slice(1)) {
      const set = new Set(other);
      hits = hits.filter((i) => set.has(i));
    }
    // A repeated query word ("OLA OLA") needs the word twice in the name.
    const repeated = words.length !== new Set(words).size;
    const result: VehicleRecord[] = [];
    for (const i of hits) {
      const record = this.records[i];
      const owner = record && this.currentOwner(record);
      if (!record || !owner) continue;
      if (repeated && !containsAllWords(this.partyName(owner.eier), words)) continue;
      if (this.matchesFilters(owner.eier, filters)) result.push(record);
    }
    return result;
  }

  private matchesFilters(party: PartyId, f: SearchFilters): boolean {
    const org = isOrgParty(party);
    if (f.erPerson === true && org) return false;
    if (f.erPerson === false && !org) return false;
    if (f.fodselsdato !== undefined && (org || this.person(party).fodselsdato !== f.fodselsdato)) return false;
    const address = this.partyAddress(party);
    if (f.postnummer !== undefined && address.postnummer !== f.postnummer.trim()) return false;
    if (f.poststed !== undefined && address.poststed !== f.poststed.trim().toUpperCase()) return false;
    if (f.fylke !== undefined) {
      const wanted = f.fylke.trim().toUpperCase();
      const number = address.kommunenummer.slice(0, 2);
      if (wanted !== number && wanted !== FYLKER[number]) return false;
    }
    return true;
  }

  private ensureNameIndex(): Map<string, number[]> {
    if (this.nameIndex) return this.nameIndex;
    const index = new Map<string, number[]>();
    for (const record of this.records) {
      const owner = record && this.currentOwner(record);
      if (!record || !owner || record.withheld) continue;
      for (const word of new Set(splitWords(this.partyName(owner.eier)))) {
        const list = index.get(word);
        if (list) list.push(record.index);
        else index.set(word, [record.index]);
      }
    }
    this.nameIndex = index;
    return index;
  }

  /** Vehicles whose current eier or leasingtaker is the organisation, in dataset order; not withheld ones. */
  vehiclesOfOrganisation(organisasjonsnummer: string): VehicleRecord[] {
    const o = this.orgByNumber.get(organisasjonsnummer.trim());
    if (o === undefined) return [];
    if (!this.orgVehicleIndex) {
      const index = new Map<number, number[]>();
      const add = (party: PartyId | undefined, i: number) => {
        if (party === undefined || !isOrgParty(party)) return;
        const list = index.get(orgIndexOf(party));
        if (!list) index.set(orgIndexOf(party), [i]);
        else if (list[list.length - 1] !== i) list.push(i);
      };
      for (const record of this.records) {
        const owner = record && this.currentOwner(record);
        if (!record || !owner || record.withheld) continue;
        add(owner.eier, record.index);
        add(owner.leasingtaker, record.index);
      }
      this.orgVehicleIndex = index;
    }
    return (this.orgVehicleIndex.get(o) ?? []).map((i) => this.records[i]).filter((r): r is VehicleRecord => !!r);
  }

  // ---------------------------------------------------------------- pre-registrations (eCoC)

  /** Adds a pre-registered vehicle (no plate, status UREGISTRERT, no owner). */
  addPreRegistration(vin: string, prereg: PreRegistration): VehicleRecord {
    const index = this.records.length;
    const record: VehicleRecord = {
      index,
      kuid: this.kuidFor(index),
      vin: normaliseVin(vin),
      model: -1,
      powertrain: prereg.tech.powertrain ?? 'PETROL',
      existsFrom: prereg.receivedAt,
      imported: false,
      plates: [],
      owners: [],
      statuses: [{ status: 'UREGISTRERT', fom: prereg.receivedAt }],
      prereg,
      withheld: false,
    };
    this.insert(record, false);
    return record;
  }

  findPreRegistrationByIvi(iviReferanse: string): VehicleRecord | undefined {
    for (let i = this.size; i < this.records.length; i++) {
      const r = this.records[i];
      if (r?.prereg?.iviReferanse === iviReferanse) return r;
    }
    return undefined;
  }

  findPreRegistrationByVin(vin: string): VehicleRecord | undefined {
    return this.findByVin(vin).find((r) => r.prereg !== undefined);
  }

  /** Withdraws a pre-registration: lookups by kuid and VIN no longer find it. */
  removePreRegistration(record: VehicleRecord): void {
    if (!record.prereg || this.records[record.index] !== record) return;
    this.records[record.index] = undefined;
    const sameVin = multi(this.otherVins.get(record.vin)).filter((i) => i !== record.index);
    if (sameVin.length === 0) this.otherVins.delete(record.vin);
    else this.otherVins.set(record.vin, sameVin.length === 1 ? sameVin[0] : sameVin);
  }

  // ---------------------------------------------------------------- sample (admin API)

  /** Known identifiers for tests and examples. Withheld vehicles appear only under `withheld`. */
  sample(count: number): DatasetSample {
    const n = Math.max(1, Math.min(1000, Math.floor(count)));
    const all = this.records.slice(0, this.size).filter((r): r is VehicleRecord => !!r);
    const generated = all.filter((r) => !r.withheld);
    const stride = Math.max(1, Math.floor(generated.length / n));
    const vehicles: DatasetSample['vehicles'] = [];
    for (let k = 0; k < generated.length && vehicles.length < n; k += stride) {
      const r = generated[k];
      vehicles.push({
        kjennemerke: currentOrdinaryPlate(r) ?? '',
        kuid: r.kuid,
        understellsnummer: r.vin,
        registreringsstatus: Dataset.periodAt(r.statuses)?.status ?? 'REGISTRERT',
      });
    }
    const iso = (ms: number | undefined) => (ms === undefined ? null : osloDateTime(ms));
    const withOwnershipHistory = generated
      .filter((r) => r.owners.length >= 2)
      .slice(0, n)
      .map((r) => ({
        kjennemerke: currentOrdinaryPlate(r) ?? '',
        kuid: r.kuid,
        understellsnummer: r.vin,
        owners: r.owners.map((o) => ({ fom: iso(o.fom) as string, til: iso(o.tom) })),
      }));
    const personalPlates = generated
      .flatMap((r) =>
        r.plates
          .filter((p) => p.kategori === 'PERSONLIG' && p.tom === undefined)
          .map((p) => ({ kjennemerke: p.plate, kuid: r.kuid, understellsnummer: r.vin })),
      )
      .slice(0, n);
    const plateHistory = generated
      .filter((r) => r.plates.some((p) => p.tom !== undefined))
      .slice(0, n)
      .map((r) => ({
        kuid: r.kuid,
        plates: r.plates.map((p) => ({
          kjennemerke: p.plate,
          kategori: p.kategori,
          fom: iso(p.fom) as string,
          til: iso(p.tom),
        })),
      }));
    const sharedVins: DatasetSample['sharedVins'] = [];
    for (const [vin, list] of this.otherVins) {
      if (Array.isArray(list) && sharedVins.length < n && list.every((i) => !this.records[i]?.withheld)) {
        sharedVins.push({ understellsnummer: vin, kuids: list.map((i) => this.kuidFor(i)) });
      }
    }

    // Names: the popular ones (large result sets) first, then names of some current owners.
    const names = new Set<string>(POPULAR_NAMES.map(([f, e]) => `${f} ${e}`));
    for (let k = 0; k < generated.length && names.size < n + POPULAR_NAMES.length; k += stride) {
      const owner = this.currentOwner(generated[k]);
      if (owner && !isOrgParty(owner.eier)) names.add(this.partyName(owner.eier));
    }
    const ownerSearch = [...names]
      .map((name) => ({ name, hits: this.searchByOwnerName(name).length }))
      .filter((s) => s.hits > 0)
      .slice(0, Math.max(n, POPULAR_NAMES.length));

    const organisations: DatasetSample['organisations'] = [];
    for (let o = 0; o < this.orgCount && organisations.length < SPECIAL_ORGS + n; o++) {
      const orgnr = this.orgNumber(o);
      const count = this.vehiclesOfOrganisation(orgnr).length;
      if (count > 0)
        organisations.push({
          organisasjonsnummer: orgnr,
          organisasjonsnavn: this.organisation(o).organisasjonsnavn,
          vehicles: count,
        });
    }
    const withheld = all
      .filter((r) => r.withheld && currentOrdinaryPlate(r) !== undefined)
      .slice(0, n)
      .map((r) => ({ kjennemerke: currentOrdinaryPlate(r) ?? '', kuid: r.kuid, understellsnummer: r.vin }));
    return {
      vehicles,
      withOwnershipHistory,
      personalPlates,
      ownerSearch,
      organisations,
      plateHistory,
      sharedVins,
      withheld,
    };
  }
}

export interface DatasetSample {
  vehicles: { kjennemerke: string; kuid: string; understellsnummer: string; registreringsstatus: RegStatus }[];
  withOwnershipHistory: {
    kjennemerke: string;
    kuid: string;
    understellsnummer: string;
    owners: { fom: string; til: string | null }[];
  }[];
  personalPlates: { kjennemerke: string; kuid: string; understellsnummer: string }[];
  ownerSearch: { name: string; hits: number }[];
  organisations: { organisasjonsnummer: string; organisasjonsnavn: string; vehicles: number }[];
  /** Addition to CONTRACTS.md: vehicles whose plates changed (or whose personal plate moved on). */
  plateHistory: {
    kuid: string;
    plates: { kjennemerke: string; kategori: PlateCategory; fom: string; til: string | null }[];
  }[];
  /** Addition to CONTRACTS.md: irregular VINs carried by more than one vehicle. */
  sharedVins: { understellsnummer: string; kuids: string[] }[];
  /** Vehicles SVV withholds: a lookup answers `OPPLYSNINGER_UTILGJENGELIG`. */
  withheld: { kjennemerke: string; kuid: string; understellsnummer: string }[];
}

/** Current ordinary plate (normalised), if any. */
export function currentOrdinaryPlate(record: VehicleRecord, at?: number): string | undefined {
  return Dataset.periodAt(
    record.plates.filter((p) => p.kategori === 'KJORETOY'),
    at,
  )?.plate;
}

/** SVV's display form of a normalised plate ("CU 11306"). */
export function displayPlate(plate: string): string {
  return formatKjennemerkeSvv(plate);
}

function addToMulti(map: Map<string, number | number[]>, key: string, index: number): void {
  const existing = map.get(key);
  if (existing === undefined) map.set(key, index);
  else if (typeof existing === 'number') {
    if (existing !== index) map.set(key, [existing, index]);
  } else if (!existing.includes(index)) existing.push(index);
}

function multi(value: number | number[] | undefined): number[] {
  return value === undefined ? [] : typeof value === 'number' ? [value] : value;
}

function splitWords(text: string): string[] {
  return text
    .toUpperCase()
    .split(/[\s,.;:]+/)
    .filter(Boolean);
}

function containsAllWords(name: string, words: string[]): boolean {
  const available = splitWords(name);
  for (const w of words) {
    const at = available.indexOf(w);
    if (at < 0) return false;
    available.splice(at, 1);
  }
  return true;
}

/** ISO 3779 / North American check digit (position 9). */
const VIN_VALUES: Record<string, number> = { P: 7, R: 9 };
'ABCDEFGH'.split('').forEach((c, k) => (VIN_VALUES[c] = k + 1));
'JKLMN'.split('').forEach((c, k) => (VIN_VALUES[c] = k + 1));
'STUVWXYZ'.split('').forEach((c, k) => (VIN_VALUES[c] = k + 2));
'0123456789'.split('').forEach((c, k) => (VIN_VALUES[c] = k));
const VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

export function vinCheckDigit(vin: string): string {
  let sum = 0;
  for (let k = 0; k < 17; k++) sum += (VIN_VALUES[vin[k]] ?? 0) * VIN_WEIGHTS[k];
  const r = sum % 11;
  return r === 10 ? 'X' : String(r);
}
