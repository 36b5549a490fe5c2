import { extractBulkItems, matchBulkItems, type LookupKey } from '../../../../src/datasources/fiks/bulk-response';
import { mapVehicle } from '../../../../src/datasources/fiks/mapping';

const vehicle = (plate: string, kuid: string) => ({
  kjoretoyId: { kjennemerke: plate, kuid, understellsnummer: `VIN${kuid}` },
  kjennemerke: [{ kjennemerke: plate, kjennemerkekategori: 'KJORETOY', fomTidspunkt: '2021-04-21T14:32:54.295+02:00' }],
});

const keys: LookupKey[] = [
  { kind: 'kjennemerke', id: 'CU10942' },
  { kind: 'kjennemerke', id: 'ZZ99999', dtg: '2023-06-01T12:00:00.000+02:00' },
  { kind: 'kjennemerke', id: 'CU10943' },
];

describe('Fiks bulk wrappers (brief §4.1)', () => {
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

  it('a per-item failure that is not "unknown" fails only its own item, with a code-like reason', () => {
    const body = {
      responser: [
        { request: { kjennemerke: 'CU10942' }, feilmelding: 'TJENESTE_IKKE_TILGJENGELIG' },
        { request: { kjennemerke: 'CU10943' }, kjoretoydata: vehicle('CU 10943', '2') },
      ],
    };
    const outcomes = matchBulkItems([keys[0], keys[2]], extractBulkItems(body));
    expect(outcomes[0]).toEqual({ kind: 'error', reason: 'TJENESTE_IKKE_TILGJENGELIG' });
    expect(outcomes[1].kind).toBe('found');
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
  it('maps the brief §8 example to the domain, tolerating string numbers and missing parts', () => {
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

  it('a vehicle without kuid cannot be an entity and maps to null', () => {
    expect(mapVehicle({ kjoretoyId: { kjennemerke: 'AB 12345' } }, 'now')).toBeNull();
  });
});
