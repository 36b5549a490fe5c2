import { kode } from './dto';
import type { TechSpec } from './tech';

/**
 * The register detail real `godkjenning` answers carry besides what the subgraph reads: axles, brakes, tyre and rim
 * combinations, the towbar, plate sizes, where the VIN is stamped, gearbox, emissions and noise, approval numbers,
 * remarks, and descriptions and code types on the codes it does not map (docs/upstreams.md §3). The subgraph maps none
 * of it, and codes it does map keep the emulator's own texts. It is here because real answers are that large (about
 * 10 KB a vehicle; the emulator's were 3.4 KB), and an emulator with answers a third of the real size makes every
 * benchmark of reading them flatter than reality. Values follow from the vehicle's technical data, so the same vehicle
 * always gets the same detail; keys the emulator already fills are never replaced.
 */
export function addRegisterDetail(godkjenning: Record<string, unknown>, tech: TechSpec): void {
  const teknisk = godkjenning.tekniskGodkjenning as Record<string, unknown> | undefined;
  if (!teknisk) return;
  const approvalId = String(100_000 + (checksum(tech.typeApprovalNumber ?? tech.klass) % 9_000_000));
  const validFrom = '2020-05-27';
  const undertype = kode('COC', 'COC');
  fill(godkjenning, {
    kjoretoymerknad: [
      {
        merknad: 'Egenvekt og nyttelast er veiledende - avhengig av utstyr',
        merknadtypeKode: 'TYPEGODKJENNINGSMERKNAD',
      },
    ],
    registreringsbegrensninger: { registreringsbegrensning: [] },
    tilleggsgodkjenninger: [],
  });
  if (godkjenning.forstegangsGodkjenning) {
    fill(godkjenning.forstegangsGodkjenning as Record<string, unknown>, {
      godkjenningsId: approvalId,
      godkjenningsundertype: undertype,
      gyldigFraDato: validFrom,
      gyldigFraDatoTid: `${validFrom}T00:00:00+02:00`,
      unntak: [],
    });
  }
  fill(teknisk, {
    godkjenningsId: approvalId,
    godkjenningsundertype: undertype,
    gyldigFraDato: validFrom,
    gyldigFraDatoTid: `${validFrom}T00:00:00+02:00`,
    krav: [
      {
        kravomrade: kode('AVGIFTSKLASSIFISERING_00', undefined, 'Avgiftsklassifisering'),
        kravoppfyllelse: kode('KRAV_1', undefined, 'Forskrift om engangsavgift og avgiftsvedtak'),
      },
    ],
    unntak: [],
  });
  const klassifisering = teknisk.kjoretoyklassifisering as Record<string, unknown> | undefined;
  if (klassifisering) classificationDetail(klassifisering, tech);
  const data = teknisk.tekniskeData as Record<string, unknown> | undefined;
  if (data) technicalDetail(data, tech);
}

function classificationDetail(klassifisering: Record<string, unknown>, tech: TechSpec): void {
  const approval = tech.typeApprovalNumber?.split('*');
  if (approval && approval.length === 4) {
    const ef = (klassifisering.efTypegodkjenning ??= {}) as Record<string, unknown>;
    fill(ef, {
      typegodkjenningnummer: { direktiv: approval[1], land: approval[0], serie: approval[2], utvidelse: approval[3] },
      variant: `${tech.typebetegnelse ?? 'X'}${tech.engine?.motorKode ?? ''}1`,
      versjon: `${tech.typebetegnelse ?? 'X'}${String(tech.egenvekt ?? 0)}AP`,
    });
  }
  fill(klassifisering, {
    nasjonalGodkjenning: {
      nasjonaltGodkjenningsAr: '2022',
      nasjonaltGodkjenningsHovednummer: String(1000 + (checksum(tech.commercialName ?? tech.klass) % 9000)),
      nasjonaltGodkjenningsUndernummer: '001',
    },
    spesielleKjennetegn: '',
    tekniskUnderkode: kode('INGENKODE'),
    iSamsvarMedTypegodkjenning: true,
  });
}

