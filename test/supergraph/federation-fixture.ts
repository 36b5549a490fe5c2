import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, type KeyLike } from 'jose';
import { buildPermits, type ParkingPermitRecord } from '../../examples/parking-permits/permits';
import { startParkingPermitsSubgraph, type RunningSubgraph } from '../../examples/parking-permits/server';
import { composeSupergraph } from '../../examples/supergraph/compose';
import { startGateway, type RunningGateway } from '../../examples/supergraph/gateway';
import { startStack, type GqlResponse, type Stack } from '../helpers/stack';

/**
 * The whole federated path over real sockets: emulator ← kjoretoy subgraph (startStack), the example
 * parking-permits subgraph, both composed with @apollo/composition from what they serve at `_service { sdl }`, and
 * @apollo/gateway in front. Caller auth is on: the subgraph verifies tokens against a JWKS made here.
 */

export const ISSUER = 'https://idp.supergraph.test/';
export const AUDIENCE = 'kjoretoy-subgraph';
/** A well-formed plate the emulator's dataset does not hold. */
export const UNKNOWN_PLATE = 'ZZ99997';
export const UNKNOWN_PERMIT_ID = 'PP-UNKNOWN';

export interface Federation {
  stack: Stack;
  parking: RunningSubgraph;
  gateway: RunningGateway;
  permits: ParkingPermitRecord[];
  /** Signs a caller token with the given scopes (space-separated), or with a key the subgraph does not trust. */
  token(scope: string, options?: { untrusted?: boolean }): Promise<string>;
  /** A GraphQL request to the gateway, as a frontend sends it. */
  query<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<GqlResponse<T>>;
  close(): Promise<void>;
}

export async function startFederation(env: Record<string, string> = {}): Promise<Federation> {
  const dir = mkdtempSync(join(tmpdir(), 'supergraph-test-'));
  const kid = 'supergraph-test-key';
  const trusted = await generateKeyPair('RS256');
  const untrusted = await generateKeyPair('RS256');
  const jwksFile = join(dir, 'jwks.json');
  writeFileSync(
    jwksFile,
    JSON.stringify({ keys: [{ ...(await exportJWK(trusted.publicKey)), kid, alg: 'RS256', use: 'sig' }] }),
  );

  const stack = await startStack({
    env: { AUTH_JWKS_FILE: jwksFile, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, FIKS_BULK_MAX_BATCH: '50', ...env },
  });
  const sample = await stack.sample(40);
  const permits: ParkingPermitRecord[] = [
    ...buildPermits(sample),
    {
      id: UNKNOWN_PERMIT_ID,
      zone: 'Sentrum-1',
      validUntil: '2027-01-31',
      kjennemerke: UNKNOWN_PLATE,
      kuid: '9999999999',
    },
  ];
  const parking = await startParkingPermitsSubgraph({ permits, port: 0 });

  const served = async (url: string) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
    });
    return ((await res.json()) as { data: { _service: { sdl: string } } }).data._service.sdl;
  };
  const { supergraphSdl } = composeSupergraph([
    { name: 'kjoretoy', url: stack.url, sdl: await served(stack.url) },
    { name: parking.name, url: parking.url, sdl: await served(parking.url) },
  ]);
  const gateway = await startGateway({ supergraphSdl, port: 0 });

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
    gateway,
    permits,
    token: (scope, options) => sign(options?.untrusted ? untrusted.privateKey : trusted.privateKey, scope),
    async query<T>(query: string, variables?: Record<string, unknown>, token?: string) {
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, body: (await res.json()) as GqlResponse<T>['body'], headers: res.headers };
    },
    async close() {
      await gateway.close();
      await parking.close();
      await stack.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One series from Prometheus text, e.g. `upstream_batch_size_count{route="bulk/kjennemerke"}`; 0 when absent. */
export function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
