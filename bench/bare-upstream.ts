import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { benchTokenProvider, bulkKjennemerkeUrl } from './upstream-direct';

/** Where the floor's one bulk call goes, and as whom (the bench's throwaway client and integration). */
export interface BareUpstreamTarget {
  fiksBaseUrl: string;
  tokenUrl: string;
  issuer: string;
  clientId: string;
  kid: string;
  /** The throwaway client key the bench wrote for the run (bench/processes.ts createCredentials). */
  keyFile: string;
  integrationId: string;
  integrationPassword: string;
}

/**
 * The floor of the upstream path, for the overhead scenario's `bareUpstream` server: the least any subgraph that
 * fetches the vehicle per request must do. One `POST bulk/kjennemerke` through a bare undici Pool (sized as the
 * product's), its answer read and parsed; no deadline, retry, breaker, bulkhead, DataLoader, matching or mapping.
 * The bare server then answers with its pre-mapped vehicle, so bareUpstream / bare is the ceiling a per-request
 * upstream call leaves on this machine, and subgraph / bareUpstream what the product's own upstream path costs on top.
 */
export function bareUpstreamFetch(
  target: BareUpstreamTarget,
  kjennemerke: string,
): {
  fetch(): Promise<void>;
  close(): Promise<void>;
} {
  const tokens = benchTokenProvider({ ...target, privateKeyPem: readFileSync(target.keyFile, 'utf8') });
  const url = new URL(bulkKjennemerkeUrl(target.fiksBaseUrl));
  const pool = new Pool(url.origin, { connections: 32, pipelining: 1, keepAliveTimeout: 4000 });
  return {
    async fetch() {
      const token = await tokens.getToken('ks:fiks');
      const { statusCode, body } = await pool.request({
        path: url.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          IntegrasjonId: target.integrationId,
          IntegrasjonPassord: target.integrationPassword,
        },
        body: JSON.stringify([{ kjennemerke }]),
      });
      const answer = (await body.json()) as unknown;
      if (statusCode !== 200 || answer === null || typeof answer !== 'object') {
        throw new Error(`bare upstream: bulk/kjennemerke answered HTTP ${statusCode}`);
      }
    },
    async close() {
      tokens.close();
      await pool.close();
    },
  };
}