function technicalDetail(data: Record<string, unknown>, tech: TechSpec): void {
  const axles = tech.axles ?? 2;
  const track = Math.max(700, (tech.bredde ?? 1800) - 250);
  const axleLoad = Math.round(((tech.tillattTotalvekt ?? 2000) / axles) * 1.05);
  const tyre = tyreFor(tech);
  data.akslinger = {
    ...((data.akslinger as object | undefined) ?? {}),
    antallAksler: axles,
    akselGruppe: Array.from({ length: axles }, (_, i) => ({
      akselListe: {
        aksel: [
          {
            antallHjul: tech.klass === 'L3e' ? 1 : 2,
            ...(i < axles - 1 ? { avstandTilNesteAksling: Math.round((tech.lengde ?? 4500) * 0.6) } : {}),
            belastbar: false,
            drivAksel: i === 0,
            id: i + 1,
            loftbar: false,
            luftfjaering: tech.klass === 'N3' || tech.klass === 'M3',
            plasseringAksel: String(i + 1),
            sporvidde: track,
            styreAksel: i === 0,
            tekniskTillattAkselLast: axleLoad,
          },
        ],
      },
      id: i + 1,
      plasseringAkselGruppe: String(i + 1),
      tekniskTillattAkselGruppeLast: axleLoad,
    })),
  };
  fill(data, {
    bremser: { abs: tech.klass !== 'O1', tilhengerBremseforbindelse: [] },
    ovrigeTekniskeData: [],
  });
  // Several permitted tyre and rim combinations, each listing every axle, as real answers do.
  data.dekkOgFelg = {
    akselDekkOgFelgKombinasjon: tyre.sizes.map(([dekk, felg, belastning, hastighet]) => ({
      akselDekkOgFelg: Array.from({ length: axles }, (_, i) => ({
        akselId: i + 1,
        belastningskodeDekk: belastning,
        dekkdimensjon: i === 0 && tech.tyre ? tech.tyre : dekk,
        felgdimensjon: felg,
        hastighetskodeDekk: hastighet,
        innpress: '50.0',
        tvilling: false,
      })),
    })),
  };
  // Real answers carry the section without a towbar too, as an empty list.
  if (!tech.tilhengerMedBrems) fill(data, { tilhengerkopling: { kopling: [] } });
  else {
    fill(data, {
      tilhengerkopling: {
        kopling: [
          {
            belastningLoddrettMaks: 100,
            eftype: `E11 01-${String(10_000 + (checksum(tech.commercialName ?? '') % 90_000))}`,
            type: kode('Kule_50_mm', 'Kule, 50 mm', 'Kule, 50 mm', 'TEKNISKEDATA.HENGERFESTETYPE'),
          },
        ],
      },
    });
  }
  const generelt = data.generelt as Record<string, unknown> | undefined;
  const fabrikant = (generelt?.fabrikant as Record<string, unknown>[] | undefined)?.[0];
  if (fabrikant) fill(fabrikant, { fabrikantAdresse: 'Postboks 1\r\nIndustriveien 1\r\nEurope' });
  if (data.vekter) {
    fill(data.vekter as Record<string, unknown>, {
      egenvektMinimum: Math.max(0, (tech.egenvekt ?? 0) - 12),
      ...(tech.tilhengerMedBrems ? { tekniskTillattVektPahengsvogn: tech.tilhengerMedBrems } : {}),
      ...(tech.tilhengerMedBrems ? { tillattVertikalKoplingslast: 100 } : {}),
      vogntogvektAvhBremsesystem: [],
    });
  }
  if (data.persontall && tech.seats) {
    fill(data.persontall as Record<string, unknown>, {
      sitteplassListe: { sitteplass: Array.from({ length: Math.min(tech.seats, 9) }, () => ({ beltestrammer: true })) },
    });
  }
  const karosseri = data.karosseriOgLasteplan as Record<string, unknown> | undefined;
  if (karosseri) bodyDetail(karosseri, tech);
  const motorOgDrivverk = data.motorOgDrivverk as Record<string, unknown> | undefined;
  if (motorOgDrivverk) engineDetail(motorOgDrivverk, tech);
  const miljodata = data.miljodata as Record<string, unknown> | undefined;
  if (miljodata) environmentDetail(miljodata, tech);
}

