import { ApolloArmor } from '@escape.tech/graphql-armor';
import { parse, validate, specifiedRules } from 'graphql';
import { buildSchema } from '../../../src/schema';
import { countIdentifiersIn } from '../../helpers/identifier-count';
import { LIMITS, operationLimits, VIN_LOOKUP_COST } from '../../../src/security/limits';

const schema = buildSchema();

const count = (source: string, variables: Record<string, unknown> = {}): number =>
  countIdentifiersIn(schema, source, variables);

const plates = (n: number) => Array.from({ length: n }, (_, i) => `AB${String(10000 + i)}`);

describe('countIdentifiers: vehicles one operation can make the subgraph look up', () => {
  it('counts each `vehicle` field, aliases included', () => {
    expect(count('{ vehicle(kjennemerke: "AB12345") { kuid } }')).toBe(1);
    expect(
      count(
        '{ a: vehicle(kjennemerke: "AB12345") { kuid } b: vehicle(kuid: "1") { kuid } c: vehicle(kuid: "2") { kuid } }',
      ),
    ).toBe(3);
  });

  it('counts the ids of `vehicles(...)`, literal or from variables, and a single value coerced to a list', () => {
    expect(count(`{ vehicles(kjennemerker: ${JSON.stringify(plates(7))}) { kuid } }`)).toBe(7);
    expect(count('query($p: [String!]) { vehicles(kjennemerker: $p) { kuid } }', { p: plates(150) })).toBe(150);
    expect(count('query($k: [ID!]) { vehicles(kuids: $k) { kuid } }', { k: ['1', '2'] })).toBe(2);
    expect(count('{ vehicles(kjennemerker: "AB12345") { kuid } }')).toBe(1);
    expect(
      count('query($p: [String!] = ["AB10000", "AB10001", "AB10002"]) { vehicles(kjennemerker: $p) { kuid } }'),
    ).toBe(3);
  });

  it(`counts a VIN lookup as ${VIN_LOOKUP_COST}: each VIN is a GET of its own, plates share bulk calls`, () => {
    expect(count('{ vehicle(understellsnummer: "YS3TESTM1R0000001") { kuid } }')).toBe(VIN_LOOKUP_COST);
    const vins = Array.from({ length: 200 }, (_, i) => ({
      __typename: 'Vehicle',
      understellsnummer: `YS3TESTM1R${String(i).padStart(7, '0')}`,
    }));
    const entities = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Vehicle { kuid } } }';
    expect(count(entities, { r: vins })).toBe(200 * VIN_LOOKUP_COST);
    // A reference with a kuid or plate resolves by that, in bulk, whatever else it carries.
    expect(count(entities, { r: vins.map((v, i) => ({ ...v, kuid: String(i + 1) })) })).toBe(200);
    expect(
      count('mutation($i: PreRegisterInput!) { preRegister(input: $i) { preRegistration { vehicle { kuid } } } }', {
        i: { dryRun: true, ecoc: {} },
      }),
    ).toBe(VIN_LOOKUP_COST);
  });

  it('counts `_entities` representations, literal or from variables', () => {
    const reps = plates(120).map((kjennemerke) => ({ __typename: 'Vehicle', kjennemerke }));
    expect(
      count('query($r: [_Any!]!) { _entities(representations: $r) { ... on Vehicle { kuid } } }', { r: reps }),
    ).toBe(120);
    expect(
      count(
        '{ _entities(representations: [{ __typename: "Vehicle", kuid: "1" }, { __typename: "Vehicle", kuid: "2" }]) { __typename } }',
      ),
    ).toBe(2);
  });

  it('counts search page sizes: literal, variable, variable default and schema default (20)', () => {
    expect(count('{ vehiclesByOwnerName(name: "X", first: 100) { totalCount } }')).toBe(100);
    expect(count('query($n: Int) { vehiclesByOwnerName(name: "X", first: $n) { totalCount } }', { n: 60 })).toBe(60);
    expect(count('query($n: Int = 70) { vehiclesByOwnerName(name: "X", first: $n) { totalCount } }')).toBe(70);
    expect(count('{ vehiclesByOwnerName(name: "X") { totalCount } }')).toBe(20);
  });

  it('multiplies nested lookups: organisation vehicles under each of many vehicles', () => {
    const source = `query($p: [String!]) { vehicles(kjennemerker: $p) {
      owner { ... on Organization { vehicles(first: 10) { edges { node { kuid } } } } } } }`;
    expect(count(source, { p: plates(5) })).toBe(5 + 5 * 10);
    const entities = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { vehicles(first: 30) { totalCount } } } }`;
    expect(
      count(entities, { r: [1, 2, 3].map(() => ({ __typename: 'Organization', organisasjonsnummer: '310000008' })) }),
    ).toBe(3 + 3 * 30);
  });

  it('follows fragments (named and inline), and a fragment fan-out is counted fast', () => {
    expect(
      count(
        '{ ...A } fragment A on Query { a: vehicle(kuid: "1") { kuid } ...B } fragment B on Query { vehicle(kuid: "2") { kuid } }',
      ),
    ).toBe(2);
    // F4 spreads F3 ten times, … F0 has one lookup: 10^4 lookups, found without walking 10^4 paths.
    const fragments = [
      'fragment F0 on Query { vehicle(kuid: "1") { kuid } }',
      ...[1, 2, 3, 4].map(
        (i) => `fragment F${i} on Query { ${Array.from({ length: 10 }, () => `...F${i - 1}`).join(' ')} }`,
      ),
    ];
    expect(count(`{ ...F4 } ${fragments.join(' ')}`)).toBe(10_000);
  });

  it("multiplies lookups under a page of the ledger: each submission's vehicle is a VIN lookup of its own", () => {
    const page = (first: string) => `{ preRegistrations${first} { edges { node { iviReferanse vehicle { kuid } } } } }`;
    expect(count(page('(first: 100)'))).toBe(100 * VIN_LOOKUP_COST);
    expect(count(page(''))).toBe(20 * VIN_LOOKUP_COST); // the schema's default page
    expect(
      count('query($n: Int) { preRegistrations(first: $n) { edges { node { vehicle { kuid } } } } }', { n: 5 }),
    ).toBe(5 * VIN_LOOKUP_COST);
    expect(count('{ preRegistrations(first: 100) { edges { node { iviReferanse } } } }')).toBe(0);
  });

  it('ignores fields that look up nothing', () => {
    expect(count('{ __typename }')).toBe(0);
    expect(count('{ _service { sdl } }')).toBe(0);
  });
});

describe('graphql-armor limits as tuned in LIMITS (validation rules on the real schema)', () => {
  const { validationRules } = operationLimits({ maxIdentifiersPerOperation: 200 });
  const errorsOf = (source: string) => validate(schema, parse(source), [...specifiedRules, ...validationRules]);

  it(`depth: ${LIMITS.maxDepth} passes, ${LIMITS.maxDepth + 1} is rejected`, () => {
    // Fragments are flattened: _entities 1, vehicles 2, edges 3, node 4, owner 5, vehicles 6, pageInfo 7, endCursor 8.
    const atLimit = `{ _entities(representations: []) { ... on Organization { vehicles(first: 1) { edges { node { owner { ... on Organization {
      vehicles(first: 1) { pageInfo { endCursor } } } } } } } } } }`;
    expect(errorsOf(atLimit)).toEqual([]);
    const over = `{ _entities(representations: []) { ... on Organization { vehicles(first: 1) { edges { node { owner { ... on Organization {
      vehicles(first: 1) { edges { node { kuid } } } } } } } } } } }`;
    const errors = errorsOf(over);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/depth limit of 8 exceeded, found 9/);
  });

  it(`aliases: ${LIMITS.maxAliases} pass, ${LIMITS.maxAliases + 1} are rejected`, () => {
    // `__typename` aliases are allowed freely (armor's allow-list), so alias a lookup.
    const aliases = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: vehicle(kuid: "${i}") { kuid }`).join(' ')} }`;
    expect(errorsOf(aliases(LIMITS.maxAliases))).toEqual([]);
    expect(errorsOf(aliases(LIMITS.maxAliases + 1))[0].message).toMatch(/Aliases limit of 10 exceeded, found 11/);
  });

  it(`directives: ${LIMITS.maxDirectives} pass, ${LIMITS.maxDirectives + 1} are rejected`, () => {
    // Each of @include and @skip may appear once per field: spread them over distinct fields (no aliases).
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
      `{ vehicle(kuid: "1") { ${fields
        .map(
          ([f, sub], i) =>
            `${f} ${i * 2 < n ? '@include(if: true)' : ''} ${i * 2 + 1 < n ? '@skip(if: false)' : ''} ${sub}`,
        )
        .join(' ')} } }`;
    expect(errorsOf(directives(LIMITS.maxDirectives))).toEqual([]);
    expect(errorsOf(directives(LIMITS.maxDirectives + 1))[0].message).toMatch(
      /Directives limit of 20 exceeded, found 21/,
    );
  });

  it(`cost: the heaviest legitimate query passes (limit ${LIMITS.maxCost}), a larger page of it does not`, () => {
    const full = (
      first: number,
    ) => `{ vehiclesByOwnerName(name: "X", first: ${first}) { totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { ${FULL_VEHICLE} } } } }`;
    expect(errorsOf(full(100))).toEqual([]);
    expect(errorsOf(full(120))[0].message).toMatch(/Cost limit of 75000 exceeded/);
  });

  it('armor rejections carry a code (BAD_USER_INPUT) for Apollo to keep', () => {
    const armor = new ApolloArmor({ maxAliases: { n: 1 } }).protect();
    const errors = validate(
      schema,
      parse('{ a: vehicle(kuid: "1") { kuid } b: vehicle(kuid: "2") { kuid } }'),
      armor.validationRules,
    );
    expect(errors[0].extensions.code).toBe('BAD_USER_INPUT');
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
