import { expectClean, vehiclesBody } from '../documents';
import { median, runLoad } from '../load';
import type { EmulatorProcess } from '../processes';
import type { BenchContext } from '../profile';
import type { Figures } from '../results';
import { directFiks } from '../upstream-direct';
import { distinctPlates } from './batching';

/**
 * 3. `vehicles(kjennemerker: [100 plates])` with 50 ms upstream latency, one request at a time (no queueing): p50
 * minus the 50 ms the upstream waits is what the rest adds (goal <= 15 ms). 100 plates at B = 50 are two bulk calls,
 * sent in parallel, so the ideal is one upstream round trip.
 *
 * To show where the rest goes, the same run also measures, one request at a time:
 * - the same query with emulator latency 0 (`p50MsAtLatency0`; `latencyAddedMs` ≈ 50 means one round trip);
 * - the emulator alone: the two 50-id bulk calls sent in parallel straight from the bench (`upstreamP50MsAtLatency0`);
 * - the same query on the bare Apollo Server, 100 vehicles from memory (`bareP50Ms`);
 * and derives `subgraphOwnP50Ms` = p50 - latency - upstreamP50MsAtLatency0: the subgraph's share of the p50 once the
 * upstream's own time to build and send 306 KB of vehicles is taken out.
 */
export async function runLatency(ctx: BenchContext): Promise<Figures> {
  const { vehicles, latencyMs, warmup, requests } = ctx.profile.latency;
  const batchSize = ctx.profile.batching.batchSize;
  const slow = await ctx.emulator(latencyMs);
  const fast = await ctx.emulator(0);
  const plates = await distinctPlates(slow, vehicles);
  const requestBody = vehiclesBody(plates);

  const measure = async (url: string, what: string, emulator?: EmulatorProcess) => {
    for (let i = 0; i < warmup; i++) await expectClean(url, requestBody, `latency warm-up (${what})`);
    await emulator?.reset();
    ctx.progress(`latency: ${requests} requests of ${vehicles} vehicles, ${what}`);
    const result = await runLoad({ url, connections: 1, amount: requests, bodies: [requestBody] });
    const bulkCalls = emulator ? ((await emulator.stats()).routes['bulk/kjennemerke']?.requests ?? Number.NaN) : 0;
    return { result, bulkCallsPerRequest: bulkCalls / result.responses };
  };

  const [main, atZero, bare] = await Promise.all([ctx.subgraph(latencyMs), ctx.subgraph(0), ctx.bare(plates[0])]);
  const fiks = directFiks(fast, ctx.credentials);
  try {
    const slowRun = await measure(main.url, `emulator latency ${latencyMs} ms`, slow);
    const zeroRun = await measure(atZero.url, 'emulator latency 0', fast);
    const bareRun = await measure(bare.url, 'bare server');

    // The upstream's own time for the two bulk calls the subgraph makes (sent together, as the subgraph does).
    const chunks: string[][] = [];
    for (let i = 0; i < plates.length; i += batchSize) chunks.push(plates.slice(i, i + batchSize));
    const upstreamMs: number[] = [];
    let upstreamBytes = 0;
    for (let i = 0; i < warmup + requests; i++) {
      const t0 = performance.now();
      const answers = await Promise.all(chunks.map((chunk) => fiks.bulk(chunk)));
      if (i >= warmup) upstreamMs.push(performance.now() - t0);
      upstreamBytes = answers.reduce((sum, a) => sum + Buffer.byteLength(a.text), 0);
    }

    const p50 = slowRun.result.latency.percentile(50);
    const p50AtZero = zeroRun.result.latency.percentile(50);
    return {
      vehicles,
      upstreamLatencyMs: latencyMs,
      requests: slowRun.result.responses,
      errors: slowRun.result.failed + zeroRun.result.failed + bareRun.result.failed,
      bulkCallsPerRequest: slowRun.bulkCallsPerRequest,
      p50Ms: p50,
      p90Ms: slowRun.result.latency.percentile(90),
      p99Ms: slowRun.result.latency.percentile(99),
      overheadP50Ms: p50 - latencyMs,
      p50MsAtLatency0: p50AtZero,
      latencyAddedMs: p50 - p50AtZero,
      upstreamP50MsAtLatency0: median(upstreamMs),
      upstreamBytes,
      // Derived: what is left of p50 after the upstream's latency and its own time to answer (medians subtracted).
      subgraphOwnP50Ms: p50 - latencyMs - median(upstreamMs),
      bareP50Ms: bareRun.result.latency.percentile(50),
    };
  } finally {
    fiks.close();
  }
}
