import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, type KeyLike } from 'jose';
import { startHiveGateway } from '../../examples/hive-gateway/start';
import { buildPermits, type ParkingPermitRecord } from '../../examples/parking-permits/permits';
import { startParkingPermitsSubgraph, type RunningSubgraph } from '../../examples/parking-permits/server';
import { composeSupergraph } from '../../examples/supergraph/compose';
import { startGateway, type RunningGateway } from '../../examples/supergraph/gateway';
import { startStack, type GqlResponse, type Stack } from '../helpers/stack';

/**
 * The whole federated path over real sockets: emulator ← kjoretoy subgraph (startStack), the example
 * parking-permits subgraph, both composed with @apollo/composition from what they serve at `_service { sdl }`, and
 * routers in front of the same two subgraphs: @apollo/gateway in this process, and the real Hive Gateway CLI as a
 * child process. Caller auth is on: the subgraph verifies tokens against a JWKS made here, and a router secret is
 * required, so a router that does not forward headers is noticed.
 */

export const ISSUER = 'https://idp.supergraph.test/';
export const AUDIENCE = 'kjoretoy-subgraph';
/** A well-formed plate the emulator's dataset does not hold. */
export const UNKNOWN_PLATE = 'ZZ99997';
export const UNKNOWN_PERMIT_ID = 'PP-UNKNOWN';
const ROUTER_SECRET = 'router-secret-for-the-supergraph-tests';

/**
 * - `apollo`: @apollo/gateway (examples/supergraph/gateway.ts).
 * - `hive`: Hive Gateway on the Rust planner (examples/hive-gateway), as recommended.
 * - `hive-js`: the same on Hive's default JavaScript planner, only to show the example subgraph runs there too.
 * - `hive-auth`: the recommended setup with Hive's own `@requiresScopes` enforcement switched on.
 */
export type RouterName = 'apollo' | 'hive' | 'hive-js' | 'hive-auth';

export interface Federation {
  stack: Stack;
  parking: RunningSubgraph;
  routers: Partial<Record<RouterName, RunningGateway>>;
  permits: ParkingPermitRecord[];
  /** The VIN the emulator holds for a permit's plate: what identifies the vehicle the router must join (SVV's bulk
   * answers carry no kuid). */
  vinOf(kjennemerke: string): string | undefined;
  /** Signs a caller token with the given scopes (space-separated), or with a key the subgraph does not trust. */
  token(scope: string, options?: { untrusted?: boolean }): Promise<string>;
  /** A GraphQL request to a router, as a frontend sends it. */
  query<T = Record<string, unknown>>(
    router: RouterName,
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<GqlResponse<T>>;
  close(): Promise<void>;
}

export async function startFederation(
  env: Record<string, string> = {},
  routerNames: readonly RouterName[] = ['apollo'],
): Promise<Federation> {
  const dir = mkdtempSync(join(tmpdir(), 'supergraph-test-'));
  const kid = 'supergraph-test-key';
  const trusted = await generateKeyPair('RS256');
  const untrusted = await generateKeyPair('RS256');
  const jwks = JSON.stringify({
    keys: [{ ...(await exportJWK(trusted.publicKey)), kid, alg: 'RS256', use: 'sig' }],
  });
  const jwksFile = join(dir, 'jwks.json');
  writeFileSync(jwksFile, jwks);
  // Hive's JWT plugin reads a JWKS by URL only.
  const jwksServer = http.createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(jwks),
  );
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;

  const stack = await startStack({
    env: {
      AUTH_JWKS_FILE: jwksFile,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      ROUTER_SECRET,
      FIKS_BULK_MAX_BATCH: '50',
      ...env,
    },
  });
  const sample = await stack.sample(40);
  const vins = new Map(sample.vehicles.map((v) => [v.kjennemerke, v.understellsnummer]));
  const permits: ParkingPermitRecord[] = [
    ...buildPermits(sample),
    { id: UNKNOWN_PERMIT_ID, zone: 'Sentrum-1', validUntil: '2027-01-31', kjennemerke: UNKNOWN_PLATE },
  ];
  const parking = await startParkingPermitsSubgraph({ permits, port: 0 });

  const served = async (url: string, headers: Record<string, string> = {}) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
    });
    return ((await res.json()) as { data: { _service: { sdl: string } } }).data._service.sdl;
  };
  const { supergraphSdl } = composeSupergraph([
    { name: 'kjoretoy', url: stack.url, sdl: await served(stack.url, { 'router-authorization': ROUTER_SECRET }) },
    { name: parking.name, url: parking.url, sdl: await served(parking.url) },
  ]);

  const hiveEnv = { ROUTER_SECRET, AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE };
  const starters: Record<RouterName, () => Promise<RunningGateway>> = {
    apollo: () => startGateway({ supergraphSdl, port: 0, routerSecret: ROUTER_SECRET }),
    hive: () => startHiveGateway({ supergraphSdl, env: hiveEnv }),
    'hive-js': () => startHiveGateway({ supergraphSdl, env: { ...hiveEnv, HIVE_QUERY_PLANNER: 'javascript' } }),
    'hive-auth': () => startHiveGateway({ supergraphSdl, env: { ...hiveEnv, HIVE_ENFORCE_AUTH: 'true' } }),
  };
  const routers: Federation['routers'] = {};
  const closeAll = async () => {
    await Promise.all(Object.values(routers).map((r) => r.close()));
    await parking.close();
    await stack.close();
    await new Promise((resolve) => jwksServer.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // One after the other: each Hive Gateway start compiles its config, which is heavy on a shared 2-core machine.
    for (const name of routerNames) routers[name] = await starters[name]();
  } catch (error) {
    await closeAll();
    throw error;
  }

  const sign = (key: KeyLike, scope: string) =>
    new SignJWT({ scope, client_id: 'supergraph-test-client' })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);

  return {
    stack,
    parking,
    routers,
    permits,
    vinOf: (kjennemerke) => vins.get(kjennemerke),
    token: (scope, options) => sign(options?.untrusted ? untrusted.privateKey : trusted.privateKey, scope),
    async query<T>(router: RouterName, query: string, variables?: Record<string, unknown>, token?: string) {
      const url = routers[router]?.url;
      if (!url) throw new Error(`router ${router} was not started`);
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const text = await res.text();
      let body: GqlResponse<T>['body'];
      try {
        body = JSON.parse(text) as GqlResponse<T>['body'];
      } catch {
        body = { errors: [{ message: `not JSON (HTTP ${res.status}): ${text.slice(0, 200)}` }] };
      }
      return { status: res.status, body, headers: res.headers };
    },
    close: closeAll,
  };
}

/** One series from Prometheus text, e.g. `upstream_batch_size_count{route="bulk/kjennemerke"}`; 0 when absent. */
export function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
