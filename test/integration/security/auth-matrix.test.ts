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
import { startStack, type EmulatorSample, type EmulatorStats, type Stack } from '../../helpers/stack';

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

  const VEHICLE = `query Card($k: String!) { vehicle(kjennemerke: $k) { kuid kjennemerke technical { make } owner { name } } }`;

  it('right scopes: vehicle and owner are returned', async () => {
    const res = await stack.gql(
      VEHICLE,
      { k: sample.vehicles[0].kjennemerke },
      await bearer('vehicles:read owners:read'),
    );
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.vehicle).toMatchObject({ kuid: sample.vehicles[0].kuid, owner: { name: expect.any(String) } });
  });

  it('missing the owner scope: owner is null with FORBIDDEN at its path, the vehicle fields stand', async () => {
    const res = await stack.gql(VEHICLE, { k: sample.vehicles[0].kjennemerke }, await bearer('vehicles:read'));
    expect(res.status).toBe(200);
    expect(res.body.data.vehicle).toEqual({
      kuid: sample.vehicles[0].kuid,
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

  it('fødselsnummer needs owners:fnr on top of owners:read', async () => {
    const query = `query($p: [String!]) { vehicles(kjennemerker: $p) { owner { __typename ... on Person { fodselsnummer } } } }`;
    const plates = sample.vehicles.slice(0, 20).map((v) => v.kjennemerke);
    const without = await stack.gql(query, { p: plates }, await bearer('vehicles:read owners:read'));
    const persons = (without.body.data.vehicles as Row[]).filter((v) => v?.owner?.__typename === 'Person');
    expect(persons.length).toBeGreaterThan(0);
    expect(persons.every((v) => v?.owner?.fodselsnummer === null)).toBe(true);
    expect(
      without.body.errors!.every((e) => e.extensions?.code === 'FORBIDDEN' && e.path?.at(-1) === 'fodselsnummer'),
    ).toBe(true);

    const withFnr = await stack.gql(query, { p: plates }, await bearer('vehicles:read owners:read owners:fnr'));
    expect(withFnr.body.errors).toBeUndefined();
    const fnrs = (withFnr.body.data.vehicles as Row[])
      .filter((v) => v?.owner?.__typename === 'Person')
      .map((v) => v?.owner?.fodselsnummer);
    expect(fnrs.length).toBeGreaterThan(0);
    expect(fnrs.every((f) => f === null || (typeof f === 'string' && isValidFodselsnummer(f)))).toBe(true);
    expect(fnrs.some((f) => typeof f === 'string')).toBe(true);
  });

  it('missing vehicles:read: FORBIDDEN at the lookup, no upstream call', async () => {
    const res = await stack.gql(VEHICLE, { k: sample.vehicles[0].kjennemerke }, await bearer('owners:read'));
    expect(res.body.data).toEqual({ vehicle: null });
    expect(res.body.errors![0]).toMatchObject({ path: ['vehicle'], extensions: { code: 'FORBIDDEN' } });
    expect(upstreamRequests(await stack.stats())).toBe(0);
  });

  it('an owner-name search needs owners:read as well: FORBIDDEN, no search sent', async () => {
    const res = await stack.gql(
      `{ vehiclesByOwnerName(name: "${sample.ownerSearch[0]?.name ?? 'Nordmann'}") { totalCount } }`,
      undefined,
      await bearer('vehicles:read'),
    );
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
