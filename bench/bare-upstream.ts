import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { parseJsonChunks, SPLIT_ABOVE_BYTES } from '../src/datasources/json-body';
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
 * The floor of the upstream path, for the `bareUpstream` servers of the overhead and latency scenarios: the least any
 * subgraph that fetches the vehicles per request must do. One `POST bulk/kjennemerke` per `batchSize` plates, in
 * parallel, through a bare undici Pool (sized as the product's), each answer read and parsed (as fast as the product
 * reads it: src/datasources/json-body.ts); no deadline, retry, breaker, bulkhead, DataLoader, matching or mapping. The bare
 * server then answers with its pre-mapped vehicles, so bareUpstream / bare is the ceiling a per-request upstream call
 * leaves on this machine, and subgraph / bareUpstream what the product's own upstream path costs on top.
 */
export function bareUpstreamFetch(
  target: BareUpstreamTarget,
  batchSize: number,
): {
  fetch(kjennemerker: string[]): Promise<void>;
  close(): Promise<void>;
} {
  const tokens = benchTokenProvider({ ...target, privateKeyPem: readFileSync(target.keyFile, 'utf8') });
  const url = new URL(bulkKjennemerkeUrl(target.fiksBaseUrl));
  const pool = new Pool(url.origin, { connections: 32, pipelining: 1, keepAliveTimeout: 4000 });
  return {
    async fetch(kjennemerker) {
      const token = await tokens.getToken('ks:fiks');
      const call = async (chunk: string[]) => {
        const { statusCode, headers, body } = await pool.request({
          path: url.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            IntegrasjonId: target.integrationId,
            IntegrasjonPassord: target.integrationPassword,
          },
          body: JSON.stringify(chunk.map((kjennemerke) => ({ kjennemerke }))),
        });
        let answer: unknown;
        if (Number(headers['content-length']) <= SPLIT_ABOVE_BYTES) {
          answer = await body.json();
        } else {
          const chunks: Buffer[] = [];
          for await (const part of body) chunks.push(part as Buffer);
          answer = parseJsonChunks(chunks);
        }
        if (statusCode !== 200 || answer === null || typeof answer !== 'object') {
          throw new Error(`bare upstream: bulk/kjennemerke answered HTTP ${statusCode}`);
        }
      };
      const calls: Promise<void>[] = [];
      for (let i = 0; i < kjennemerker.length; i += batchSize) calls.push(call(kjennemerker.slice(i, i + batchSize)));
      await Promise.all(calls);
    },
    async close() {
      tokens.close();
      await pool.close();
    },
  };
}
