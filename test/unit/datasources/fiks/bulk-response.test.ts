import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  extractBulkItems,
  matchBulkItems,
  outcomeOf,
  type LookupKey,
} from '../../../../src/datasources/fiks/bulk-response';
import type { KjoretoyDto } from '../../../../src/datasources/fiks/dto';
import { mapVehicle } from '../../../../src/datasources/fiks/mapping';

/** A real bulk answer from SVV's test environment (test/fixtures/svv/README.md). */
const recorded = JSON.parse(
  readFileSync(join(__dirname, '../../../fixtures/svv/bulk-kjennemerke-2-vehicles.json'), 'utf8'),
) as { responser: { request: { kjennemerke: string }; kjoretoydata: KjoretoyDto }[] };

const vehicle = (plate: string, kuid: string) => ({
  kjoretoyId: { kjennemerke: plate, kuid, understellsnummer: `VIN${kuid}` },
  kjennemerke: [{ kjennemerke: plate, kjennemerkekategori: 'KJORETOY', fomTidspunkt: '2021-04-21T14:32:54.295+02:00' }],
});

const keys: LookupKey[] = [
  { kind: 'kjennemerke', id: 'CU10942' },
  { kind: 'kjennemerke', id: 'ZZ99999', dtg: '2023-06-01T12:00:00.000+02:00' },
  { kind: 'kjennemerke', id: 'CU10943' },
];

describe('Fiks bulk wrappers (docs/upstreams.md §3)', () => {
  it('candidate A: matches by the echoed request even when items come back out of order', () => {
    const body = {
      gjenstaendeKvote: 4978,
      responser: [
        { request: { kjennemerke: 'CU10943' }, kjoretoydata: vehicle('CU 10943', '2') },
        { request: { kjennemerke: 'ZZ99999', dtg: '2023-06-01T10:00:00Z' }, feilmelding: 'KJENNEMERKE_UKJENT' },
        { request: { kjennemerke: 'CU10942' }, kjoretoydata: vehicle('CU 10942', '1') },
      ],
    };
    const outcomes = matchBulkItems(keys, extractBulkItems(body));
    expect(outcomes.map((o) => o.kind)).toEqual(['found', 'not-found', 'found']);
    expect(outcomes[0].kind === 'found' && outcomes[0].vehicle.kjoretoyId?.kuid).toBe('1');
    expect(outcomes[2].kind === 'found' && outcomes[2].vehicle.kjoretoyId?.kuid).toBe('2');
  });

  it('candidate B: a bare array without echo is matched by the vehicle plate, then by position', () => {
    const body = [
      { kjoretoy: vehicle('CU 10943', '2'), responskoder: [] },
      { responskoder: [{ kode: 'KJENNEMERKE_UKJENT', beskrivelse: 'ukjent' }] },
      { kjoretoy: vehicle('CU 10942', '1'), responskoder: [] },
    ];
    const outcomes = matchBulkItems(keys, extractBulkItems(body));
    expect(outcomes[0].kind === 'found' && outcomes[0].vehicle.kjoretoyId?.kuid).toBe('1');
    expect(outcomes[1].kind).toBe('not-found');
    expect(outcomes[2].kind === 'found' && outcomes[2].vehicle.kjoretoyId?.kuid).toBe('2');
  });

  it('candidate B inside a kjoretoyresponser wrapper', () => {
    const items = extractBulkItems({ kjoretoyresponser: [{ kjoretoy: vehicle('CU 10942', '1') }] });
    expect(matchBulkItems([keys[0]], items)[0].kind).toBe('found');
  });

  it('reads the per-item codes: withheld, unknown or invalid, service unavailable, anything else', () => {
    const plates = ['CU10001', 'CU10002', 'CU10003', 'CU10004', 'CU10005'];
    const codes = [
      'OPPLYSNINGER_UTILGJENGELIG',
      'KJENNEMERKE_UKJENT',
      'KJENNEMERKE_UGYLDIG',
      'TJENESTE_IKKE_TILGJENGELIG',
      'INGEN_TILGANG',
    ];
    const body = { responser: plates.map((kjennemerke, i) => ({ request: { kjennemerke }, feilmelding: codes[i] })) };
    const outcomes = matchBulkItems(
      plates.map((id) => ({ kind: 'kjennemerke', id })),
      extractBulkItems(body),
    );
    expect(outcomes).toEqual([
      { kind: 'withheld' },
      { kind: 'not-found' },
      { kind: 'not-found' },
      { kind: 'unavailable', reason: 'TJENESTE_IKKE_TILGJENGELIG' },
      { kind: 'error', reason: 'INGEN_TILGANG' },
    ]);
  });

  it('a VIN answer whose only vehicle is withheld is withheld, not not-found', () => {
    const body = {
      responser: [
        {
          request: { understellsnummer: 'SISDINKY35995054' },
          kjoretoydataListe: [{ feilmelding: 'OPPLYSNINGER_UTILGJENGELIG' }],
        },
      ],
    };
    expect(outcomeOf(extractBulkItems(body)[0])).toEqual({ kind: 'withheld' });
  });

  it('free-text upstream errors never reach the reason', () => {
    const body = {
      responser: [{ request: { kjennemerke: 'CU10942' }, feilmelding: 'Feil for Ola Nordmann 63888700414' }],
    };
    expect(matchBulkItems([keys[0]], extractBulkItems(body))[0]).toEqual({
      kind: 'error',
      reason: 'UPSTREAM_ITEM_ERROR',
    });
  });

  it('a key with no item at all is an error, not silently null', () => {
    expect(matchBulkItems(keys, extractBulkItems({ responser: [] }))[0].kind).toBe('error');
  });
});