function bodyDetail(karosseri: Record<string, unknown>, tech: TechSpec): void {
  const plate = kode('SS', 'Stort smalt', 'Stort smalt', 'TEKNISKEDATA.KJENNEMERKESTORRELSE');
  const type = karosseri.karosseritype as Record<string, unknown> | undefined;
  if (type) {
    // Passenger-car body types carry the regulation's paragraph (about 900 characters), others a short text.
    const name = String(type.kodeNavn ?? '');
    fill(type, {
      kodeTypeId: 'TEKNISKEDATA.KAROSSERITYPE',
      kodeBeskrivelse: tech.klass === 'M1' ? `${name}: ${BODY_TEXT}` : name,
    });
  }
  fill(karosseri, {
    dorUtforming: [],
    kjennemerketypeBak: plate,
    kjennemerkestorrelseBak: plate,
    kjennemerketypeForan: plate,
    kjennemerkestorrelseForan: plate,
    kjoringSide: 'HOYRE',
    oppbygningUnderstellsnummer: '????????M????????',
    ...(tech.doors
      ? { plasseringAvDorer: kode(`${tech.doors}_SIDE`, `${tech.doors} sidedører`, `${tech.doors} sidedører`, PLACING) }
      : {}),
    plasseringFabrikasjonsplate: [kode('B_STOLPE_HOYRE', 'Stolpe B - Høyre', 'B-stolpe høyre', MARKING)],
    plasseringUnderstellsnummer: [kode('KUPE_GULV_HOYRE', 'Kupé - gulv høyre side', 'Kupé – gulv høyre side', MARKING)],
  });
}

function engineDetail(motorOgDrivverk: Record<string, unknown>, tech: TechSpec): void {
  const electric = tech.powertrain === 'ELECTRIC';
  fill(motorOgDrivverk, {
    girkassetype: electric
      ? kode('A', 'Automat', 'Automat', 'TEKNISKEDATA.GIRKASSETYPE')
      : kode('M', 'Manuell', 'Manuell', 'TEKNISKEDATA.GIRKASSETYPE'),
    girutvekslingPrGir: [],
    maksimumHastighetMalt: [],
    obd: !electric,
  });
  for (const motor of (motorOgDrivverk.motor as Record<string, unknown>[] | undefined) ?? []) {
    // A hybrid's electric motor, like an EV's, has no working principle or cylinders (the recorded plug-in hybrid).
    const combustion = !electric && motor.slagvolum !== undefined;
    fill(motor, {
      fabrikant: tech.fabrikant ?? tech.make ?? '',
      ...(!combustion
        ? {}
        : {
            arbeidsprinsipp: kode('OTTO_4_TAKTER', 'Otto, 4 takter', 'Otto, 4 takter', 'TEKNISKEDATA.ARBEIDSPRINSIPP'),
            sylinderArrangement: kode('REKKE', 'Rekke', 'Rekke', 'TEKNISKEDATA.SYLINDERARRANGEMENT'),
          }),
    });
  }
}

