import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_AUDIENCE, DEV_ISSUER, generateDevKey, jwksOf, mintToken } from '../../../dev/mint-token';
import { generateDevClient, startEmulator, type EmulatorHandle } from '../../../emulator';
import { startApp, type App } from '../../../src/app';
import { startFiksReplay, type FiksReplay } from '../../helpers/fiks-replay';
import { captureLogger } from '../../helpers/log-scan';

/**
 * Contract test: the subgraph, configured exactly as a production deployment (NODE_ENV=production, FIKS_BASE_URL,
 * Maskinporten with a key file, Fiks integration headers, caller auth from a JWKS file), over a replay of a real bulk
 * answer recorded in SVV's test environment (test/fixtures/svv/README.md). Maskinporten is the emulator's token
 * endpoint, which verifies the JWT grant as Maskinporten does; Fiks is the replay.
 */
const RECORDING = readFileSync(join(__dirname, '../../fixtures/svv/bulk-kjennemerke-2-vehicles.json'), 'utf8');
const ORG_ID = '6f1c2a7e-0000-4000-8000-0000000000c1';

const VEHICLE_FIELDS = /* GraphQL */ `
  kuid kjennemerke understellsnummer firstRegisteredInNorway asOf
  plates { kjennemerke category type { value name } from to }
  registration { status { value description } usage { value name } from firstRegisteredOnOwnership deregisteredSince }
  technical {
    make commercialName type vehicleClass { value name } classDescription taxCode
    fuels { fuel { value name } maxNetPowerKw } hybridCategory { value name } powerKw displacementCc maxSpeedKmh
    weights { curbWeightKg payloadKg maxPermittedKg trailerWithBrakesKg trailerWithoutBrakesKg combinationKg roofLoadKg }
    dimensions { lengthMm widthMm heightMm } colours { value name } seats euroClass { value } co2GramsPerKm electricRangeKm
  }
  inspection { dueDate lastApproved }
  owner { ...party }
  coOwner { ...party }
  lessee { ...party }
`;
const PARTY = /* GraphQL */ `
  fragment party on Owner {
    __typename
    name
    since
    until
    unverified
    address {
      lines
      postnummer
      poststed
      kommunenummer
      kommunenavn
      country
      countryCode
    }
    ... on Person {
      firstName
      middleName
      lastName
      birthDate
      fodselsnummer
    }
    ... on Organization {
      organisasjonsnummer
    }
  }
`;

