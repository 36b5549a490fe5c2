import {
  benchIviXml,
  entitiesBody,
  expectClean,
  preRegisterBody,
  searchBody,
  vehicleBody,
  vehiclesBody,
} from '../documents';
import { LatencyRecorder, median, runLoad, type LoadResult } from '../load';
import { startSubgraphProcess } from '../processes';
import type { BenchContext } from '../profile';
import type { Figures } from '../results';
import { distinctPlates } from './batching';

const RSS_SAMPLE_MS = 1000;

/**
 * 4. A fixed request rate on a mixed workload, against a freshly started subgraph (emulator latency 0): errors
 * (non-2xx, socket errors and GraphQL errors), latency, and the subgraph process's RSS at the start and the end of
 * the run (the issue's figure), and beside it the live V8 heap after a full GC at both points: RSS also moves with
 * V8's young generation and the allocator, which a forced collection does not give back, so only the heap figure
 * tells a leak from a heap that has not settled.
 *
 * autocannon's rate limit is a per-connection budget refilled once a second, so one instance fires its whole budget
 * in a burst at each second boundary. To spread the arrivals, the rate is split over `instances` autocannon
 * instances started 1/instances s apart, each with a few connections.
 */
export async function runSustained(ctx: BenchContext): Promise<Figures> {
  const { rate, seconds, warmupSeconds, instances, connectionsPerInstance } = ctx.profile.sustained;
  const perInstance = rate / instances;
  if (!Number.isInteger(perInstance) || perInstance % connectionsPerInstance !== 0) {
    throw new Error(`sustained: rate ${rate} must split into ${instances} × a multiple of ${connectionsPerInstance}`);
  }
  const emulator = await ctx.emulator(0);
  const plates = await distinctPlates(emulator, 400);
  const { ownerSearch } = await emulator.sample(20);
  const names = ownerSearch.filter((s) => s.hits > 0).map((s) => s.name);
  if (names.length < 2) throw new Error('sustained: the emulator sample has too few owner names');
  const iviXml = benchIviXml();

  /** One cycle of 10 requests: 5 lookups (4 single, 1 list of 10), 2 × `_entities` of 10, 2 searches, 1 dry run. */
  const cycle = (i: number): string[] => {
    const p = (k: number, n = 1) => plates.slice((i * 37 + k) % 300, ((i * 37 + k) % 300) + n);
    return [
      vehicleBody(p(0)[0]),
      entitiesBody(p(10, 10)),
      searchBody(names[i % names.length], 20),
      vehicleBody(p(1)[0]),
      vehiclesBody(p(30, 10)),
      preRegisterBody(iviXml),
      vehicleBody(p(2)[0]),
      entitiesBody(p(50, 10)),
      searchBody(names[(i + 1) % names.length], 10),
      vehicleBody(p(3)[0]),
    ];
  };

  // --expose-gc only makes gc() callable, for the heap figures below; nothing calls it during the run.
  const subgraph = await startSubgraphProcess('subgraph (fresh)', emulator, ctx.credentials, {
    cpu: ctx.cpu.server,
    nodeFlags: ['--expose-gc'],
  });
  try {
    // Every kind of request once, checked, before any load.
    const first = cycle(0);
    for (const requestBody of first) await expectClean(subgraph.url, requestBody, 'sustained: mixed workload');
    const dryRun = await expectClean(subgraph.url, first[5], 'sustained: preRegister dry run');
    const status = (dryRun.json.data?.preRegister as { status?: string } | undefined)?.status;
    if (status !== 'VALID') throw new Error(`sustained: preRegister dry run answered ${String(status)}`);

    const drive = async (duration: number, latency: LatencyRecorder): Promise<LoadResult[]> => {
      const runs: Promise<LoadResult>[] = [];
      for (let i = 0; i < instances; i++) {
        runs.push(
          delay((i * 1000) / instances).then(() =>
            runLoad(
              {
                url: subgraph.url,
                connections: connectionsPerInstance,
                overallRate: perInstance,
                duration,
                bodies: cycle(i),
              },
              latency,
            ),
          ),
        );
      }
      return Promise.all(runs);
    };

    ctx.progress(`sustained: warm-up ${warmupSeconds} s at ${rate} req/s`);
    await drive(warmupSeconds, new LatencyRecorder(10_000));
    await emulator.reset();
    const heapStartMb = await subgraph.handle.heapAfterGcMb();
    // RSS once a second through the run. One reading swings by tens of MB as V8 resizes its young generation, so
    // "start" and "end" are the medians of the readings in the first and last fifth of the run.
    const rss: { at: number; mb: number }[] = [];
    const t0 = performance.now();
    const readRss = () => subgraph.handle.rssMb().then((mb) => void rss.push({ at: performance.now() - t0, mb }));
    await readRss();
    const sampler = setInterval(() => void readRss(), RSS_SAMPLE_MS);

    ctx.progress(`sustained: ${seconds} s at ${rate} req/s`);
    const latency = new LatencyRecorder(rate * seconds * 2);
    let runs: LoadResult[];
    try {
      runs = await drive(seconds, latency);
    } finally {
      clearInterval(sampler);
    }
    await readRss();
    const heapEndMb = await subgraph.handle.heapAfterGcMb();
    const windowMs = Math.max(1000, seconds * 200);
    const endAt = rss[rss.length - 1].at;
    const rssStartMb = median(rss.filter((r) => r.at <= windowMs).map((r) => r.mb));
    const rssEndMb = median(rss.filter((r) => r.at >= endAt - windowMs).map((r) => r.mb));
    const rssPeakMb = Math.max(...rss.map((r) => r.mb));

    const sum = (f: (r: LoadResult) => number) => runs.reduce((total, r) => total + f(r), 0);
    const responses = sum((r) => r.responses);
    return {
      targetRps: rate,
      achievedRps: responses / seconds,
      seconds,
      requests: responses,
      errors: sum((r) => r.failed),
      p50Ms: latency.percentile(50),
      p99Ms: latency.percentile(99),
      maxMs: latency.percentile(100),
      rssStartMb,
      rssEndMb,
      rssPeakMb,
      rssSamples: rss.length,
      rssDriftPct: ((rssEndMb - rssStartMb) / rssStartMb) * 100,
      heapAfterGcStartMb: heapStartMb,
      heapAfterGcEndMb: heapEndMb,
      heapAfterGcDriftPct: ((heapEndMb - heapStartMb) / heapStartMb) * 100,
    };
  } finally {
    await subgraph.handle.stop();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
