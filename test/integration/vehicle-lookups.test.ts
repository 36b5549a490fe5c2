import { vehicleAt } from '../../emulator';
import { startStack, type EmulatorSample, type GqlResponse, type Stack } from '../helpers/stack';

const VEHICLE_FIELDS = /* GraphQL */ `
  kuid kjennemerke understellsnummer asOf firstRegisteredInNorway
  plates { kjennemerke category from to }
  registration { status { value name } usage { value } from }
  technical { make commercialName vehicleClass { value } fuels { fuel { value name } maxNetPowerKw } powerKw weights { curbWeightKg maxPermittedKg } dimensions { lengthMm } colours { value name } seats }
  inspection { dueDate lastApproved }
  owner { __typename name since until ... on Person { birthDate } ... on Organization { organisasjonsnummer } }
`;

/**
 * The emulator answers as SVV does (docs/upstreams.md §3): bulk answers carry no kuid, so vehicles found by plate or
 * VIN have `kuid: null` and are identified here by plate and VIN.
 */
describe('vehicle lookups over HTTP against the emulator', () => {
  let stack: Stack;
  let sample: EmulatorSample;

  beforeAll(async () => {
    stack = await startStack();
    sample = await stack.sample(30);
  });
  afterAll(() => stack?.close());
  beforeEach(() => stack.reset());

  it('finds a vehicle by kjennemerke, kuid and understellsnummer; kuid is known only from the lookup by kuid', async () => {
    const v = sample.vehicles[0];
    const res = await stack.gql(
      `query Lookup($p: String, $k: ID, $vin: String) {
        byPlate: vehicle(kjennemerke: $p) { ${VEHICLE_FIELDS} }
        byKuid: vehicle(kuid: $k) { kuid kjennemerke understellsnummer }
        byVin: vehicle(understellsnummer: $vin) { kuid kjennemerke understellsnummer }
      }`,
      { p: v.kjennemerke, k: v.kuid, vin: v.understellsnummer },
    );
    expect(res.body.errors).toBeUndefined();
    const { byPlate, byKuid, byVin } = res.body.data;
    const ids = { kjennemerke: v.kjennemerke, understellsnummer: v.understellsnummer };
    expect(byPlate).toMatchObject({ kuid: null, ...ids });
    expect(byPlate.technical.make).toEqual(expect.any(String));
    expect(byPlate.plates.length).toBeGreaterThan(0);
    expect(byPlate.owner.name).toEqual(expect.any(String));
    expect(byKuid).toEqual({ kuid: v.kuid, ...ids });
    expect(byVin).toEqual({ kuid: null, ...ids });
  });

  it('a lookup of 20 plates gives vehicles without kuid in one bulk call; a withheld vehicle is null with VEHICLE_WITHHELD', async () => {
    const twenty = sample.vehicles.slice(0, 20);
    const withheld = sample.withheld[0];
    expect(twenty).toHaveLength(20);
    expect(withheld).toBeDefined();
    const res = await stack.gql(
      `query($p: [String!], $w: String) {
        vehicles(kjennemerker: $p) { kuid kjennemerke understellsnummer }
        single: vehicle(kjennemerke: $w) { kjennemerke }
      }`,
      { p: [...twenty.map((v) => v.kjennemerke), withheld.kjennemerke], w: withheld.kjennemerke },
    );
    expect(res.body.data.vehicles).toEqual([
      ...twenty.map((v) => ({ kuid: null, kjennemerke: v.kjennemerke, understellsnummer: v.understellsnummer })),
      null,
    ]);
    expect(res.body.data.single).toBeNull();
    expect(res.body.errors).toHaveLength(2);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: ['vehicles', 20], extensions: { code: 'VEHICLE_WITHHELD', upstream: 'fiks' } }),
        expect.objectContaining({ path: ['single'], extensions: { code: 'VEHICLE_WITHHELD', upstream: 'fiks' } }),
      ]),
    );
    for (const e of res.body.errors!) expect(e.message).not.toContain(withheld.kjennemerke);
    const stats = await stack.stats();
    expect(stats.routes['bulk/kjennemerke'].requests).toBe(1);
    expect(stats.routes['bulk/kjennemerke'].idsRequested).toBe(21);
  });

  it("reads an EV's range and a WLTP car's CO2 from wltpKjoretoyspesifikk, an older car's CO2 from co2BlandetKjoring", async () => {
    const dataset = stack.app.emulator.dataset;
    const year = (firstReg: number | undefined) => new Date(firstReg ?? 0).getUTCFullYear();
    const pick = (ok: (r: ReturnType<typeof dataset.get> & object) => boolean) =>
      [...dataset.all()].find((r) => !r.withheld && r.firstReg !== undefined && ok(r))!;
    const ev = pick((r) => r.powertrain === 'ELECTRIC' && year(r.firstReg) >= 2019);
    const wltpCar = pick(
      (r) => r.powertrain === 'PETROL' && year(r.firstReg) >= 2019 && /^[A-Z]{2}\d{5}$/.test(r.plates[0].plate),
    );
    const nedcCar = pick(
      (r) => r.powertrain === 'DIESEL' && year(r.firstReg) < 2015 && /^[A-Z]{2}\d{5}$/.test(r.plates[0].plate),
    );
    const utslipp = (r: typeof ev) =>
      (vehicleAt(dataset, r) as any).godkjenning.tekniskGodkjenning.tekniskeData.miljodata.miljoOgdrivstoffGruppe[0]
        .forbrukOgUtslipp[0];
    const plateOf = (r: typeof ev) => r.plates.find((p) => p.tom === undefined && p.kategori === 'KJORETOY')!.plate;

    const res = await stack.gql(
      `query($p: [String!]) { vehicles(kjennemerker: $p) { kjennemerke technical { co2GramsPerKm electricRangeKm } } }`,
      { p: [ev, wltpCar, nedcCar].map(plateOf) },
    );
    expect(res.body.errors).toBeUndefined();
    const [evView, wltpView, nedcView] = res.body.data.vehicles;
    // What the emulator sent, as SVV does: the WLTP values only under wltpKjoretoyspesifikk.
    expect(utslipp(ev).rekkeviddeKm).toBeUndefined();
    expect(evView.technical.electricRangeKm).toBe(utslipp(ev).wltpKjoretoyspesifikk.rekkeviddeKmBlandetkjoring);
    expect(evView.technical.electricRangeKm).toBeGreaterThan(0);
    expect(utslipp(wltpCar).co2BlandetKjoring).toBeUndefined();
    expect(wltpView.technical.co2GramsPerKm).toBe(utslipp(wltpCar).wltpKjoretoyspesifikk.co2Kombinert);
    expect(wltpView.technical.co2GramsPerKm).toBeGreaterThan(0);
    expect(nedcView.technical.co2GramsPerKm).toBe(utslipp(nedcCar).co2BlandetKjoring);
  });

  it('treats "ab 12345", "AB-12345" and "AB12345" as one plate and one upstream id', async () => {
    const plate = sample.vehicles[1].kjennemerke;
    const spaced = `${plate.slice(0, 2).toLowerCase()} ${plate.slice(2)}`;
    const hyphen = `${plate.slice(0, 2)}-${plate.slice(2)}`;
    const res = await stack.gql(
      `{ a: vehicle(kjennemerke: "${spaced}") { understellsnummer } b: vehicle(kjennemerke: "${hyphen}") { understellsnummer } }`,
    );
    expect(res.body.data.a.understellsnummer).toBe(sample.vehicles[1].understellsnummer);
    expect(res.body.data.b.understellsnummer).toBe(sample.vehicles[1].understellsnummer);
    const stats = await stack.stats();
    expect(stats.routes['bulk/kjennemerke'].requests).toBe(1);
    expect(stats.routes['bulk/kjennemerke'].idsRequested).toBe(1);
  });

  it('finds a vehicle by its personal plate', async () => {
    const personal = sample.personalPlates[0];
    const res = await stack.gql(
      `query($p: String) { vehicle(kjennemerke: $p) { understellsnummer plates { kjennemerke category } } }`,
      {
        p: personal.kjennemerke,
      },
    );
    expect(res.body.data.vehicle.understellsnummer).toBe(personal.understellsnummer);
    expect(res.body.data.vehicle.plates).toContainEqual(
      expect.objectContaining({ kjennemerke: personal.kjennemerke, category: 'PERSONLIG' }),
    );
  });

  it('answers a malformed plate with BAD_USER_INPUT naming the argument, and makes no upstream call', async () => {
    const res = await stack.gql(`{ vehicle(kjennemerke: "AB_12345!") { kuid } }`);
    expect(res.body.data.vehicle).toBeNull();
    expect(res.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'kjennemerke' });
    expect(res.body.errors![0].message).not.toContain('AB_12345');
    const stats = await stack.stats();
    expect(stats.routes['bulk/kjennemerke'].requests).toBe(0);
    expect(stats.tokenGrants + stats.routes['bulk/kuid'].requests).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ['a malformed kuid', '{ vehicle(kuid: "12ab") { kuid } }', 'kuid'],
    ['a malformed VIN', '{ vehicle(understellsnummer: "YS3-12") { kuid } }', 'understellsnummer'],
    [
      'two ids at once',
      '{ vehicle(kuid: "1", kjennemerke: "AB12345") { kuid } }',
      'kjennemerke|kuid|understellsnummer',
    ],
  ])('rejects %s with BAD_USER_INPUT', async (_name, query, argument) => {
    const res = await stack.gql(query);
    expect(res.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    const stats = await stack.stats();
    expect(Object.values(stats.routes).reduce((n, r) => n + r.requests, 0) - stats.routes.token.requests).toBe(0);
  });

  it('rejects a malformed date-time literal with BAD_USER_INPUT and no upstream call (200 as application/json, 400 as application/graphql-response+json)', async () => {
    const query = `{ vehicle(kjennemerke: "AB12345", at: "1999-12-31") { kuid } }`;
    const json = await stack.gql(query);
    const graphqlResponse = await stack.gql(query, undefined, { accept: 'application/graphql-response+json' });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(graphqlResponse.status).toBe(400);
    expect(graphqlResponse.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    for (const res of [json, graphqlResponse]) {
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors!.map((e) => e.extensions!.code)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors![0].message).not.toContain('1999-12-31');
      // Where the literal is, since the message cannot name the argument.
      expect(res.body.errors![0]).toMatchObject({ locations: [{ line: 1, column: 39 }] });
    }
    expect((await stack.stats()).routes['bulk/kjennemerke'].requests).toBe(0);
  });

  it('names a malformed variable without echoing its value', async () => {
    const res = await stack.gql(
      `query($at: DateTime, $n: Int) { vehicle(kjennemerke: "AB12345", at: $at) { kuid } vehiclesByOwnerName(name: "X", first: $n) { totalCount } }`,
      {
        at: 'secret-1985',
        n: 'also-secret',
      },
    );
    const messages = res.body.errors!.map((e) => e.message);
    expect(res.body.errors!.map((e) => e.extensions!.code)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(messages).toEqual([
      'Variable "$at" got an invalid value; DateTime must be an ISO-8601 date-time with an offset, e.g. 2023-06-01T12:00:00+02:00',
      'Variable "$n" got an invalid value; Int cannot represent non-integer value',
    ]);
    expect(JSON.stringify(res.body)).not.toMatch(/secret/);
  });

  it('answers vehicle(kjennemerke:, at:) with the owner at each date', async () => {
    const v = sample.withOwnershipHistory[0];
    const [first, second] = v.owners;
    const atFirst = new Date(Date.parse(first.fom) + 86_400_000).toISOString();
    const atSecond = new Date(Date.parse(second.fom) + 86_400_000).toISOString();
    const query = `query($p: String, $at: DateTime) { vehicle(kjennemerke: $p, at: $at) { understellsnummer asOf owner { name since until } } }`;
    const [a, b] = await Promise.all([
      stack.gql(query, { p: v.kjennemerke, at: atFirst }),
      stack.gql(query, { p: v.kjennemerke, at: atSecond }),
    ]);
    expect(a.body.errors).toBeUndefined();
    expect(b.body.errors).toBeUndefined();
    expect(a.body.data.vehicle.understellsnummer).toBe(v.understellsnummer);
    expect(a.body.data.vehicle.asOf).toBe(atFirst);
    expect(Date.parse(a.body.data.vehicle.owner.since)).toBe(Date.parse(first.fom));
    expect(Date.parse(b.body.data.vehicle.owner.since)).toBe(Date.parse(second.fom));
    expect(a.body.data.vehicle.owner.until).not.toBeNull();
    expect(a.body.data.vehicle.owner).not.toEqual(b.body.data.vehicle.owner);
  });

  it('answers vehicles(kjennemerker:) in input order with null for not found, in one bulk call', async () => {
    const plates = [sample.vehicles[2].kjennemerke, 'ZZ99998', sample.vehicles[3].kjennemerke];
    const res = await stack.gql(`query($p: [String!]) { vehicles(kjennemerker: $p) { understellsnummer } }`, {
      p: plates,
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.vehicles).toEqual([
      { understellsnummer: sample.vehicles[2].understellsnummer },
      null,
      { understellsnummer: sample.vehicles[3].understellsnummer },
    ]);
    expect((await stack.stats()).routes['bulk/kjennemerke'].requests).toBe(1);
  });

  it('answers vehicle(understellsnummer:, at:) with the owner then: the VIN now, then bulk/kjennemerke at `at`', async () => {
    const v = sample.withOwnershipHistory.find((x) => /^[A-HJ-NPR-Z0-9]{17}$/.test(x.understellsnummer))!;
    const [first, second] = v.owners;
    const atFirst = new Date(Date.parse(first.fom) + 86_400_000).toISOString();
    const query = `query($vin: String, $at: DateTime) { vehicle(understellsnummer: $vin, at: $at) { understellsnummer asOf owner { since } } }`;
    const then = await stack.gql(query, { vin: v.understellsnummer, at: atFirst });
    expect(then.body.errors).toBeUndefined();
    expect(then.body.data.vehicle).toMatchObject({ understellsnummer: v.understellsnummer, asOf: atFirst });
    expect(Date.parse(then.body.data.vehicle.owner.since)).toBe(Date.parse(first.fom));
    expect(Date.parse(then.body.data.vehicle.owner.since)).not.toBe(Date.parse(second.fom));
    const stats = await stack.stats();
    expect(stats.routes.understellsnummer.requests).toBe(1);
    expect(stats.routes['bulk/kjennemerke'].requests).toBe(1);
  });

  it('answers vehicles(kuids:) through bulk/kuid', async () => {
    const kuids = sample.vehicles.slice(0, 5).map((v) => v.kuid);
    const res = await stack.gql(`query($k: [ID!]) { vehicles(kuids: $k) { kuid } }`, { k: kuids });
    expect(res.body.data.vehicles.map((v: { kuid: string }) => v.kuid)).toEqual(kuids);
    expect((await stack.stats()).routes['bulk/kuid'].requests).toBe(1);
  });

  it('two search pages of one row each send fra=1, then fra=2, and return different vehicles', async () => {
    const target = sample.ownerSearch.find((s) => s.hits > 2)!;
    const query = `query($n: String!, $after: String) { vehiclesByOwnerName(name: $n, first: 1, after: $after) {
      edges { node { kuid kjennemerke understellsnummer } } pageInfo { hasNextPage endCursor } } }`;
    const first = await stack.gql(query, { n: target.name });
    const page1 = first.body.data.vehiclesByOwnerName;
    const second = await stack.gql(query, { n: target.name, after: page1.pageInfo.endCursor });
    const page2 = second.body.data.vehiclesByOwnerName;
    expect(page1.edges).toHaveLength(1);
    expect(page2.edges).toHaveLength(1);
    expect(page2.edges[0].node.understellsnummer).not.toBe(page1.edges[0].node.understellsnummer);
    // Search answers carry kuid, as SVV's v2 search does.
    expect(page1.edges[0].node.kuid).toMatch(/^\d{10}$/);
    expect((await stack.stats()).searchPaging).toEqual([
      { fra: '1', antall: '1' },
      { fra: '2', antall: '1' },
    ]);
  });

  it('pages through an owner-name search with cursors, with no duplicates and the right total', async () => {
    const target = sample.ownerSearch.find((s) => s.hits > 45)!;
    expect(target).toBeDefined();
    const query = `query($n: String!, $after: String) { vehiclesByOwnerName(name: $n, first: 20, after: $after) {
      totalCount edges { cursor node { kuid owner { name } } } pageInfo { hasNextPage endCursor } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const res: GqlResponse<any> = await stack.gql(query, { n: target.name, after });
      expect(res.body.errors).toBeUndefined();
      const page = res.body.data.vehiclesByOwnerName;
      expect(page.totalCount).toBe(target.hits);
      expect(page.edges.length).toBeLessThanOrEqual(20);
      seen.push(...page.edges.map((e: { node: { kuid: string } }) => e.node.kuid));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages++;
    } while (after && pages < 20);
    expect(seen).toHaveLength(target.hits);
    expect(new Set(seen).size).toBe(target.hits);
    expect(pages).toBe(Math.ceil(target.hits / 20));
    expect((await stack.stats()).routes.sok.requests).toBe(pages);
  });

  it('answers an owner search with no hits (Fiks 204) as an empty page', async () => {
    const res = await stack.gql(
      `{ vehiclesByOwnerName(name: "Ingen Slik Eier Finnes") { totalCount edges { cursor } pageInfo { hasNextPage endCursor } } }`,
    );
    expect(res.body.data.vehiclesByOwnerName).toEqual({
      totalCount: 0,
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
    });
  });

  it("lists an organisation's vehicles through sok/organisasjonsnummer", async () => {
    const org = sample.organisations.find((o) => o.vehicles > 0)!;
    const res = await stack.gql(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Organization { organisasjonsnummer vehicles(first: 5) { totalCount edges { node { kuid } } } } } }`,
      { reps: [{ __typename: 'Organization', organisasjonsnummer: org.organisasjonsnummer }] },
    );
    expect(res.body.errors).toBeUndefined();
    const entity = res.body.data._entities[0];
    expect(entity.organisasjonsnummer).toBe(org.organisasjonsnummer);
    expect(entity.vehicles.totalCount).toBe(org.vehicles);
    expect(entity.vehicles.edges.length).toBe(Math.min(5, org.vehicles));
  });
});
