import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { assertLocal } from './load';
import type { BulkRequest } from './upstream-direct';

/**
 * The lean client for timing the upstream alone: undici's Pool (the subgraph's own HTTP stack), bodies read as bytes
 * and not parsed, so what is measured is the upstream's answer and its transfer, nothing the subgraph does with it.
 */
export async function timeBulkCalls(calls: BulkRequest[], warmup: number, requests: number): Promise<number[]> {
  const origin = new URL(calls[0].url).origin;
  for (const call of calls) assertLocal(call.url);
  const pool = new Pool(origin, { connections: calls.length });
  const ms: number[] = [];
  try {
    for (let i = 0; i < warmup + requests; i++) {
      const started = performance.now();
      await Promise.all(
        calls.map(async (call) => {
          const url = new URL(call.url);
          const res = await pool.request({
            method: 'POST',
            path: url.pathname,
            headers: call.headers,
            body: call.body,
          });
          await res.body.arrayBuffer();
          if (res.statusCode !== 200) throw new Error(`bulk call answered HTTP ${res.statusCode}`);
        }),
      );
      if (i >= warmup) ms.push(performance.now() - started);
    }
  } finally {
    await pool.close();
  }
  return ms;
}