describe('mapVehicle', () => {
  it('maps a v2-style example (kuid, fødselsnummer) to the domain, tolerating string numbers and missing parts', () => {
    const model = mapVehicle(
      {
        kjoretoyId: { kjennemerke: 'CU 10942', understellsnummer: 'TESTVIN0000000042', kuid: '3378000042' },
        forstegangsregistrering: { registrertForstegangNorgeDato: '2021-04-21' },
        kjennemerke: [
          { kjennemerke: 'CU 10942', kjennemerkekategori: 'KJORETOY', kjennemerketype: { kodeVerdi: 'ORDINART' } },
        ],
        registrering: { registreringsstatus: { kodeVerdi: 'REGISTRERT', kodeBeskrivelse: 'Registrert' } },
        godkjenning: {
          tekniskGodkjenning: {
            kjoretoyklassifisering: { beskrivelse: 'Personbil', tekniskKode: { kodeVerdi: 'M1' } },
            tekniskeData: {
              generelt: { merke: [{ merke: 'TESTMERKE' }], handelsbetegnelse: ['MODELL X'], typebetegnelse: 'T1' },
              motorOgDrivverk: {
                motor: [
                  {
                    slagvolum: '1598',
                    drivstoff: [{ maksNettoEffekt: 85.0, drivstoffKode: { kodeVerdi: '2', kodeNavn: 'Diesel' } }],
                  },
                ],
              },
              vekter: { egenvekt: 1450, tillattTotalvekt: 2000 },
              karosseriOgLasteplan: { rFarge: [{ kodeVerdi: '05', kodeNavn: 'Grå' }] },
              miljodata: {
                euroKlasse: 'EURO_6',
                miljoOgdrivstoffGruppe: [{ forbrukOgUtslipp: [{ co2BlandetKjoring: 119 }] }],
              },
            },
          },
        },
        periodiskKjoretoyKontroll: { kontrollfrist: '2025-04-21', sistGodkjent: '2023-04-02' },
        eierskap: {
          eier: {
            person: {
              fornavn: 'TESTE',
              etternavn: 'PERSONSEN',
              fodselsdato: '1985-08-15',
              fodselsnummer: '15888510025',
            },
            adresse: { adresselinje1: 'TESTVEGEN 1', postnummer: '0603', poststed: 'OSLO', landkode: 'NOR' },
            fomTidspunkt: '2021-04-21T14:32:54.295+02:00',
          },
          leasingtaker: { enhet: { organisasjonsnummer: '923456783', organisasjonsnavn: 'TESTFIRMA AS' } },
        },
      },
      '2025-01-01T00:00:00.000Z',
    );
    expect(model).toMatchObject({
      kuid: '3378000042',
      kjennemerke: 'CU10942',
      plates: [{ kjennemerke: 'CU10942', category: 'KJORETOY', type: { value: 'ORDINART' } }],
      registration: { status: { value: 'REGISTRERT', description: 'Registrert' } },
      technical: {
        make: 'TESTMERKE',
        commercialName: 'MODELL X',
        vehicleClass: { value: 'M1' },
        displacementCc: 1598,
        powerKw: 85,
        fuels: [{ fuel: { value: '2', name: 'Diesel' }, maxNetPowerKw: 85 }],
        weights: { curbWeightKg: 1450, maxPermittedKg: 2000 },
        colours: [{ value: '05', name: 'Grå' }],
        euroClass: { value: 'EURO_6' },
        co2GramsPerKm: 119,
      },
      inspection: { dueDate: '2025-04-21', lastApproved: '2023-04-02' },
      owner: {
        __typename: 'Person',
        name: 'TESTE PERSONSEN',
        birthDate: '1985-08-15',
        address: { lines: ['TESTVEGEN 1'] },
      },
      lessee: { __typename: 'Organization', organisasjonsnummer: '923456783', name: 'TESTFIRMA AS' },
      coOwner: null,
      asOf: '2025-01-01T00:00:00.000Z',
    });
  });

  it("a hybrid's motors: fuels from each, the highest power, the displacement from the motor that has one in either order", () => {
    const combustion = {
      slagvolum: 2488,
      drivstoff: [{ maksNettoEffekt: 112, drivstoffKode: { kodeVerdi: '1', kodeNavn: 'Bensin' } }],
    };
    const electric = {
      drivstoff: [
        { maksEffektPrTime: 42.4, maksNettoEffekt: 80.6, drivstoffKode: { kodeVerdi: '5', kodeNavn: 'Elektrisk' } },
      ],
    };
    for (const motor of [
      [combustion, electric],
      [electric, combustion],
    ]) {
      const model = mapVehicle(
        { godkjenning: { tekniskGodkjenning: { tekniskeData: { motorOgDrivverk: { motor } } } } },
        'now',
      );
      expect(model.technical).toMatchObject({ displacementCc: 2488, powerKw: 112 });
      expect(model.technical!.fuels!.map((f) => f.fuel?.value).sort()).toEqual(['1', '5']);
    }
  });

  it('a vehicle without kuid maps, with kuid null; a lookup by kuid supplies the kuid it asked for', () => {
    expect(mapVehicle({ kjoretoyId: { kjennemerke: 'AB 12345' } }, 'now')).toMatchObject({
      kuid: null,
      kjennemerke: 'AB12345',
    });
    expect(mapVehicle({ kjoretoyId: { kjennemerke: 'AB 12345' } }, 'now', { kuid: '3378119709' }).kuid).toBe(
      '3378119709',
    );
  });

  it('an empty periodiskKjoretoyKontroll is no inspection, and a date-only avregistrertSidenDato is not passed on', () => {
    const model = mapVehicle(
      { periodiskKjoretoyKontroll: {}, registrering: { avregistrertSidenDato: '2024-01-02' } },
      'now',
    );
    expect(model.inspection).toBeNull();
    expect(model.registration?.deregisteredSince).toBeNull();
    const dated = mapVehicle({ registrering: { avregistrertSidenDato: '2024-01-02T10:00:00.123+01:00' } }, 'now');
    expect(dated.registration?.deregisteredSince).toBe('2024-01-02T10:00:00.123+01:00');
  });

  describe('the recorded real answer (SVV test environment)', () => {
    const [van, hybrid] = recorded.responser.map((r) => mapVehicle(r.kjoretoydata, '2026-12-01T12:00:00+01:00'));

    it('maps both vehicles, without kuid, with normalised plates', () => {
      expect(van).toMatchObject({ kuid: null, kjennemerke: 'CU11306', understellsnummer: 'SISDINKY35995054' });
      expect(hybrid).toMatchObject({ kuid: null, kjennemerke: 'CU11293', understellsnummer: 'SISDINKY89778834' });
      expect(van.plates).toEqual([
        {
          kjennemerke: 'CU11306',
          category: 'KJORETOY',
          type: { value: 'ORDINART', name: 'Ordinære kjennemerker', description: 'Sorte tegn på hvit bunn' },
          from: '2022-11-28T13:06:46.286+01:00',
          to: null,
        },
      ]);
    });

    it('reads CO2 from the NEDC place and from the WLTP place, and the range from the WLTP place', () => {
      expect(van.technical).toMatchObject({ co2GramsPerKm: 213, electricRangeKm: null });
      expect(hybrid.technical).toMatchObject({ co2GramsPerKm: 32, electricRangeKm: 56 });
    });

    it('reads hybridKategori, colours, Euro class, fuels and power', () => {
      expect(van.technical).toMatchObject({
        hybridCategory: { value: 'INGEN', name: 'Ingen' },
        colours: [{ value: '05', name: 'Grå' }],
        euroClass: { value: '5L' },
        vehicleClass: { value: 'N1G', name: 'Varebil (terreng)' },
        taxCode: '314',
        powerKw: 140,
      });
      expect(hybrid.technical).toMatchObject({
        hybridCategory: { value: 'LADBAR', name: 'Ladbar hybrid' },
        colours: [{ value: '03', name: 'Blå' }],
        euroClass: { value: '6L' },
        fuels: [
          { fuel: { value: '1', name: 'Bensin' }, maxNetPowerKw: 112 },
          { fuel: { value: '5', name: 'Elektrisk' }, maxNetPowerKw: 80.6 },
        ],
        powerKw: 112,
      });
    });

    it('maps the organisation owner and lessee, and the person owner with birth date and no fødselsnummer', () => {
      expect(van.owner).toMatchObject({
        __typename: 'Organization',
        organisasjonsnummer: '879263662',
        name: 'NORSK SCANIA AS',
        unverified: null,
      });
      expect(van.lessee).toMatchObject({ __typename: 'Organization', organisasjonsnummer: '973114468' });
      expect(hybrid.owner).toMatchObject({
        __typename: 'Person',
        birthDate: '1992-05-19',
        fodselsnummer: null,
        unverified: null,
        address: { postnummer: '7608', kommunenummer: '5037', countryCode: 'NOR' },
      });
      expect(hybrid.lessee).toBeNull();
    });

    it('keeps only kontrollfrist: no sistGodkjent in bulk answers', () => {
      expect(van.inspection).toEqual({ dueDate: '2026-11-28', lastApproved: null });
    });
  });
});
