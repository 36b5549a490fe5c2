// Both come with @apollo/gateway (a devDependency), at the versions it pins.
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner, prettyFormatQueryPlan } from '@apollo/query-planner';
import { graphql, parse } from 'graphql';
import { buildParkingPermitsSchema } from '../../examples/parking-permits/server';
import { parkingPermitsTypeDefs } from '../../examples/parking-permits/schema';
import {
  ACCEPTED_HINTS,
  CompositionFailed,
  composeSupergraph,
  forApolloGateway,
  type SubgraphSource,
} from '../../examples/supergraph/compose';
import { servedSubgraphSdl } from '../../src/tools/print-schema';

// Both SDLs exactly as the subgraphs serve them at `_service { sdl }` (what rover and IntrospectAndCompose read).
async function subgraphs(): Promise<SubgraphSource[]> {
  const parking = await graphql({ schema: buildParkingPermitsSchema([]), source: '{ _service { sdl } }' });
  return [
    { name: 'kjoretoy', url: 'http://kjoretoy.test/graphql', sdl: await servedSubgraphSdl() },
    {
      name: 'parking-permits',
      url: 'http://parking.test/',
      sdl: (parking.data as { _service: { sdl: string } })._service.sdl,
    },
  ];
}

function plan(supergraphSdl: string, query: string): string {
  const supergraph = Supergraph.build(forApolloGateway(supergraphSdl));
  const planner = new QueryPlanner(supergraph);
  return prettyFormatQueryPlan(planner.buildQueryPlan(operationFromDocument(supergraph.schema, parse(query))));
}

