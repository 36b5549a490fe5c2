import { buildSubgraphSchema } from '@apollo/subgraph';
import { graphql, parse } from 'graphql';
import { ANONYMOUS_CALLER, DEV_CALLER, type Caller } from '../../../src/security/caller';
import { enforceScopeDirectives } from '../../../src/security/scope-directives';

/** A miniature of the real schema's shape: a lookup that needs vehicles:read, owner fields that need more. */
const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@authenticated", "@requiresScopes"])
  type Query {
    vehicle: Vehicle @requiresScopes(scopes: [["vehicles:read"]])
    ping: String
    me: String @authenticated
  }
  type Vehicle @key(fields: "kuid") {
    kuid: ID!
    make: String
    owner: Person @requiresScopes(scopes: [["owners:read"]])
  }
  type Person {
    name: String
    fodselsnummer: String @requiresScopes(scopes: [["owners:fnr"]])
  }
  type Audit @authenticated @requiresScopes(scopes: [["audit:read"]]) {
    entry: String @requiresScopes(scopes: [["audit:write"], ["audit:admin"]])
  }
  extend type Query { audit: Audit }
`);

const schema = enforceScopeDirectives(
  buildSubgraphSchema([
    {
      typeDefs,
      resolvers: {
        Query: {
          vehicle: () => ({
            kuid: '1000000001',
            make: 'VOLVO',
            owner: { name: 'TESTE PERSONSEN', fodselsnummer: '01818012345' },
          }),
          ping: () => 'pong',
          me: () => 'you',
          audit: () => ({ entry: 'x' }),
        },
        Vehicle: {
          __resolveReference: (ref: { kuid: string }) => ({ kuid: ref.kuid, make: 'VOLVO', owner: { name: 'X' } }),
        },
      } as never,
    },
  ]),
  (context) => (context as { caller: Caller }).caller,
);

const caller = (...scopes: string[]): Caller => ({ authenticated: true, devMode: false, scopes: new Set(scopes) });
const run = (source: string, who: Caller, variableValues?: Record<string, unknown>) =>
  graphql({ schema, source, contextValue: { caller: who }, variableValues });

const VEHICLE = '{ vehicle { kuid make owner { name fodselsnummer } } }';

describe('@requiresScopes / @authenticated enforced inside the subgraph', () => {
  it('without owners:read, owner is null with FORBIDDEN at its path, and the vehicle fields stand', async () => {
    const result = await run(VEHICLE, caller('vehicles:read'));
    expect(result.data).toEqual({ vehicle: { kuid: '1000000001', make: 'VOLVO', owner: null } });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0].path).toEqual(['vehicle', 'owner']);
    expect(result.errors![0].extensions.code).toBe('FORBIDDEN');
    // The message names the field and the scope, never the data.
    expect(result.errors![0].message).not.toMatch(/TESTE|01818012345/);
  });

  it('with owners:read but not owners:fnr, only fodselsnummer is withheld', async () => {
    const result = await run(VEHICLE, caller('vehicles:read', 'owners:read'));
    expect(result.data).toEqual({
      vehicle: { kuid: '1000000001', make: 'VOLVO', owner: { name: 'TESTE PERSONSEN', fodselsnummer: null } },
    });
    expect(result.errors!.map((e) => [e.path, e.extensions.code])).toEqual([
      [['vehicle', 'owner', 'fodselsnummer'], 'FORBIDDEN'],
    ]);
  });

  it('with every scope, everything is returned', async () => {
    const result = await run(VEHICLE, caller('vehicles:read', 'owners:read', 'owners:fnr'));
    expect(result.errors).toBeUndefined();
    expect(result.data?.vehicle).toMatchObject({ owner: { fodselsnummer: '01818012345' } });
  });

  it('an anonymous caller gets UNAUTHENTICATED on fields that need a scope or @authenticated; open fields answer', async () => {
    const result = await run('{ ping me vehicle { kuid } }', ANONYMOUS_CALLER);
    expect(result.data).toEqual({ ping: 'pong', me: null, vehicle: null });
    expect(result.errors!.map((e) => [e.path, e.extensions.code])).toEqual([
      [['me'], 'UNAUTHENTICATED'],
      [['vehicle'], 'UNAUTHENTICATED'],
    ]);
  });

  it('without vehicles:read the lookup itself is FORBIDDEN', async () => {
    const result = await run(VEHICLE, caller('owners:read'));
    expect(result.data).toEqual({ vehicle: null });
    expect(result.errors![0]).toMatchObject({ path: ['vehicle'], extensions: { code: 'FORBIDDEN' } });
  });

  it('owner fields stay guarded when the vehicle comes through _entities', async () => {
    const result = await run(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Vehicle { kuid owner { name } } } }',
      caller('vehicles:read'),
      { r: [{ __typename: 'Vehicle', kuid: '1000000002' }] },
    );
    expect(result.data).toEqual({ _entities: [{ kuid: '1000000002', owner: null }] });
    expect(result.errors![0]).toMatchObject({ path: ['_entities', 0, 'owner'], extensions: { code: 'FORBIDDEN' } });
  });

  it('a type-level rule and a field-level rule both apply (AND; OR within the field rule)', async () => {
    const denied = await run('{ audit { entry } }', caller('audit:read'));
    expect(denied.errors![0]).toMatchObject({ path: ['audit', 'entry'], extensions: { code: 'FORBIDDEN' } });
    const allowed = await run('{ audit { entry } }', caller('audit:read', 'audit:admin'));
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data).toEqual({ audit: { entry: 'x' } });
  });

  it("a type's rule guards every field that returns the type, before its resolver runs", async () => {
    const denied = await run('{ audit { entry } }', caller('audit:write'));
    expect(denied.data).toEqual({ audit: null });
    expect(denied.errors![0]).toMatchObject({ path: ['audit'], extensions: { code: 'FORBIDDEN' } });
  });

  it('dev mode passes every check', async () => {
    const result = await run(VEHICLE, DEV_CALLER);
    expect(result.errors).toBeUndefined();
  });
});

describe('a rule on `extend type`', () => {
  const extended = enforceScopeDirectives(
    buildSubgraphSchema([
      {
        typeDefs: parse(`
          extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@requiresScopes"])
          type Query { secret: Secret }
          type Secret { value: String }
          extend type Secret @requiresScopes(scopes: [["secret:read"]])
        `),
        resolvers: { Query: { secret: () => ({ value: 'v' }) } } as never,
      },
    ]),
    (context) => (context as { caller: Caller }).caller,
  );

  it("applies to the type's fields and to the fields that return it", async () => {
    const run2 = (who: Caller) =>
      graphql({ schema: extended, source: '{ secret { value } }', contextValue: { caller: who } });
    const denied = await run2(caller('vehicles:read'));
    expect(denied.data).toEqual({ secret: null });
    expect(denied.errors![0].extensions.code).toBe('FORBIDDEN');
    expect((await run2(caller('secret:read'))).data).toEqual({ secret: { value: 'v' } });
  });
});
