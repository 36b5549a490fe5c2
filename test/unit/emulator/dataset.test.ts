import {
  isOrdinaryKjennemerke,
  isSyntheticFodselsnummer,
  isValidFodselsnummer,
  isValidKjennemerke,
  isValidOrganisasjonsnummer,
  ISO_VIN,
} from '../../../src/domain/identifiers';
import { MODELS } from '../../../emulator/catalogue';
import {
  Dataset,
  currentOrdinaryPlate,
  isOrgParty,
  orgIndexOf,
  vinCheckDigit,
  type VehicleRecord,
} from '../../../emulator/dataset';
import { techOf, vehicleAt } from '../../../emulator/dto';
import { mulberry32 } from '../../../emulator/prng';

/** The synthetic register: determinism, identifier validity and the histories that make `dtg` matter. */

const ds = new Dataset({ seed: 42, vehicles: 3000 });
const records = [...ds.all()];
const klass = (r: VehicleRecord) => MODELS[r.model].klass;
const CARS = new Set(['M1', 'N1']);

describe('determinism', () => {
  it('mulberry32 is a pure function of its seed', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const seq = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(seq);
    expect(seq.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('the same seed and size give identical vehicles, owners and answers', () => {
    const again = new Dataset({ seed: 42, vehicles: 3000 });
    expect([...again.all()]).toEqual(records);
    for (const i of [0, 17, 1234, 2999]) {
      expect(vehicleAt(again, again.get(i)!)).toEqual(vehicleAt(ds, ds.get(i)!));
    }
    expect(again.sample(20)).toEqual(ds.sample(20));
  });

  it('another seed gives other data', () => {
    const other = new Dataset({ seed: 43, vehicles: 3000 });
    expect(other.get(0)!.kuid).not.toBe(ds.get(0)!.kuid);
    expect(other.get(0)!.vin).not.toBe(ds.get(0)!.vin);
  });

  it('a small dataset is a prefix-independent generation that still works', () => {
    const tiny = new Dataset({ seed: 1, vehicles: 10 });
    expect([...tiny.all()]).toHaveLength(10);
  });
});

describe('identifiers', () => {
  it('kuids are unique 10-digit strings', () => {
    const kuids = records.map((r) => r.kuid);
    expect(new Set(kuids).size).toBe(kuids.length);
    for (const k of kuids) expect(k).toMatch(/^\d{10}$/);
  });

  it('ordinary plates are 2 letters + 5 digits (4 for MC and trailers), unique, E-prefixed for EVs', () => {
    const seen = new Map<string, number>();
    let short = 0;
    for (const r of records) {
      for (const p of r.plates.filter((x) => x.kategori === 'KJORETOY')) {
        expect(isOrdinaryKjennemerke(p.plate)).toBe(true);
        expect(seen.has(p.plate)).toBe(false);
        seen.set(p.plate, r.index);
        if (/^[A-Z]{2}\d{4}$/.test(p.plate)) short++;
        if (r.powertrain === 'ELECTRIC' && /^[A-Z]{2}\d{5}$/.test(p.plate)) expect(p.plate[0]).toBe('E');
      }
    }
    expect(short).toBeGreaterThan(100);
  });

  it('personal plates are 2–7 Norwegian letters/digits and never look ordinary', () => {
    const personal = records.flatMap((r) => r.plates.filter((p) => p.kategori === 'PERSONLIG'));
    expect(personal.length).toBeGreaterThan(20);
    for (const p of personal) {
      expect(isValidKjennemerke(p.plate)).toBe(true);
      expect(isOrdinaryKjennemerke(p.plate)).toBe(false);
    }
  });

  it('VINs are mostly ISO 17-character with a valid check digit, a few irregular and shorter', () => {
    const iso = records.filter((r) => ISO_VIN.test(r.vin));
    expect(iso.length / records.length).toBeGreaterThan(0.95);
    for (const r of iso) expect(r.vin[8]).toBe(vinCheckDigit(r.vin));
    const irregular = records.filter((r) => !ISO_VIN.test(r.vin));
    expect(irregular.length).toBeGreaterThan(0);
    for (const r of irregular) expect(r.vin).toMatch(/^[A-Z0-9]{1,19}$/);
  });

  it('fødselsnummer are synthetic (month + 80), valid, unique and match the birth date', () => {
    const seen = new Set<string>();
    for (let p = 0; p < ds.personCount; p++) {
      const person = ds.person(p);
      const fnr = person.fodselsnummer;
      expect(isValidFodselsnummer(fnr)).toBe(true);
      expect(isSyntheticFodselsnummer(fnr)).toBe(true);
      expect(Number(fnr.slice(2, 4))).toBeGreaterThanOrEqual(81);
      const [y, m, d] = person.fodselsdato.split('-');
      expect(fnr.slice(0, 6)).toBe(`${d}${Number(m) + 80}${y.slice(2)}`);
      expect(seen.has(fnr)).toBe(false);
      seen.add(fnr);
    }
  });

  it('organisasjonsnummer are valid mod-11, unique, and in the never-issued 3xxxxxxxx range', () => {
    const seen = new Set<string>();
    for (let o = 0; o < ds.orgCount; o++) {
      const orgnr = ds.organisation(o).organisasjonsnummer;
      expect(isValidOrganisasjonsnummer(orgnr)).toBe(true);
      expect(orgnr[0]).toBe('3');
      expect(seen.has(orgnr)).toBe(false);
      seen.add(orgnr);
    }
  });
});

describe('shape of the register', () => {
  it('at least 30 % of vehicles have two or more owner periods, contiguous in time', () => {
    const withHistory = records.filter((r) => r.owners.length >= 2);
    expect(withHistory.length / records.length).toBeGreaterThanOrEqual(0.3);
    for (const r of withHistory) {
      for (let k = 1; k < r.owners.length; k++) expect(r.owners[k].fom).toBe(r.owners[k - 1].tom);
      expect(r.owners[r.owners.length - 1].tom).toBeUndefined();
    }
  });

  it('has deregistered and scrapped vehicles, co-owners, lessees and organisations', () => {
    const current = (status: string) => records.filter((r) => Dataset.periodAt(r.statuses)?.status === status).length;
    expect(current('AVREGISTRERT')).toBeGreaterThan(10);
    expect(current('VRAKET')).toBeGreaterThan(10);
    expect(records.some((r) => r.owners.some((o) => o.medeier !== undefined))).toBe(true);
    const lessees = records.flatMap((r) => r.owners.map((o) => o.leasingtaker).filter((l) => l !== undefined));
    expect(lessees.length).toBeGreaterThan(50);
    expect(lessees.every((l) => isOrgParty(l!))).toBe(true);
  });

  it('a handful of organisations have more than 100 vehicles', () => {
    const big = ds.sample(10).organisations.filter((o) => o.vehicles > 100);
    expect(big.length).toBeGreaterThanOrEqual(3);
    for (const o of big) expect(ds.vehiclesOfOrganisation(o.organisasjonsnummer)).toHaveLength(o.vehicles);
  });

  it('SVV withholds about 1 % of vehicles; searches leave them out and the sample lists them apart', () => {
    const withheld = records.filter((r) => r.withheld);
    expect(withheld.length / records.length).toBeGreaterThan(0.004);
    expect(withheld.length / records.length).toBeLessThan(0.02);
    const sample = ds.sample(50);
    expect(sample.withheld.length).toBeGreaterThan(0);
    const withheldPlates = new Set(withheld.map((r) => currentOrdinaryPlate(r)));
    for (const w of sample.withheld) expect(withheldPlates.has(w.kjennemerke)).toBe(true);
    for (const v of sample.vehicles) expect(withheldPlates.has(v.kjennemerke)).toBe(false);
    const popular = sample.ownerSearch[0].name;
    expect(ds.searchByOwnerName(popular).some((r) => r.withheld)).toBe(false);
  });

  it('some person names repeat across more than 50 vehicles', () => {
    const popular = ds.sample(5).ownerSearch.filter((s) => s.hits > 50);
    expect(popular.length).toBeGreaterThanOrEqual(1);
  });

  it('name search matches whole words in any order and case, and filters', () => {
    const hits = ds.searchByOwnerName('nordmann kari');
    expect(hits.length).toBeGreaterThan(0);
    for (const r of hits) expect(ds.partyName(ds.currentOwner(r)!.eier)).toBe('KARI NORDMANN');
    expect(ds.searchByOwnerName('NORDMAN')).toEqual([]);
    const oslo = ds.searchByOwnerName('kari nordmann', { fylke: 'oslo' });
    for (const r of oslo) expect(ds.partyAddress(ds.currentOwner(r)!.eier).kommunenummer.slice(0, 2)).toBe('03');
    expect(ds.searchByOwnerName('kari nordmann', { erPerson: false })).toEqual([]);
  });
});

describe('vehicleAt', () => {
  const technical = (dto: any) => dto.godkjenning.tekniskGodkjenning;

  it('gives hybrids two motors as the recorded plug-in hybrid has: the combustion engine, then the electric motor', () => {
    const hybrids = records.filter((r) => ['HYBRID', 'PLUGIN'].includes(techOf(ds, r).powertrain ?? ''));
    expect(hybrids.length).toBeGreaterThan(0);
    for (const r of hybrids.slice(0, 20)) {
      const [engine, electric, ...more] = technical(vehicleAt(ds, r)).tekniskeData.motorOgDrivverk.motor;
      expect(more).toEqual([]);
      expect(engine).toMatchObject({ slagvolum: expect.any(Number), arbeidsprinsipp: expect.any(Object) });
      expect(engine.drivstoff.map((d: any) => d.drivstoffKode.kodeVerdi)).not.toContain('5');
      expect(Object.keys(electric).sort()).toEqual(['drivstoff', 'fabrikant', 'motorKode']);
      expect(electric.drivstoff).toEqual([
        {
          drivstoffKode: expect.objectContaining({
            kodeVerdi: '5',
            kodeNavn: 'Elektrisk',
            kodeBeskrivelse: 'Elektrisk',
          }),
          maksEffektPrTime: expect.any(Number),
          maksNettoEffekt: expect.any(Number),
        },
      ]);
    }
  });

  it('carries the code texts real answers have (class, tax code, Euro class), mixed-case addresses, land Norge', () => {
    const car = records.find((r) => klass(r) === 'M1' && techOf(ds, r).euroKlasse === '6L' && ds.currentOwner(r))!;
    const dto = vehicleAt(ds, car) as any;
    const { kjoretoyklassifisering, tekniskeData } = technical(dto);
    expect(kjoretoyklassifisering.kjoretoyAvgiftsKode).toMatchObject({
      kodeVerdi: '101',
      kodeNavn: 'Personbil',
      kodeBeskrivelse: 'Personbil, unntatt ambulanse',
    });
    const m1 = 'Bil for persontransport med høyst 8 sitteplasser i tillegg til førersetet (Personbil)';
    expect(kjoretoyklassifisering.tekniskKode).toMatchObject({ kodeNavn: 'Personbil', kodeBeskrivelse: m1 });
    expect(tekniskeData.generelt.tekniskKode).toMatchObject({ kodeNavn: 'Personbil', kodeBeskrivelse: m1 });
    const euro6L = 'Euro 6L - EF 715/2007*EF 459/2012 (med bokstavene N til ZC)';
    expect(tekniskeData.miljodata.euroKlasse).toMatchObject({ kodeNavn: euro6L, kodeBeskrivelse: euro6L });
    const adresse = dto.eierskap.eier.adresse;
    expect(adresse.land).toBe('Norge');
    expect(adresse.adresselinje1).not.toBe(adresse.adresselinje1.toUpperCase());
  });

  it('has registrertForstegangPaEierskap in about one answer in ten, as the recordings do (2 of 24)', () => {
    const registered = records.map((r) => vehicleAt(ds, r) as any).filter((dto) => dto?.eierskap);
    const share =
      registered.filter((dto) => dto.registrering?.registrertForstegangPaEierskap).length / registered.length;
    expect(share).toBeGreaterThan(0.05);
    expect(share).toBeLessThan(0.2);
  });

  const withHistory = records.find((r) => r.owners.length >= 3 && !isOrgParty(r.owners[0].eier))!;

  it('answers differently over time: owner, registration and plates depend on dtg', () => {
    const [first, second] = withHistory.owners;
    const early = vehicleAt(ds, withHistory, first.fom + 1000) as any;
    const later = vehicleAt(ds, withHistory, second.fom + 1000) as any;
    const now = vehicleAt(ds, withHistory) as any;
    expect(early.eierskap.eier.fomTidspunkt).not.toBe(later.eierskap.eier.fomTidspunkt);
    expect(early.eierskap.eier.tilTidspunkt).toEqual(expect.any(String));
    expect(now.eierskap.eier.tilTidspunkt).toBeUndefined();
    expect(early.periodiskKjoretoyKontroll).toEqual(now.periodiskKjoretoyKontroll);
    expect(early.godkjenning).toEqual(now.godkjenning);
  });

  it('is undefined before the first registration', () => {
    expect(vehicleAt(ds, withHistory, withHistory.existsFrom - 1)).toBeUndefined();
    expect(ds.findByKuid(withHistory.kuid, withHistory.existsFrom - 1)).toBeUndefined();
    expect(ds.findByKuid(withHistory.kuid, withHistory.existsFrom)).toBe(withHistory);
  });

  it('resolves a replaced plate only while it was carried', () => {
    const changed = records.find((r) => r.plates.filter((p) => p.kategori === 'KJORETOY').length === 2)!;
    const [old, current] = changed.plates.filter((p) => p.kategori === 'KJORETOY');
    expect(ds.findByPlate(old.plate, old.tom! - 1)).toBe(changed);
    expect(ds.findByPlate(old.plate)).toBeUndefined();
    expect(ds.findByPlate(current.plate)).toBe(changed);
    const then = vehicleAt(ds, changed, old.tom! - 1) as any;
    expect(then.kjoretoyId.kjennemerke).toBe(`${old.plate.slice(0, 2)} ${old.plate.slice(2)}`);
    expect(currentOrdinaryPlate(changed)).toBe(current.plate);
  });

  it('uses Kodeverk objects and SVV field names', () => {
    const v = vehicleAt(ds, records[0]) as any;
    const kodeverk = { kodeVerdi: expect.any(String), tidligereKodeVerdi: [] };
    expect(v.registrering.registreringsstatus).toMatchObject(kodeverk);
    expect(v.kjennemerke[0].kjennemerketype).toMatchObject(kodeverk);
    expect(v.godkjenning.tekniskGodkjenning.kjoretoyklassifisering.tekniskKode).toMatchObject(kodeverk);
    expect(v.kjoretoyId.kjennemerke).toMatch(/^[A-Z]{2} \d{4,5}$/);
  });

  const tekniskeData = (r: VehicleRecord) => (vehicleAt(ds, r) as any).godkjenning.tekniskGodkjenning.tekniskeData;
  const year = (r: VehicleRecord) => new Date(r.firstReg!).getUTCFullYear();

  it('places WLTP values in wltpKjoretoyspesifikk and NEDC CO2 at the top of forbrukOgUtslipp, as real answers do', () => {
    const wltpEv = records.find((r) => r.powertrain === 'ELECTRIC' && year(r) >= 2019)!;
    const ev = tekniskeData(wltpEv);
    const evUtslipp = ev.miljodata.miljoOgdrivstoffGruppe[0].forbrukOgUtslipp[0];
    expect(evUtslipp.wltpKjoretoyspesifikk.rekkeviddeKmBlandetkjoring).toBeGreaterThan(0);
    expect(evUtslipp.rekkeviddeKm).toBeUndefined();
    expect(ev.miljodata.euroKlasse.kodeVerdi).toBe('0');
    expect(ev.motorOgDrivverk.motor[0].drivstoff[0].drivstoffKode.kodeNavn).toBe('Elektrisk');

    const wltpDiesel = records.find((r) => r.powertrain === 'DIESEL' && r.model >= 0 && year(r) >= 2019)!;
    const diesel = tekniskeData(wltpDiesel);
    const dieselUtslipp = diesel.miljodata.miljoOgdrivstoffGruppe[0].forbrukOgUtslipp[0];
    expect(dieselUtslipp.malemetode.kodeVerdi).toBe('WLTP');
    expect(dieselUtslipp.wltpKjoretoyspesifikk.co2Kombinert).toBeGreaterThan(0);
    expect(dieselUtslipp.co2BlandetKjoring).toBeUndefined();
    expect(diesel.motorOgDrivverk.motor[0].drivstoff[0].drivstoffKode.kodeNavn).toBe('Diesel');

    const nedcCar = records.find((r) => r.powertrain === 'PETROL' && CARS.has(klass(r)) && year(r) < 2015)!;
    const nedc = tekniskeData(nedcCar).miljodata.miljoOgdrivstoffGruppe[0].forbrukOgUtslipp[0];
    expect(nedc.malemetode.kodeVerdi).toBe('NEDC');
    expect(nedc.co2BlandetKjoring).toBeGreaterThan(0);
    expect(nedc.wltpKjoretoyspesifikk).toBeUndefined();

    const plugin = records.find((r) => r.powertrain === 'PLUGIN' && year(r) >= 2019)!;
    const [fuel, electric] = tekniskeData(plugin).miljodata.miljoOgdrivstoffGruppe;
    expect(fuel.forbrukOgUtslipp[0].wltpKjoretoyspesifikk.co2VektetKombinert).toBeGreaterThan(0);
    expect(electric.drivstoffKodeMiljodata.kodeVerdi).toBe('5');
    expect(electric.forbrukOgUtslipp[0].wltpKjoretoyspesifikk.rekkeviddeKmBlandetkjoring).toBeGreaterThan(0);
  });

  it('uses the code lists of real answers: hybridKategori always, colours, Euro classes', () => {
    const motorised = records.filter((r) => r.powertrain !== 'NONE').slice(0, 400);
    const hybrid = new Set(motorised.map((r) => tekniskeData(r).motorOgDrivverk.hybridKategori.kodeVerdi));
    expect([...hybrid].sort()).toEqual(['IKKE_LADBAR', 'INGEN', 'LADBAR']);
    const colours = new Set(records.slice(0, 400).map((r) => tekniskeData(r).karosseriOgLasteplan.rFarge[0].kodeVerdi));
    for (const c of colours) expect(['01', '02', '03', '04', '05', '06', '08', '09', '10', '11']).toContain(c);
    const euro = new Set(motorised.map((r) => tekniskeData(r).miljodata?.euroKlasse?.kodeVerdi).filter(Boolean));
    for (const e of euro) expect(e).toMatch(/^(?:0|[2-6][LMT])$/);
    expect(euro).toContain('6L');
  });

  it('sends a sparse periodiskKjoretoyKontroll: {} for about a third, else only kontrollfrist', () => {
    const kontroll = records.map((r) => (vehicleAt(ds, r) as any).periodiskKjoretoyKontroll);
    const empty = kontroll.filter((k) => Object.keys(k).length === 0).length / kontroll.length;
    expect(empty).toBeGreaterThan(0.25);
    expect(empty).toBeLessThan(0.45);
    for (const k of kontroll) expect(Object.keys(k).every((key) => key === 'kontrollfrist')).toBe(true);
  });

  it('writes avregistrertSidenDato as a date-time', () => {
    const deregistered = records.find((r) => Dataset.periodAt(r.statuses)?.status === 'AVREGISTRERT')!;
    expect((vehicleAt(ds, deregistered) as any).registrering.avregistrertSidenDato).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0[12]:00$/,
    );
  });

  it('bulk answers carry no kuid and owners without fødselsnummer, erUverifisert or adressestatus; search answers do, the fødselsnummer only when allowed', () => {
    const personOwned = records.find((r) => !isOrgParty(ds.currentOwner(r)!.eier))!;
    const bulk = vehicleAt(ds, personOwned) as any;
    expect(Object.keys(bulk.kjoretoyId).sort()).toEqual(['kjennemerke', 'understellsnummer']);
    expect(Object.keys(bulk.eierskap.eier.person).sort()).toEqual(
      expect.arrayContaining(['etternavn', 'fodselsdato', 'fornavn']),
    );
    expect(bulk.eierskap.eier.person.fodselsnummer).toBeUndefined();
    expect(bulk.eierskap.eier.erUverifisert).toBeUndefined();
    expect(bulk.eierskap.eier.adressestatus).toBeUndefined();

    const search = vehicleAt(ds, personOwned, undefined, 'search') as any;
    expect(search.kjoretoyId.kuid).toBe(personOwned.kuid);
    expect(search.eierskap.eier.person).not.toHaveProperty('fodselsnummer');
    expect(search.eierskap.eier.erUverifisert).toBe(false);
    const withFnr = vehicleAt(ds, personOwned, undefined, 'search-fnr') as any;
    expect(withFnr.eierskap.eier.person.fodselsnummer).toBe(
      ds.person(ds.currentOwner(personOwned)!.eier).fodselsnummer,
    );
  });
  it('only names organisations through enhet, persons through person', () => {
    const orgOwned = records.find((r) => isOrgParty(ds.currentOwner(r)!.eier))!;
    const eier = (vehicleAt(ds, orgOwned) as any).eierskap.eier;
    expect(eier.person).toBeUndefined();
    expect(eier.enhet.organisasjonsnummer).toBe(
      ds.organisation(orgIndexOf(ds.currentOwner(orgOwned)!.eier)).organisasjonsnummer,
    );
  });
});

describe('scale', () => {
  // How fast it builds is a benchmark figure, not a test: this checks that 100k vehicles build and index.
  it('builds 100k vehicles, all indexed', () => {
    const big = new Dataset({ seed: 7, vehicles: 100_000 });
    expect(big.size).toBe(100_000);
    expect(big.findByKuid(big.get(99_999)!.kuid)).toBe(big.get(99_999));
  });
});
