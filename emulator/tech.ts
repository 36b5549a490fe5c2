import { CLASSES, COLOUR_WEIGHTS, COLOURS, FUELS, MODELS, type FuelInfo, type Powertrain } from './catalogue';
import { chance, intBetween, pickWeighted, rngFor } from './prng';
import type { VehicleRecord } from './dataset';

/**
 * Technical data of one vehicle in a neutral form: generated lazily for synthetic vehicles (from seed and index, so
 * it never has to be stored), or mapped from an accepted eCoC document. dto.ts turns it into SVV's tekniskeData.
 */
export interface TechSpec {
  /** tekniskKode, e.g. M1. */
  klass: string;
  klassNavn?: string;
  avgiftsKode?: string;
  make?: string;
  makeCode?: string;
  commercialName?: string;
  typebetegnelse?: string;
  variant?: string;
  version?: string;
  fabrikant?: string;
  typeApprovalNumber?: string;
  powertrain?: Powertrain;
  engine?: { cylinders?: number; cc?: number; motorKode?: string; fuels: { fuel: FuelInfo; kw?: number }[] };
  maxSpeed?: number;
  egenvekt?: number;
  tillattTotalvekt?: number;
  nyttelast?: number;
  tilhengerMedBrems?: number;
  tilhengerUtenBrems?: number;
  vogntogvekt?: number;
  taklast?: number;
  lengde?: number;
  bredde?: number;
  hoyde?: number;
  akselavstand?: number;
  axles?: number;
  karosseri?: [string, string];
  doors?: number;
  colour?: [string, string];
  euroKlasse?: string;
  co2?: number;
  forbruk?: number;
  rekkeviddeKm?: number;
  malemetode?: 'WLTP' | 'NEDC';
  seats?: number;
  seatsFront?: number;
  tyre?: string;
  /** Periodic inspection (EU-kontroll) applies. */
  inspected: boolean;
}

const round10 = (n: number) => Math.round(n / 10) * 10;

/** Technical data of a generated vehicle; the same (seed, record) always gives the same values. */
export function generatedTech(seed: number, record: VehicleRecord): TechSpec {
  const model = MODELS[record.model];
  const info = CLASSES[model.klass];
  const rng = rngFor(seed, record.index, 3);
  const year = new Date(record.firstReg ?? record.existsFrom).getUTCFullYear();
  const pt = record.powertrain;
  const kw = intBetween(rng, model.kw[0], model.kw[1]);
  const egenvekt = round10(intBetween(rng, model.egenvekt[0], model.egenvekt[1]));
  const tillattTotalvekt = round10(egenvekt + model.payload + intBetween(rng, 0, 60));
  const colour = pickWeighted(rng, COLOURS, COLOUR_WEIGHTS);
  const wltp = year >= 2018;

  const tech: TechSpec = {
    klass: model.klass,
    klassNavn: info.navn,
    avgiftsKode: info.avgiftsKode,
    make: model.make,
    makeCode: model.makeCode,
    commercialName: model.model,
    typebetegnelse: model.typebetegnelse,
    fabrikant: model.make,
    typeApprovalNumber: `e${intBetween(rng, 1, 13)}*2007/46*${String(intBetween(rng, 1, 2999)).padStart(4, '0')}*${String(intBetween(rng, 0, 12)).padStart(2, '0')}`,
    powertrain: pt,
    egenvekt,
    tillattTotalvekt,
    nyttelast: tillattTotalvekt - egenvekt - (model.seats > 0 ? 75 : 0),
    lengde: model.dims[0],
    bredde: model.dims[1],
    hoyde: model.dims[2],
    axles:
      model.klass === 'N3' || model.klass === 'M3'
        ? intBetween(rng, 2, 3)
        : model.klass === 'L3e' || model.klass === 'O1'
          ? model.klass === 'L3e'
            ? 2
            : 1
          : 2,
    karosseri: model.karosseri,
    colour,
    inspected: info.inspected,
  };
  if (model.doors > 0) tech.doors = model.doors;
  if (model.seats > 0) {
    tech.seats = model.seats;
    tech.seatsFront = Math.min(model.seats, model.klass === 'L3e' ? 1 : 2);
  }
  if (pt === 'NONE') return tech;

  const fuels: { fuel: FuelInfo; kw?: number }[] = [];
  if (pt === 'ELECTRIC') fuels.push({ fuel: FUELS.ELECTRIC, kw });
  else if (pt === 'DIESEL') fuels.push({ fuel: FUELS.DIESEL, kw });
  else fuels.push({ fuel: FUELS.PETROL, kw });
  if (pt === 'HYBRID' || pt === 'PLUGIN') fuels.push({ fuel: FUELS.ELECTRIC, kw: Math.round(kw * 0.6) });
  tech.engine = {
    cylinders: pt === 'ELECTRIC' ? undefined : model.cylinders,
    cc: pt === 'ELECTRIC' ? undefined : model.cc,
    motorKode: `${model.typebetegnelse}${intBetween(rng, 10, 99)}`,
    fuels,
  };
  tech.maxSpeed = model.klass === 'N3' || model.klass === 'M3' ? 90 : intBetween(rng, 150, 250);
  if (model.klass === 'M1' || model.klass === 'N1') {
    tech.tilhengerMedBrems = pt === 'ELECTRIC' && chance(rng, 0.3) ? 0 : round10(intBetween(rng, 1000, 2000));
    tech.tilhengerUtenBrems = 750;
    tech.vogntogvekt = tillattTotalvekt + tech.tilhengerMedBrems;
    tech.taklast = intBetween(rng, 5, 10) * 10;
  }
  // Real values look like 6L, 5M, 5T, or 0 for an EV; the letter by vehicle kind is the emulator's guess [I].
  if (pt === 'ELECTRIC') tech.euroKlasse = '0';
  else {
    const stage = year < 2001 ? 2 : year < 2006 ? 3 : year < 2011 ? 4 : year < 2015 ? 5 : 6;
    const kind = model.klass === 'N3' || model.klass === 'M3' ? 'T' : model.klass === 'N1' ? 'M' : 'L';
    tech.euroKlasse = `${stage}${kind}`;
  }
  tech.malemetode = wltp ? 'WLTP' : 'NEDC';
  if (pt === 'ELECTRIC') tech.rekkeviddeKm = intBetween(rng, 230, 610);
  else if (model.klass === 'M1' || model.klass === 'N1' || model.klass === 'L3e') {
    const base =
      pt === 'PLUGIN'
        ? intBetween(rng, 18, 45)
        : pt === 'HYBRID'
          ? intBetween(rng, 88, 125)
          : intBetween(rng, 105, 185);
    tech.co2 = model.klass === 'N1' ? base + 40 : base;
    tech.forbruk = Math.round((tech.co2 / 23.5) * 10) / 10;
    if (pt === 'PLUGIN') tech.rekkeviddeKm = intBetween(rng, 40, 80);
  }
  return tech;
}