describe('contract: a real SVV bulk answer through the subgraph, configured as in production', () => {
  let emulator: EmulatorHandle;
  let replay: FiksReplay;
  let app: App;
  let dir: string;
  let token: string;
  const log = captureLogger('debug');
  const integration = { id: randomUUID(), password: randomBytes(24).toString('base64url') };

  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(app.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, body: (await res.json()) as { data?: any; errors?: any[] } };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'contract-'));
    const client = await generateDevClient();
    emulator = await startEmulator({
      vehicles: 10,
      clients: [{ clientId: client.clientId, publicKeyPem: client.publicKeyPem, kid: client.kid }],
      // Only so the test can ask the emulator whether the token the replay saw is valid (see the first test).
      integrations: [integration],
      fiksOrgIds: [ORG_ID],
    });
    replay = await startFiksReplay({ recording: RECORDING, orgId: ORG_ID, integration });
    const keyFile = join(dir, 'maskinporten.pem');
    writeFileSync(keyFile, client.privateKeyPem, { mode: 0o600 });
    const caller = await generateDevKey();
    const jwksFile = join(dir, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify(jwksOf(caller)));
    token = await mintToken(caller, { scope: 'vehicles:read owners:read owners:fnr' });

    app = await startApp({
      logger: log.logger,
      env: {
        NODE_ENV: 'production',
        // Production requires the ledger's database: the run's shared one (test/helpers/global-setup.ts).
        DATABASE_URL: process.env.DATABASE_URL,
        PORT: '0',
        HOST: '127.0.0.1',
        FIKS_BASE_URL: replay.baseUrl,
        FIKS_ORG_ID: ORG_ID,
        FIKS_INTEGRATION_ID: integration.id,
        FIKS_INTEGRATION_PASSWORD: integration.password,
        ECOC_BASE_URL: emulator.ecocBaseUrl,
        MASKINPORTEN_TOKEN_URL: emulator.tokenUrl,
        MASKINPORTEN_AUDIENCE: emulator.issuer,
        MASKINPORTEN_CLIENT_ID: client.clientId,
        MASKINPORTEN_KEY_FILE: keyFile,
        MASKINPORTEN_KID: client.kid,
        AUTH_JWKS_FILE: jwksFile,
        AUTH_ISSUER: DEV_ISSUER,
        AUTH_AUDIENCE: DEV_AUDIENCE,
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await replay?.close();
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the request SVV recorded, with a Maskinporten token for ks:fiks and the integration headers', async () => {
    const res = await gql(`query($p: [String!]) { vehicles(kjennemerker: $p) { kjennemerke } }`, {
      p: ['CU 11306', 'cu-11293'],
    });
    expect(res.body.errors).toBeUndefined();
    expect(replay.requests).toHaveLength(1);
    const [sent] = replay.requests;
    expect(sent.path).toBe(`/kjoretoyregister/api/${ORG_ID}/rest/distribusjon/kjoretoy/v2.0/bulk/kjennemerke`);
    expect(sent.body).toEqual([{ kjennemerke: 'CU11306' }, { kjennemerke: 'CU11293' }]);
    expect(sent.headers).toMatchObject({
      integrasjonid: integration.id,
      integrasjonpassord: integration.password,
      'content-type': expect.stringMatching(/^application\/json/),
    });
    // The bearer token is one the Maskinporten stand-in issued for ks:fiks after verifying the JWT grant: the
    // emulator's own Fiks route, which checks tokens as Fiks does, accepts it.
    const check = await fetch(`${emulator.fiksBaseUrl}/${ORG_ID}/rest/distribusjon/kjoretoy/v2.0/bulk/kjennemerke`, {
      method: 'POST',
      headers: {
        authorization: sent.headers.authorization!,
        integrasjonid: integration.id,
        integrasjonpassord: integration.password,
        'content-type': 'application/json',
      },
      body: '[]',
    });
    expect(check.status).toBe(200);
    const stats = emulator.stats();
    expect(stats.grantsRejected).toBe(0);
    expect(stats.grants.map((g) => g.claims.scope)).toContain('ks:fiks');
  });

  it('maps both vehicles field by field: kuid null, plates normalised, owners and lessee, birth date, WLTP and NEDC', async () => {
    replay.requests.length = 0;
    const res = await gql(`query($p: [String!]) { vehicles(kjennemerker: $p) { ${VEHICLE_FIELDS} } } ${PARTY}`, {
      p: ['CU11306', 'CU11293'],
    });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const [van, hybrid] = res.body.data.vehicles;
    const registered = '2022-11-28T13:06:46.286+01:00';
    const scaniaAddress = {
      lines: ['Postboks 143 Skøyen'],
      postnummer: '0212',
      poststed: 'OSLO',
      kommunenummer: '0301',
      kommunenavn: 'OSLO',
      country: 'Norge',
      countryCode: 'NOR',
    };
    expect(van).toEqual({
      kuid: null,
      kjennemerke: 'CU11306',
      understellsnummer: 'SISDINKY35995054',
      firstRegisteredInNorway: '2022-11-28',
      asOf: expect.any(String),
      plates: [
        {
          kjennemerke: 'CU11306',
          category: 'KJORETOY',
          type: { value: 'ORDINART', name: 'Ordinære kjennemerker' },
          from: registered,
          to: null,
        },
      ],
      registration: {
        status: { value: 'REGISTRERT', description: 'Registrert' },
        usage: { value: 'EGENTRANSP_ANNEN', name: 'Egentransport' },
        from: registered,
        firstRegisteredOnOwnership: registered,
        deregisteredSince: null,
      },
      technical: {
        make: 'TOYOTA',
        commercialName: 'Land Cruiser LC5B',
        type: 'J15TN',
        vehicleClass: { value: 'N1G', name: 'Varebil (terreng)' },
        classDescription: 'Varebil kl 1',
        taxCode: '314',
        fuels: [{ fuel: { value: '2', name: 'Diesel' }, maxNetPowerKw: 140 }],
        hybridCategory: { value: 'INGEN', name: 'Ingen' },
        powerKw: 140,
        displacementCc: 2982,
        maxSpeedKmh: 175,
        weights: {
          curbWeightKg: 2180,
          payloadKg: 750,
          maxPermittedKg: 2980,
          trailerWithBrakesKg: 3000,
          trailerWithoutBrakesKg: 750,
          combinationKg: 5980,
          roofLoadKg: null,
        },
        dimensions: { lengthMm: 4780, widthMm: 1885, heightMm: 1835 },
        colours: [{ value: '05', name: 'Grå' }],
        seats: 5,
        euroClass: { value: '5L' },
        // NEDC: co2BlandetKjoring at the top of forbrukOgUtslipp[].
        co2GramsPerKm: 213,
        electricRangeKm: null,
      },
      inspection: { dueDate: '2026-11-28', lastApproved: null },
      owner: {
        __typename: 'Organization',
        organisasjonsnummer: '879263662',
        name: 'NORSK SCANIA AS',
        since: registered,
        until: null,
        unverified: null,
        address: scaniaAddress,
      },
      coOwner: null,
      lessee: {
        __typename: 'Organization',
        organisasjonsnummer: '973114468',
        name: 'NORSK SCANIA AS HOVEDKONTOR SKØYEN',
        since: registered,
        until: null,
        unverified: null,
        address: scaniaAddress,
      },
    });

    expect(hybrid).toMatchObject({
      kuid: null,
      kjennemerke: 'CU11293',
      understellsnummer: 'SISDINKY89778834',
      firstRegisteredInNorway: '2022-11-17',
      plates: [{ kjennemerke: 'CU11293', category: 'KJORETOY', to: null }],
      technical: {
        make: 'FORD',
        commercialName: 'Kuga',
        vehicleClass: { value: 'M1', name: 'Personbil' },
        taxCode: '101',
        fuels: [
          { fuel: { value: '1', name: 'Bensin' }, maxNetPowerKw: 112 },
          { fuel: { value: '5', name: 'Elektrisk' }, maxNetPowerKw: 80.6 },
        ],
        hybridCategory: { value: 'LADBAR', name: 'Ladbar hybrid' },
        powerKw: 112,
        displacementCc: 2488,
        colours: [{ value: '03', name: 'Blå' }],
        euroClass: { value: '6L' },
        // WLTP plug-in hybrid: wltpKjoretoyspesifikk.co2VektetKombinert and .rekkeviddeKmBlandetkjoring.
        co2GramsPerKm: 32,
        electricRangeKm: 56,
      },
      inspection: { dueDate: '2026-11-17', lastApproved: null },
      coOwner: null,
      lessee: null,
    });
    expect(hybrid.owner).toEqual({
      __typename: 'Person',
      name: 'MUSIKALSK FORSKJELL',
      firstName: 'MUSIKALSK',
      middleName: null,
      lastName: 'FORSKJELL',
      birthDate: '1992-05-19',
      // Bulk answers carry no fødselsnummer, even for a caller with owners:fnr.
      fodselsnummer: null,
      since: '2022-11-17T12:53:50.135+01:00',
      until: null,
      unverified: null,
      address: {
        lines: ['Reistadvegen 77'],
        postnummer: '7608',
        poststed: 'LEVANGER',
        kommunenummer: '5037',
        kommunenavn: 'Levanger',
        country: 'Norge',
        countryCode: 'NOR',
      },
    });
    // One bulk call for both, answered by the replay verbatim.
    expect(replay.requests).toHaveLength(1);
  });

  it('resolves _entities by kjennemerke for vehicles without kuid', async () => {
    const res = await gql(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Vehicle { kuid kjennemerke understellsnummer } } }`,
      {
        r: [
          { __typename: 'Vehicle', kjennemerke: 'CU 11293' },
          { __typename: 'Vehicle', kjennemerke: 'ZZ99999' },
        ],
      },
    );
    expect(res.body.data._entities).toEqual([
      { kuid: null, kjennemerke: 'CU11293', understellsnummer: 'SISDINKY89778834' },
      null,
    ]);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: ['_entities', 1], extensions: expect.objectContaining({ code: 'NOT_FOUND' }) }),
    ]);
  });

  it("never writes the owners' names or the integration password to the log", () => {
    const text = log.text();
    expect(text.length).toBeGreaterThan(0);
    for (const secret of ['MUSIKALSK', 'FORSKJELL', 'Reistadvegen', integration.password, token]) {
      expect(text).not.toContain(secret);
    }
  });
});