describe('supergraph composition (@apollo/composition)', () => {
  let sources: SubgraphSource[];
  beforeAll(async () => {
    sources = await subgraphs();
  });

  it('composes this subgraph with the example subgraph without errors and without unaccepted hints', () => {
    const composed = composeSupergraph(sources);
    // Printed in full on failure, so whoever meets a new hint sees what to fix or to add to ACCEPTED_HINTS.
    expect(composed.unacceptedHints.map((h) => `${h.definition.code}: ${h.message}`)).toEqual([]);
    expect(composed.supergraphSdl).toContain('@join__graph(name: "kjoretoy"');
    expect(composed.supergraphSdl).toContain('@join__graph(name: "parking-permits"');
  });

  it('every accepted hint has a reason', () => {
    for (const accepted of ACCEPTED_HINTS) expect(accepted.why.length).toBeGreaterThan(10);
  });

  it('joins Vehicle by all three keys here, and by kjennemerke only (not resolvable) from parking permits', () => {
    const { supergraphSdl } = composeSupergraph(sources);
    const vehicle = /type Vehicle\n((?:\s+@join__type\([^)]*\))+)/.exec(supergraphSdl)?.[1] ?? '';
    expect(vehicle).toContain('@join__type(graph: KJORETOY, key: "kuid")');
    expect(vehicle).toContain('@join__type(graph: KJORETOY, key: "kjennemerke")');
    expect(vehicle).toContain('@join__type(graph: KJORETOY, key: "understellsnummer")');
    expect(vehicle).toContain('@join__type(graph: PARKING_PERMITS, key: "kjennemerke", resolvable: false)');
    expect(vehicle).not.toMatch(/PARKING_PERMITS, key: "kuid"/);
    expect(supergraphSdl).toMatch(
      /@join__type\(graph: PARKING_PERMITS, key: "organisasjonsnummer", resolvable: false\)/,
    );
  });

  it('plans ParkingPermit.vehicle by kjennemerke and holder by organisasjonsnummer, each as one _entities fetch', () => {
    const { supergraphSdl } = composeSupergraph(sources);
    const text = plan(
      supergraphSdl,
      `{ parkingPermits(first: 30) { id vehicle { kuid technical { make } } holder { organisasjonsnummer vehicles { totalCount } } } }`,
    );
    const fetches = text.split('Flatten(path: ').slice(1);
    const at = (path: string) => fetches.find((f) => f.startsWith(`"${path}"`)) ?? '';
    expect(fetches).toHaveLength(2);
    expect(at('parkingPermits.@.vehicle')).toMatch(/__typename\s+kjennemerke\s+}\s+} =>/);
    expect(at('parkingPermits.@.holder')).toMatch(/__typename\s+organisasjonsnummer\s+}\s+} =>/);
    for (const f of fetches) expect(f).toContain('Fetch(service: "kjoretoy")');
  });

  /**
   * The harder case, kept out of the example because Hive's default JavaScript planner mishandles it: a subgraph
   * that joins Vehicle by two different keys. Both key fields plain gives the planner the choice of one key for
   * every position; declaring them `@external` and `@provides`-ing one per field makes the choice explicit.
   */
  it('a second subgraph joining by two keys (@external + @provides) gets one fetch per field, each by its own key', () => {
    const twoKeys = /* GraphQL */ `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@external", "@provides"])
      type Query {
        parkingPermits(first: Int = 30): [ParkingPermit!]!
      }
      type ParkingPermit {
        id: ID!
        vehicle: Vehicle @provides(fields: "kjennemerke")
        issuedFor: Vehicle @provides(fields: "kuid")
      }
      type Vehicle @key(fields: "kjennemerke", resolvable: false) @key(fields: "kuid", resolvable: false) {
        kjennemerke: String @external
        kuid: ID @external
      }
    `;
    const { supergraphSdl } = composeSupergraph(
      sources.map((s) => (s.name === 'parking-permits' ? { ...s, sdl: twoKeys } : s)),
    );
    const text = plan(
      supergraphSdl,
      `{ parkingPermits { id vehicle { kuid technical { make } } issuedFor { kjennemerke } } }`,
    );
    const fetches = text.split('Flatten(path: ').slice(1);
    const at = (path: string) => fetches.find((f) => f.startsWith(`"${path}"`)) ?? '';
    expect(fetches).toHaveLength(2);
    expect(at('parkingPermits.@.vehicle')).toMatch(/__typename\s+kjennemerke\s+}\s+} =>/);
    expect(at('parkingPermits.@.issuedFor')).toMatch(/__typename\s+kuid\s+}\s+} =>/);
  });

  it('fails loudly on a composition error (the example declares kjennemerke with a different type)', () => {
    const broken = sources.map((s) =>
      s.name === 'parking-permits'
        ? { ...s, sdl: parkingPermitsTypeDefs.replace(/kjennemerke: String\n/, 'kjennemerke: Int\n') }
        : s,
    );
    expect(broken.find((s) => s.name === 'parking-permits')!.sdl).toContain('kjennemerke: Int');
    expect(() => composeSupergraph(broken)).toThrow(CompositionFailed);
  });

  it('reports a hint nobody accepted (an inconsistent shareable value type)', () => {
    const hinted = sources.map((s) =>
      s.name === 'parking-permits'
        ? {
            ...s,
            sdl:
              parkingPermitsTypeDefs.replace('import: ["@key"]', 'import: ["@key", "@shareable"]') +
              '\ntype PageInfo @shareable { hasNextPage: Boolean endCursor: String }\n',
          }
        : s,
    );
    const composed = composeSupergraph(hinted);
    expect(composed.unacceptedHints.map((h) => h.definition.code)).toContain('INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE');
  });

  it('@apollo/gateway refuses the security links as composed; forApolloGateway drops only their `for: SECURITY`', () => {
    const { supergraphSdl } = composeSupergraph(sources);
    expect(supergraphSdl).toContain('@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)');
    expect(() => Supergraph.build(supergraphSdl)).toThrow(/requiresScopes.*for: SECURITY but is unsupported/);
    const adapted = forApolloGateway(supergraphSdl);
    expect(adapted).toContain('@link(url: "https://specs.apollo.dev/requiresScopes/v0.1")');
    expect(adapted).toContain('@link(url: "https://specs.apollo.dev/join/v0.4", for: EXECUTION)');
    expect(() => Supergraph.build(adapted)).not.toThrow();
    // The directives stay in the supergraph as metadata: the subgraph enforces them (see gateway.test.ts).
    expect(adapted).toMatch(
      /owner: Owner @join__field\(graph: KJORETOY\) @requiresScopes\(scopes: \[\["owners:read"\]\]\)/,
    );
  });
});
