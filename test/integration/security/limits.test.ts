import { LIMITS } from '../../../src/security/limits';
import { startStack, type EmulatorSample, type Stack } from '../../helpers/stack';
import { countTokens } from '../../helpers/tokens';

/**
 * Every operation limit over the whole stack: just under passes, just over is refused with a coded error before any
 * upstream call (counted by the emulator). Dev mode (no caller auth), so only the limits decide.
 */
const CAP = 200; // MAX_IDENTIFIERS_PER_OPERATION default

describe('operation limits (graphql-armor + identifier cap + token limit)', () => {
  let stack: Stack;
  let sample: EmulatorSample;
  let plates: string[];

  beforeAll(async () => {
    stack = await startStack({ env: { MAX_IDENTIFIERS_PER_OPERATION: String(CAP) } });
    sample = await stack.sample(CAP);
    plates = sample.vehicles.map((v) => v.kjennemerke);
    expect(plates.length).toBe(CAP);
  });
  afterAll(() => stack?.close());
  beforeEach(() => stack.reset());

  /** Every upstream request the emulator saw since the last reset (token grants included). */
  const upstreamCalls = async () => {
    const stats = await stack.stats();
    return Object.values(stats.routes).reduce((n, r) => n + r.requests, 0) + stats.tokenGrants;
  };

  async function expectPasses(query: string, variables?: Record<string, unknown>) {
    const res = await stack.gql(query, variables);
    expect(res.status).toBe(200);
    const codes = (res.body.errors ?? []).map((e) => e.extensions?.code);
    expect(codes).not.toContain('GRAPHQL_VALIDATION_FAILED');
    expect(codes).not.toContain('GRAPHQL_PARSE_FAILED');
    expect(codes).not.toContain('BAD_USER_INPUT');
    expect(await upstreamCalls()).toBeGreaterThan(0);
    return res;
  }

  async function expectRefused(
    query: string,
    variables: Record<string, unknown> | undefined,
    code: string,
    message: RegExp,
  ) {
    // A client that asks for application/graphql-response+json sees the 4xx; application/json answers 200 (routers).
    const res = await stack.gql(query, variables, { accept: 'application/graphql-response+json' });
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(message),
        extensions: expect.objectContaining({ code }),
      }),
    ]);
    expect(await upstreamCalls()).toBe(0);
    return res;
  }

  describe(`depth (max ${LIMITS.maxDepth}, fragments flattened)`, () => {
    // vehicle 1, owner 2, vehicles 3, edges 4, node 5, owner 6, then 7 and 8 (+ 9 when over).
    const deep = (tail: string) =>
      `query($k: String!) { vehicle(kjennemerke: $k) { kuid owner { ... on Organization { vehicles(first: 1) { edges { node { owner { ${tail} } } } } } } } }`;

    it(`depth ${LIMITS.maxDepth} passes`, async () => {
      await expectPasses(deep('address { lines }'), { k: plates[0] });
    });

    it(`depth ${LIMITS.maxDepth + 1} is refused before any upstream call`, async () => {
      await expectRefused(
        deep('... on Organization { vehicles(first: 1) { pageInfo { endCursor } } }'),
        { k: plates[0] },
        'GRAPHQL_VALIDATION_FAILED',
        /depth limit of 8 exceeded, found 9/,
      );
    });

    it('depth hidden in named fragments is counted the same', async () => {
      const query = `query($k: String!) { vehicle(kjennemerke: $k) { ...V } }
        fragment V on Vehicle { owner { ...O } }
        fragment O on Organization { vehicles(first: 1) { edges { node { owner { ...O2 } } } } }
        fragment O2 on Organization { vehicles(first: 1) { pageInfo { endCursor } } }`;
      await expectRefused(query, { k: plates[0] }, 'GRAPHQL_VALIDATION_FAILED', /depth limit of 8 exceeded/);
    });
  });

  describe(`aliases (max ${LIMITS.maxAliases})`, () => {
    const aliased = (n: number) =>
      `{ ${plates
        .slice(0, n)
        .map((p, i) => `v${i}: vehicle(kjennemerke: "${p}") { kuid }`)
        .join(' ')} }`;

    it(`${LIMITS.maxAliases} aliased lookups pass, in one bulk call`, async () => {
      const res = await expectPasses(aliased(LIMITS.maxAliases));
      expect(Object.keys(res.body.data)).toHaveLength(LIMITS.maxAliases);
      expect((await stack.stats()).routes['bulk/kjennemerke'].requests).toBe(1);
    });

    it(`${LIMITS.maxAliases + 1} are refused`, async () => {
      await expectRefused(
        aliased(LIMITS.maxAliases + 1),
        undefined,
        'GRAPHQL_VALIDATION_FAILED',
        /Aliases limit of 10 exceeded, found 11/,
      );
    });
  });

  describe(`tokens (max ${LIMITS.maxTokens})`, () => {
    /** One representation padded with a list of zeros to exactly n tokens (routers send representations as variables). */
    const withTokens = (n: number) => {
      const doc = (pad: string) =>
        `{ _entities(representations: [{ __typename: "Vehicle", kuid: "${sample.vehicles[0].kuid}", pad: [${pad}] }]) { ... on Vehicle { kuid } } }`;
      const query = doc('0 '.repeat(n - countTokens(doc(''))));
      expect(countTokens(query)).toBe(n);
      return query;
    };

    it(`${LIMITS.maxTokens} tokens pass`, async () => {
      const res = await expectPasses(withTokens(LIMITS.maxTokens));
      expect(res.body.data._entities).toEqual([{ kuid: sample.vehicles[0].kuid }]);
    });

    it(`${LIMITS.maxTokens + 1} tokens are refused while parsing (400, not 500; 200 for application/json, as other parse failures)`, async () => {
      const query = withTokens(LIMITS.maxTokens + 1);
      await expectRefused(query, undefined, 'GRAPHQL_PARSE_FAILED', /Document contains more that 1500 tokens/);
      // A router that asks for application/json (@apollo/gateway) would drop a 400's body.
      const res = await stack.gql(query);
      expect(res.status).toBe(200);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'GRAPHQL_PARSE_FAILED' }) }),
      ]);
      expect(await upstreamCalls()).toBe(0);
    });
  });

  describe(`directives (max ${LIMITS.maxDirectives})`, () => {
    const fields: [string, string][] = [
      ['kuid', ''],
      ['kjennemerke', ''],
      ['understellsnummer', ''],
      ['firstRegisteredInNorway', ''],
      ['asOf', ''],
      ['plates', '{ kjennemerke }'],
      ['registration', '{ from }'],
      ['technical', '{ make }'],
      ['inspection', '{ dueDate }'],
      ['owner', '{ name }'],
      ['coOwner', '{ name }'],
    ];
    const directives = (n: number) =>
      `query($k: String!) { vehicle(kjennemerke: $k) { ${fields
        .map(
          ([f, sub], i) =>
            `${f} ${i * 2 < n ? '@include(if: true)' : ''} ${i * 2 + 1 < n ? '@skip(if: false)' : ''} ${sub}`,
        )
        .join(' ')} } }`;

    it(`${LIMITS.maxDirectives} pass`, async () => {
      await expectPasses(directives(LIMITS.maxDirectives), { k: plates[0] });
    });

    it(`${LIMITS.maxDirectives + 1} are refused`, async () => {
      await expectRefused(
        directives(LIMITS.maxDirectives + 1),
        { k: plates[0] },
        'GRAPHQL_VALIDATION_FAILED',
        /Directives limit of 20 exceeded, found 21/,
      );
    });
  });

  describe(`cost (max ${LIMITS.maxCost})`, () => {
    const search = (first: number) => `query($n: String!) { vehiclesByOwnerName(name: $n, first: ${first}) { totalCount
      pageInfo { hasNextPage endCursor } edges { cursor node { ${FULL_VEHICLE} } } } }`;

    it('a full vehicle card for a page of 100 search hits passes', async () => {
      await expectPasses(search(100), { n: sample.ownerSearch[0].name });
      expect((await stack.stats()).routes.sok.requests).toBe(1);
    });

    it('the same for 120 is refused by cost', async () => {
      await expectRefused(
        search(120),
        { n: sample.ownerSearch[0].name },
        'GRAPHQL_VALIDATION_FAILED',
        /Cost limit of 75000 exceeded/,
      );
    });
  });

  describe(`identifier cap (MAX_IDENTIFIERS_PER_OPERATION=${CAP})`, () => {
    const VEHICLES = 'query($p: [String!]) { vehicles(kjennemerker: $p) { kuid } }';
    const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Vehicle { kuid } } }';
    const reps = (n: number) =>
      [...plates, 'ZZ99999'].slice(0, n).map((kjennemerke) => ({ __typename: 'Vehicle', kjennemerke }));

    it(`vehicles(kjennemerker) with ${CAP} ids passes, in ceil(${CAP} / 50) bulk calls`, async () => {
      const res = await expectPasses(VEHICLES, { p: plates });
      expect(res.body.data.vehicles.filter(Boolean)).toHaveLength(CAP);
      expect((await stack.stats()).routes['bulk/kjennemerke'].requests).toBe(4);
    });

    it(`with ${CAP + 1} ids it is refused with BAD_USER_INPUT and the limit`, async () => {
      const res = await expectRefused(
        VEHICLES,
        { p: [...plates, 'ZZ99999'] },
        'BAD_USER_INPUT',
        /asks for 201 vehicle identifiers \(a VIN counts 10\); the limit is 200/,
      );
      expect(res.body.errors![0].extensions!.limit).toBe(CAP);
    });

    it(`_entities: ${CAP} representations pass, ${CAP + 1} are refused`, async () => {
      await expectPasses(ENTITIES, { r: reps(CAP) });
      await stack.reset();
      await expectRefused(ENTITIES, { r: reps(CAP + 1) }, 'BAD_USER_INPUT', /201 vehicle identifiers/);
    });

    it('aliases of the list lookup add up: 10 × 20 passes, 10 × 20 + 1 is refused', async () => {
      const query = (extra: boolean) =>
        `{ ${Array.from({ length: 10 }, (_, i) => {
          const ids = plates.slice(i * 20, i * 20 + 20).concat(extra && i === 9 ? ['ZZ99999'] : []);
          return `l${i}: vehicles(kjennemerker: ${JSON.stringify(ids)}) { kuid }`;
        }).join(' ')} }`;
      await expectPasses(query(false));
      await stack.reset();
      await expectRefused(query(true), undefined, 'BAD_USER_INPUT', /201 vehicle identifiers/);
    });

    it('search page sizes count, and multiply under a list: 10 + 10 × 19 passes, 10 + 10 × 20 is refused', async () => {
      const query = `query($p: [String!], $first: Int) { vehicles(kjennemerker: $p) { kuid owner { ... on Organization { vehicles(first: $first) { totalCount } } } } }`;
      await expectPasses(query, { p: plates.slice(0, 10), first: 19 });
      await stack.reset();
      await expectRefused(query, { p: plates.slice(0, 10), first: 20 }, 'BAD_USER_INPUT', /210 vehicle identifiers/);
    });

    it('the same document is counted again when a counted argument comes from a variable: a plate 1, a VIN 10', async () => {
      // The plate's value never changes the count, the VIN's presence does: the count made for the first request must
      // not be reused for the second (an operation is counted once only when no counted argument is a variable).
      const query = `query($p: [String!], $k: String, $v: String) {
        vehicles(kjennemerker: $p) { kuid } vehicle(kjennemerke: $k, understellsnummer: $v) { kuid } }`;
      await expectPasses(query, { p: plates.slice(0, 191), k: plates[199] });
      await stack.reset();
      await expectRefused(
        query,
        { p: plates.slice(0, 191), v: sample.vehicles[199].understellsnummer },
        'BAD_USER_INPUT',
        /201 vehicle identifiers/,
      );
    });

    it('a request whose variables do not coerce leaves no count behind: the next request of the document is counted', async () => {
      // Without $n the searches' arguments cannot be read, so each counts the default page (20): 60, under the cap.
      // That count must not be kept for the document, or a valid request would pass with 3 × 100 = 300.
      const query = `query($n: String!) {
        a: vehiclesByOwnerName(name: $n, first: 100) { totalCount }
        b: vehiclesByOwnerName(name: $n, first: 100) { totalCount }
        c: vehiclesByOwnerName(name: $n, first: 100) { totalCount } }`;
      const bad = await stack.gql(query, {});
      expect(bad.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(await upstreamCalls()).toBe(0);
      await expectRefused(query, { n: sample.ownerSearch[0].name }, 'BAD_USER_INPUT', /300 vehicle identifiers/);
    });

    it('a search page plus lookups: 100 + 99 + 1 passes, 100 + 100 + 1 is refused', async () => {
      const query = `query($n: String!, $p: [String!], $k: String!) {
        vehiclesByOwnerName(name: $n, first: 100) { totalCount } vehicles(kjennemerker: $p) { kuid } vehicle(kjennemerke: $k) { kuid } }`;
      await expectPasses(query, { n: sample.ownerSearch[0].name, p: plates.slice(0, 99), k: plates[199] });
      await stack.reset();
      await expectRefused(
        query,
        { n: sample.ownerSearch[0].name, p: plates.slice(0, 100), k: plates[199] },
        'BAD_USER_INPUT',
        /201 vehicle identifiers/,
      );
    });
  });
});

/** Every Vehicle field, as a client showing a full vehicle card with owners would ask. */
const FULL_VEHICLE = `kuid kjennemerke understellsnummer firstRegisteredInNorway asOf
  plates { kjennemerke category type { value name } from to }
  registration { status { value name } usage { value name } from to firstRegisteredOnOwnership deregisteredSince }
  technical { make commercialName type vehicleClass { value name } classDescription taxCode
    fuels { fuel { value name } maxNetPowerKw } powerKw displacementCc maxSpeedKmh
    weights { curbWeightKg payloadKg maxPermittedKg } dimensions { lengthMm widthMm heightMm }
    colours { value name } seats euroClass { value } co2GramsPerKm electricRangeKm }
  inspection { dueDate lastApproved }
  owner { name since until ... on Person { firstName lastName birthDate address { lines postnummer poststed } }
    ... on Organization { organisasjonsnummer address { lines postnummer poststed } } }
  coOwner { name } lessee { name }`;
