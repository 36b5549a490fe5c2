import { buildIvi, type EcocInput } from '../src/ivi';
import { SAMPLE_ECOC_INPUT } from '../test/fixtures/ivi';
import { assertLocal, isCleanGraphqlBody } from './load';

/** The GraphQL operations the scenarios send, request-body builders and a one-shot client. */

/** A typical client selection of one vehicle (about 1.5 KB of JSON). */
export const VEHICLE_QUERY = `query BenchVehicle($kjennemerke: String!) {
  vehicle(kjennemerke: $kjennemerke) {
    kuid kjennemerke understellsnummer firstRegisteredInNorway asOf
    registration { status { value name } usage { value name } from }
    technical {
      make commercialName type vehicleClass { value name } taxCode powerKw displacementCc
      fuels { fuel { value name } maxNetPowerKw }
      weights { curbWeightKg maxPermittedKg } colours { value name } seats
    }
    inspection { dueDate lastApproved }
    owner { __typename name address { postnummer poststed } }
  }
}`;

/** What a router asks a subgraph for when another subgraph references vehicles. */
export const ENTITIES_QUERY = `query BenchEntities($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Vehicle { kuid kjennemerke technical { make } } }
}`;

export const VEHICLES_QUERY = `query BenchVehicles($kjennemerker: [String!]!) {
  vehicles(kjennemerker: $kjennemerker) {
    kuid kjennemerke
    registration { status { value } }
    technical { make commercialName vehicleClass { value } }
  }
}`;

export const SEARCH_QUERY = `query BenchOwnerSearch($name: String!, $first: Int) {
  vehiclesByOwnerName(name: $name, first: $first) {
    totalCount
    edges { cursor node { kuid kjennemerke technical { make commercialName } owner { __typename name } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const PRE_REGISTER_MUTATION = `mutation BenchPreRegisterDryRun($input: PreRegisterInput!) {
  preRegister(input: $input) {
    status
    preRegistration { iviReferanse understellsnummer make }
    errors { code field }
    warnings { code field }
  }
}`;

export function body(query: string, variables: Record<string, unknown>): string {
  return JSON.stringify({ query, variables });
}

export const vehicleBody = (kjennemerke: string) => body(VEHICLE_QUERY, { kjennemerke });
export const vehiclesBody = (kjennemerker: string[]) => body(VEHICLES_QUERY, { kjennemerker });
export const entitiesBody = (kjennemerker: string[]) =>
  body(ENTITIES_QUERY, { representations: kjennemerker.map((k) => ({ __typename: 'Vehicle', kjennemerke: k })) });
export const searchBody = (name: string, first = 20) => body(SEARCH_QUERY, { name, first });
export const preRegisterBody = (iviXml: string) => body(PRE_REGISTER_MUTATION, { input: { iviXml, dryRun: true } });

/** A complete, valid M1 eCoC: the test fixture (synthetic values), so the benchmark measures what the tests check. */
export const BENCH_ECOC_INPUT: EcocInput = SAMPLE_ECOC_INPUT;

export const BENCH_IVI_REFERANSE = '5b0e6c1a-8f2d-4c3b-9a7e-1d2c3b4a5f60';

export function benchIviXml(): string {
  return buildIvi(BENCH_ECOC_INPUT, BENCH_IVI_REFERANSE);
}

export interface GraphqlReply {
  status: number;
  ms: number;
  text: string;
  json: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

/** One request, timed from send to the last byte (fetch keeps the connection alive between calls). */
export async function postGraphql(url: string, requestBody: string, timeoutMs = 60_000): Promise<GraphqlReply> {
  assertLocal(url);
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: requestBody,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let json: GraphqlReply['json'];
  try {
    json = JSON.parse(text) as GraphqlReply['json'];
  } catch {
    json = { errors: [{ message: text.slice(0, 200) }] };
  }
  return { status: res.status, ms, text, json };
}

/** Fails loudly (with the first error) when a request that should succeed does not, before any load is driven. */
export async function expectClean(url: string, requestBody: string, what: string): Promise<GraphqlReply> {
  const reply = await postGraphql(url, requestBody);
  if (reply.status !== 200 || !isCleanGraphqlBody(reply.text)) {
    const first = reply.json.errors?.[0];
    throw new Error(
      `${what}: HTTP ${reply.status}${first ? `, ${first.message} (${String(first.extensions?.code ?? '')})` : ''}`,
    );
  }
  return reply;
}
