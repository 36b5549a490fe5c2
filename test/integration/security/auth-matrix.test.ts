import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEV_AUDIENCE,
  DEV_ISSUER,
  generateDevKey,
  jwksOf,
  mintToken,
  type DevKey,
  type MintOptions,
} from '../../../dev/mint-token';
import { isValidFodselsnummer } from '../../../src/domain/identifiers';
import { startStack, type EmulatorSample, type EmulatorStats, type GqlResponse, type Stack } from '../../helpers/stack';

/**
 * The caller-auth matrix over the whole stack (subgraph + emulator, real sockets), with caller tokens verified
 * against a JWKS file as in production. Tokens are minted the way `npm run token:mint` mints them.
 */
type Row = { owner?: { __typename: string; fodselsnummer?: string | null } | null } | null;

describe('caller auth and scopes (AUTH_JWKS_FILE, AUTH_ISSUER, AUTH_AUDIENCE)', () => {
  let stack: Stack;
  let sample: EmulatorSample;
  let key: DevKey;
  let otherKey: DevKey;
  let dir: string;
  const token = (scope: string, extra: Partial<MintOptions> = {}) => mintToken(key, { scope, ...extra });
  const bearer = async (scope: string) => ({ authorization: `Bearer ${await token(scope)}` });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'auth-matrix-'));
    [key, otherKey] = await Promise.all([generateDevKey(), generateDevKey()]);
    const jwksFile = join(dir, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify(jwksOf(key)));
    stack = await startStack({
      env: { AUTH_JWKS_FILE: jwksFile, AUTH_ISSUER: DEV_ISSUER, AUTH_AUDIENCE: DEV_AUDIENCE },
    });
    sample = await stack.sample(40);
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => stack.reset());

  const upstreamRequests = (stats: EmulatorStats) =>
    Object.entries(stats.routes)
      .filter(([route]) => route !== 'token')
      .reduce((n, [, r]) => n + r.requests, 0);

  const VEHICLE = `query Card($k: String!) { vehicle(kjennemerke: $k) { understellsnummer kjennemerke technical { make } owner { name } } }`;

  it('right scopes: vehicle and owner are returned', async () => {
    const res = await stack.gql(
      VEHICLE,
      { k: sample.vehicles[0].kjennemerke },
      await bearer('vehicles:read owners:read'),
    );
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.vehicle).toMatchObject({
      understellsnummer: sample.vehicles[0].understellsnummer,
      owner: { name: expect.any(String) },
    });
  });

  it('missing the owner scope: owner is null with FORBIDDEN at its path, the vehicle fields stand', async () => {
    const res = await stack.gql(VEHICLE, { k: sample.vehicles[0].kjennemerke }, await bearer('vehicles:read'));
    expect(res.status).toBe(200);
    expect(res.body.data.vehicle).toEqual({
      understellsnummer: sample.vehicles[0].understellsnummer,
      kjennemerke: sample.vehicles[0].kjennemerke,
      technical: { make: expect.any(String) },
      owner: null,
    });
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        path: ['vehicle', 'owner'],
        extensions: expect.objectContaining({ code: 'FORBIDDEN' }),
      }),
    ]);
  });

  const FNR_SEARCH = `query($n: String!) { vehiclesByOwnerName(name: $n, first: 10, personsOnly: true) {
      edges { node { owner { __typename ... on Person { fodselsnummer } } } } } }`;
  const searchOwners = (res: GqlResponse<any>) =>
    (res.body.data.vehiclesByOwnerName.edges as { node: Row }[]).map((e) => e.node?.owner);

  it('fødselsnummer (only in search answers) needs owners:fnr on top of owners:read', async () => {
    // An integration whose roles let SVV send the fødselsnummer.
    stack.app.emulator.configure({ searchFodselsnummer: true });
    try {
      const name = sample.ownerSearch[0].name;
      const without = await stack.gql(FNR_SEARCH, { n: name }, await bearer('vehicles:read owners:read'));
      expect(searchOwners(without).length).toBeGreaterThan(0);
      expect(searchOwners(without).every((o) => o?.fodselsnummer === null)).toBe(true);
      expect(
        without.body.errors!.every((e) => e.extensions?.code === 'FORBIDDEN' && e.path?.at(-1) === 'fodselsnummer'),
      ).toBe(true);

      const withFnr = await stack.gql(FNR_SEARCH, { n: name }, await bearer('vehicles:read owners:read owners:fnr'));
      expect(withFnr.body.errors).toBeUndefined();
      const fnrs = searchOwners(withFnr).map((o) => o?.fodselsnummer);
      expect(fnrs.length).toBeGreaterThan(0);
      expect(fnrs.every((f) => typeof f === 'string' && isValidFodselsnummer(f))).toBe(true);
    } finally {
      stack.app.emulator.configure({ searchFodselsnummer: false });
    }
  });

  it('an integration whose roles do not allow it gets no fødselsnummer: null with owners:fnr, and no error', async () => {
    const res = await stack.gql(
      FNR_SEARCH,
      { n: sample.ownerSearch[0].name },
      await bearer('vehicles:read owners:read owners:fnr'),
    );
    expect(res.body.errors).toBeUndefined();
    const owners = searchOwners(res);
    expect(owners.length).toBeGreaterThan(0);
    expect(owners.every((o) => o?.__typename === 'Person' && o.fodselsnummer === null)).toBe(true);
  });

  it('bulk lookups never carry a fødselsnummer, even with owners:fnr', async () => {
    const query = `query($p: [String!]) { vehicles(kjennemerker: $p) { owner { __typename ... on Person { fodselsnummer } } } }`;
    const plates = sample.vehicles.slice(0, 20).map((v) => v.kjennemerke);
    const res = await stack.gql(query, { p: plates }, await bearer('vehicles:read owners:read owners:fnr'));
    expect(res.body.errors).toBeUndefined();
    const persons = (res.body.data.vehicles as Row[]).filter((v) => v?.owner?.__typename === 'Person');
    expect(persons.length).toBeGreaterThan(0);
    expect(persons.every((v) => v?.owner?.fodselsnummer === null)).toBe(true);
  });

  it('missing vehicles:read: FORBIDDEN at the lookup, no upstream call', async () => {
    const res = await stack.gql(VEHICLE, { k: sample.vehicles[0].kjennemerke }, await bearer('owners:read'));
    expect(res.body.data).toEqual({ vehicle: null });
    expect(res.body.errors![0]).toMatchObject({ path: ['vehicle'], extensions: { code: 'FORBIDDEN' } });
    expect(upstreamRequests(await stack.stats())).toBe(0);
  });

  it('an owner-name search needs owners:read as well: FORBIDDEN, no search sent; a lookup beside it stands', async () => {
    const v = sample.vehicles[0];
    const res = await stack.gql(
      `query($k: String) {
        vehicle(kjennemerke: $k) { understellsnummer }
        vehiclesByOwnerName(name: "${sample.ownerSearch[0]?.name ?? 'Nordmann'}") { totalCount }
      }`,
      { k: v.kjennemerke },
      await bearer('vehicles:read'),
    );
    expect(res.body.data).toEqual({ vehicle: { understellsnummer: v.understellsnummer }, vehiclesByOwnerName: null });
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]).toMatchObject({ path: ['vehiclesByOwnerName'], extensions: { code: 'FORBIDDEN' } });
    expect((await stack.stats()).routes.sok.requests).toBe(0);
  });

  it('preRegister needs preregistration:write: FORBIDDEN, nothing sent to SVV', async () => {
    const res = await stack.gql(
      `mutation { preRegister(input: { iviXml: "<x/>", dryRun: false }) { status } }`,
      undefined,
      await bearer('vehicles:read owners:read owners:fnr'),
    );
    expect(res.body.errors![0]).toMatchObject({ path: ['preRegister'], extensions: { code: 'FORBIDDEN' } });
    expect((await stack.stats()).routes['ecoc/opprette'].requests).toBe(0);
  });

  it('no token: fields that need a scope are UNAUTHENTICATED, no upstream call', async () => {
    const res = await stack.gql(VEHICLE, { k: sample.vehicles[0].kjennemerke });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ vehicle: null });
    expect(res.body.errors![0]).toMatchObject({ path: ['vehicle'], extensions: { code: 'UNAUTHENTICATED' } });
    expect(upstreamRequests(await stack.stats())).toBe(0);
  });

  it('no token through _entities: the Vehicle (scoped type-wide) is refused before any upstream call', async () => {
    const res = await stack.gql(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Vehicle { kuid owner { name } } } }',
      { r: [{ __typename: 'Vehicle', kuid: sample.vehicles[0].kuid }] },
    );
    expect(res.body.data._entities).toEqual([null]);
    expect(res.body.errors![0]).toMatchObject({ path: ['_entities', 0], extensions: { code: 'UNAUTHENTICATED' } });
    expect(upstreamRequests(await stack.stats())).toBe(0);
  });

  it('vehicles:read without owners:read through _entities: vehicle facts, owner FORBIDDEN', async () => {
    const res = await stack.gql(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Vehicle { kuid owner { name } } } }',
      { r: [{ __typename: 'Vehicle', kuid: sample.vehicles[0].kuid }] },
      await bearer('vehicles:read'),
    );
    // Referenced by kuid, so the kuid is known.
    expect(res.body.data._entities).toEqual([{ kuid: sample.vehicles[0].kuid, owner: null }]);
    expect(res.body.errors![0]).toMatchObject({ path: ['_entities', 0, 'owner'], extensions: { code: 'FORBIDDEN' } });
  });

  const now = () => Math.floor(Date.now() / 1000);
  it.each([
    ['bad signature', () => mintToken({ ...otherKey, kid: key.kid }, { scope: 'vehicles:read owners:read' })],
    ['unknown key', () => mintToken(otherKey, { scope: 'vehicles:read owners:read' })],
    ['expired', () => token('vehicles:read owners:read', { now: now() - 7200, ttlSeconds: 3600 })],
    ['wrong audience', () => token('vehicles:read owners:read', { audience: 'some-other-api' })],
    ['wrong issuer', () => token('vehicles:read owners:read', { issuer: 'https://idp.evil.example/' })],
  ])('%s → 401 UNAUTHENTICATED for the whole request, no upstream call', async (_name, make) => {
    const res = await stack.gql(
      VEHICLE,
      { k: sample.vehicles[0].kjennemerke },
      { authorization: `Bearer ${await make()}` },
    );
    expect(res.status).toBe(401);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/Invalid or expired token/),
        extensions: { code: 'UNAUTHENTICATED' },
      }),
    ]);
    expect(upstreamRequests(await stack.stats())).toBe(0);
  });
});
