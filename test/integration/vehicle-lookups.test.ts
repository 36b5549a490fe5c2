import { startStack, type EmulatorSample, type GqlResponse, type Stack } from '../helpers/stack';

const VEHICLE_FIELDS = /* GraphQL */ `
  kuid kjennemerke understellsnummer asOf firstRegisteredInNorway
  plates { kjennemerke category from to }
  registration { status { value name } usage { value } from }
  technical { make commercialName vehicleClass { value } fuels { fuel { value name } maxNetPowerKw } powerKw weights { curbWeightKg maxPermittedKg } dimensions { lengthMm } colours { value name } seats }
  inspection { dueDate lastApproved }
  owner { __typename name since until ... on Person { birthDate } ... on Organization { organisasjonsnummer } }
`;

describe('vehicle lookups over HTTP against the emulator', () => {
  let stack: Stack;
  let sample: EmulatorSample;

  beforeAll(async () => {
    stack = await startStack();
    sample = await stack.sample(30);
  });
  afterAll(() => stack?.close());
  beforeEach(() => stack.reset());

  it('finds a vehicle by kjennemerke, kuid and understellsnummer, with its technical data and owner', async () => {
    const v = sample.vehicles[0];
    const res = await stack.gql(
      `query Lookup($p: String, $k: ID, $vin: String) {
        byPlate: vehicle(kjennemerke: $p) { ${VEHICLE_FIELDS} }
        byKuid: vehicle(kuid: $k) { kuid kjennemerke }
        byVin: vehicle(understellsnummer: $vin) { kuid kjennemerke }
      }`,
      { p: v.kjennemerke, k: v.kuid, vin: v.understellsnummer },
    );
    expect(res.body.errors).toBeUndefined();
    const { byPlate, byKuid, byVin } = res.body.data;
    expect(byPlate).toMatchObject({ kuid: v.kuid, kjennemerke: v.kjennemerke, understellsnummer: v.understellsnummer });
    expect(byPlate.technical.make).toEqual(expect.any(String));
    expect(byPlate.plates.length).toBeGreaterThan(0);
    expect(byPlate.inspection).toBeDefined();
    expect(byKuid).toEqual({ kuid: v.kuid, kjennemerke: v.kjennemerke });
    expect(byVin.kuid).toBe(v.kuid);
  });

  it('treats "ab 12345", "AB-12345" and "AB12345" as one plate and one upstream id', async () => {
    const plate = sample.vehicles[1].kjennemerke;
    const spaced = `${plate.slice(0, 2).toLowerCase()} ${plate.slice(2)}`;
    const hyphen = `${plate.slice(0, 2)}-${plate.slice(2)}`;
    const res = await stack.gql(
      `{ a: vehicle(kjennemerke: "${spaced}") { kuid } b: vehicle(kjennemerke: "${hyphen}") { kuid } }`,
    );
    expect(res.body.data.a.kuid).toBe(sample.vehicles[1].kuid);
    expect(res.body.data.b.kuid).toBe(sample.vehicles[1].kuid);
    const stats = await stack.stats();
    expect(stats.routes['bulk/kjennemerke'].requests).toBe(1);
    expect(stats.routes['bulk/kjennemerke'].idsRequested).toBe(1);
  });

  it('finds a vehicle by its personal plate', async () => {
    const personal = sample.personalPlates[0];
    const res = await stack.gql(
      `query($p: String) { vehicle(kjennemerke: $p) { kuid plates { kjennemerke category } } }`,
      {
        p: personal.kjennemerke,
      },
    );
    expect(res.body.data.vehicle.kuid).toBe(personal.kuid);
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
      'Variable "$at" got an invalid value: DateTime must be an ISO-8601 date-time with an offset, e.g. 2023-06-01T12:00:00+02:00',
      'Variable "$n" got an invalid value: Int cannot represent non-integer value',
    ]);
    expect(JSON.stringify(res.body)).not.toMatch(/secret/);
  });

  it('answers vehicle(kjennemerke:, at:) with the owner at each date', async () => {
    const v = sample.withOwnershipHistory[0];
    const [first, second] = v.owners;
    const atFirst = new Date(Date.parse(first.fom) + 86_400_000).toISOString();
    const atSecond = new Date(Date.parse(second.fom) + 86_400_000).toISOString();
    const query = `query($p: String, $at: DateTime) { vehicle(kjennemerke: $p, at: $at) { kuid asOf owner { name since until } } }`;
    const [a, b] = await Promise.all([
      stack.gql(query, { p: v.kjennemerke, at: atFirst }),
      stack.gql(query, { p: v.kjennemerke, at: atSecond }),
    ]);
    expect(a.body.errors).toBeUndefined();
    expect(b.body.errors).toBeUndefined();
    expect(a.body.data.vehicle.kuid).toBe(v.kuid);
    expect(a.body.data.vehicle.asOf).toBe(atFirst);
    expect(Date.parse(a.body.data.vehicle.owner.since)).toBe(Date.parse(first.fom));
    expect(Date.parse(b.body.data.vehicle.owner.since)).toBe(Date.parse(second.fom));
    expect(a.body.data.vehicle.owner.until).not.toBeNull();
    expect(a.body.data.vehicle.owner).not.toEqual(b.body.data.vehicle.owner);
  });

  it('answers vehicles(kjennemerker:) in input order with null for not found, in one bulk call', async () => {
    const plates = [sample.vehicles[2].kjennemerke, 'ZZ99998', sample.vehicles[3].kjennemerke];
    const res = await stack.gql(`query($p: [String!]) { vehicles(kjennemerker: $p) { kuid } }`, { p: plates });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.vehicles).toEqual([
      { kuid: sample.vehicles[2].kuid },
      null,
      { kuid: sample.vehicles[3].kuid },
    ]);
    expect((await stack.stats()).routes['bulk/kjennemerke'].requests).toBe(1);
  });

  it('answers vehicles(kuids:) through bulk/kuid', async () => {
    const kuids = sample.vehicles.slice(0, 5).map((v) => v.kuid);
    const res = await stack.gql(`query($k: [ID!]) { vehicles(kuids: $k) { kuid } }`, { k: kuids });
    expect(res.body.data.vehicles.map((v: { kuid: string }) => v.kuid)).toEqual(kuids);
    expect((await stack.stats()).routes['bulk/kuid'].requests).toBe(1);
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
