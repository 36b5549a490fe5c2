import { expectClean, vehiclesBody } from '../documents';
import { percentileOfSorted, runLoad } from '../load';
import { startBareProcess, timeBulkCallsInProcess, type EmulatorProcess } from '../processes';
import type { BenchContext } from '../profile';
import type { Figures } from '../results';
import { directFiks, type BulkRequest } from '../upstream-direct';
import { distinctPlates } from './batching';

/**
 * 3. `vehicles(kjennemerker: [100 plates])` with 50 ms upstream latency, one request at a time (no queueing): p50
 * minus the 50 ms the upstream waits is what the rest adds (goal <= 10 ms). 100 plates at B = 50 are two bulk calls,
 * sent in parallel, so the ideal is one upstream round trip.
 *
 * The subgraph's own share (`subgraphOwnP50Ms`, goal <= 4 ms) is p50 minus the same two bulk calls made directly
 * (`upstreamDirectP50Ms`): sent in parallel to the same emulator, one set at a time, from a process on the subgraph's
 * CPU with the subgraph's HTTP client (bench/bulk-client.ts), bodies read but not parsed. What is left is the
 * subgraph's work: parsing the answers, matching and mapping 100 vehicles, executing and serialising the result.
 *
 * To show where the rest goes, the same run also measures, one request at a time:
 * - the same query with emulator latency 0 (`p50MsAtLatency0`; `latencyAddedMs` ≈ 50 means one round trip);
 * - the direct calls at emulator latency 0 (`upstreamDirectP50MsAtLatency0`: the emulator's own time to answer);
 * - the same query on the bare Apollo Server, 100 vehicles from memory (`bareP50Ms`);
 * - the same query on the bare server that first fetches the 100 plates with the same two bulk calls, raw, answers
 *   parsed (`bareUpstreamP50Ms`, bench/bare-upstream.ts), and so `ownShareFloorP50Ms` = that minus the direct calls:
 *   the own share no subgraph that fetches, parses and answers these vehicles gets below on this machine.
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

  // The subgraph's bulk calls for these plates: chunks of B, as its DataLoader makes them.
  const chunks: string[][] = [];
  for (let i = 0; i < plates.length; i += batchSize) chunks.push(plates.slice(i, i + batchSize));
  const direct = async (emulator: EmulatorProcess, what: string): Promise<number[]> => {
    const fiks = directFiks(emulator, ctx.credentials);
    try {
      const calls: BulkRequest[] = await Promise.all(chunks.map((chunk) => fiks.bulkRequest(chunk)));
      ctx.progress(`latency: ${requests} sets of ${calls.length} direct bulk calls, ${what}`);
      return await timeBulkCallsInProcess(calls, { warmup, requests, cpu: ctx.cpu.server });
    } finally {
      fiks.close();
    }
  };

  const [main, atZero, bare, bareUpstream] = await Promise.all([
    ctx.subgraph(latencyMs),
    ctx.subgraph(0),
    ctx.bare(plates[0]),
    startBareProcess(plates[0], {
      cpu: ctx.cpu.server,
      upstream: { emulator: slow, credentials: ctx.credentials, batchSize },
    }),
  ]);
  const slowRun = await measure(main.url, `emulator latency ${latencyMs} ms`, slow);
  const directMs = await direct(slow, `emulator latency ${latencyMs} ms`);
  const zeroRun = await measure(atZero.url, 'emulator latency 0', fast);
  const directMsAtZero = await direct(fast, 'emulator latency 0');
  const bareRun = await measure(bare.url, 'bare server');
  const floorRun = await measure(bareUpstream.url, `bare server with raw upstream calls, latency ${latencyMs} ms`);
  await bareUpstream.handle.stop();
  const sizer = directFiks(fast, ctx.credentials);
  let upstreamBytes = 0;
  try {
    for (const chunk of chunks) upstreamBytes += Buffer.byteLength((await sizer.bulk(chunk)).text);
  } finally {
    sizer.close();
  }

  const p50 = slowRun.result.latency.percentile(50);
  const p50AtZero = zeroRun.result.latency.percentile(50);
  const directP50 = percentileOf(directMs, 50);
  return {
    vehicles,
    upstreamLatencyMs: latencyMs,
    requests: slowRun.result.responses,
    errors: slowRun.result.failed + zeroRun.result.failed + bareRun.result.failed + floorRun.result.failed,
    bulkCallsPerRequest: slowRun.bulkCallsPerRequest,
    p50Ms: p50,
    p90Ms: slowRun.result.latency.percentile(90),
    p99Ms: slowRun.result.latency.percentile(99),
    overheadP50Ms: p50 - latencyMs,
    upstreamDirectP50Ms: directP50,
    subgraphOwnP50Ms: p50 - directP50,
    p50MsAtLatency0: p50AtZero,
    latencyAddedMs: p50 - p50AtZero,
    upstreamDirectP50MsAtLatency0: percentileOf(directMsAtZero, 50),
    subgraphOwnP50MsAtLatency0: p50AtZero - percentileOf(directMsAtZero, 50),
    upstreamBytes,
    bareP50Ms: bareRun.result.latency.percentile(50),
    bareUpstreamP50Ms: floorRun.result.latency.percentile(50),
    ownShareFloorP50Ms: floorRun.result.latency.percentile(50) - directP50,
  };
}

function percentileOf(values: number[], p: number): number {
  return percentileOfSorted(Float64Array.from(values).sort(), p);
}