function environmentDetail(miljodata: Record<string, unknown>, tech: TechSpec): void {
  fill(miljodata, { okoInnovasjon: false });
  const testmasse = (tech.egenvekt ?? 1500) + 150;
  const coefficients = { veilastkoeffisientf0: 179.6, veilastkoeffisientf1: 0.958, veilastkoeffisientf2: 0.03831 };
  for (const group of (miljodata.miljoOgdrivstoffGruppe as Record<string, unknown>[] | undefined) ?? []) {
    if (tech.powertrain !== 'ELECTRIC') {
      fill(group, {
        lyd: {
          kjorestoy: 67,
          standstoy: 73,
          stoyMalingOppgittAv: kode('1', 'Produsent', 'Produsent', 'TEKNISKEDATA.KILDE_STOYMALING'),
          vedAntallOmdreininger: 3750,
        },
      });
    }
    for (const entry of (group.forbrukOgUtslipp as Record<string, unknown>[] | undefined) ?? []) {
      if (tech.powertrain !== 'ELECTRIC') {
        fill(entry, { utslippCOmgPrKm: 386.6, utslippNMHCmgPrKm: 16.2, utslippNOxMgPrKm: 7.7, utslippTHCmgPrKm: 18.2 });
      }
      const wltp = entry.wltpKjoretoyspesifikk as Record<string, unknown> | undefined;
      if (wltp) fill(wltp, { ...coefficients, testmasse, frontalareal: 2.63 });
    }
  }
}

/** Tyre and rim combinations by vehicle size: [tyre, rim, load index, speed code]. */
function tyreFor(tech: TechSpec): { sizes: [string, string, string, string][] } {
  if (tech.klass === 'L3e') return { sizes: [['120/70 ZR17', '3.50x17', '58', 'W']] };
  if (tech.klass === 'N3' || tech.klass === 'M3') {
    return {
      sizes: [
        ['315/80 R22.5', '9.00x22.5', '156', 'L'],
        ['315/70 R22.5', '9.00x22.5', '154', 'L'],
        ['295/80 R22.5', '9.00x22.5', '152', 'M'],
      ],
    };
  }
  const heavy = (tech.tillattTotalvekt ?? 0) > 2200;
  return {
    sizes: heavy
      ? [
          ['225/60 R18', '7.5Jx18', '100', 'H'],
          ['225/55 R19', '7.5Jx19', '99', 'H'],
          ['225/60 R18 MS', '7.5Jx18', '100', 'Q'],
          ['245/45 R20', '8.0Jx20', '99', 'H'],
        ]
      : [
          ['205/55 R16', '6.5Jx16', '91', 'V'],
          ['225/45 R17', '7.0Jx17', '94', 'W'],
          ['205/55 R16 MS', '6.5Jx16', '91', 'Q'],
          ['225/40 R18', '7.5Jx18', '92', 'Y'],
        ],
  };
}

const PLACING = 'TEKNISKEDATA.PLASSERINGDORER';
const MARKING = 'TEKNISKEDATA.PLASSERINGMERKING';
/** Real passenger-car karosseritype descriptions are the regulation's paragraph (about 900 characters for AF). */
const BODY_TEXT =
  'Motorvogn beregnet på frakt av passasjerer og deres bagasje eller gods. Dersom kjøretøyet er utstyrt med ' +
  '«tilgjengelige» setefester, skal en sitteplass anses å være til stede; med «tilgjengelige» menes at setefestene ' +
  'kan brukes. For å hindre at setefester er «tilgjengelige» skal produsenten fysisk hindre bruken av dem, for ' +
  'eksempel ved å sveise på dekkplater eller ved å montere lignende fast utstyr som ikke kan fjernes ved hjelp av ' +
  'vanlig verktøy. Klassifiseringen følger av største teknisk tillatte totalmasse, masse i driftsferdig stand og ' +
  'antall sitteplasser i tillegg til føreren.';

/** Sets each key of `values` that `target` does not have yet. */
function fill(target: Record<string, unknown>, values: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(values)) if (!(key in target)) target[key] = value;
}

/** A small stable number from text (not a hash anyone relies on: it only varies the detail between vehicles). */
function checksum(text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum = (sum * 31 + text.charCodeAt(i)) >>> 0;
  return sum;
}
