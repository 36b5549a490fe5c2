import { entitiesBody, expectClean } from '../documents';
import { median } from '../load';
import { startSubgraphProcess, type EmulatorProcess } from '../processes';
import type { BenchContext } from '../profile';
import type { Figures } from '../results';

/** Default of UPSTREAM_BULKHEAD_LIMIT (src/config.ts): at most this many upstream calls in flight per process. */
const BULKHEAD_LIMIT = 32;
const BULK_ROUTE = 'bulk/kjennemerke';
const WARMUP_REQUESTS = 6;

/**
 * 1. `_entities` with N vehicle references through the subgraph: upstream bulk calls counted by the emulator
 * (expected ceil(N / B)), against a naive subgraph (FIKS_BULK_MAX_BATCH=1: one call per reference), and the wall
 * time of one request each with 50 ms upstream latency. Both subgraphs run at once against one emulator and are asked
 * in turn, so every pair of figures is measured side by side.
 */
export async function runBatching(ctx: BenchContext): Promise<Figures> {
  const { sizes, repeats, latencyMs, batchSize } = ctx.profile.batching;
  const largest = Math.max(...sizes);
  const emulator = await ctx.emulator(latencyMs);
  const plates = await distinctPlates(emulator, largest);

  // N = 1000 needs the identifier cap above 1000; the naive setting queues up to N calls behind the bulkhead.
  const env = {
    MAX_IDENTIFIERS_PER_OPERATION: String(largest),
    UPSTREAM_BULKHEAD_QUEUE: String(largest),
  };
  const settings = [
    { name: 'Batched', batch: batchSize },
    { name: 'Naive', batch: 1 },
  ] as const;
  const subgraphs = await Promise.all(
    settings.map((s) =>
      startSubgraphProcess(`subgraph (${s.name.toLowerCase()}, B=${s.batch})`, emulator, ctx.credentials, {
        env: { ...env, FIKS_BULK_MAX_BATCH: String(s.batch) },
        cpu: ctx.cpu.server,
      }),
    ),
  );
  try {
    // Warm-up: the first request fetches the Maskinporten token; the rest let the JIT optimise the hot paths, so
    // the few timed requests below do not measure cold code.
    const warmupBody = entitiesBody(plates.slice(0, 100));
    for (const s of subgraphs) {
      for (let i = 0; i < WARMUP_REQUESTS; i++) await expectClean(s.url, warmupBody, 'batching warm-up');
    }

    const figures: Figures = { batchSize, upstreamLatencyMs: latencyMs, bulkheadLimit: BULKHEAD_LIMIT };
    for (const n of sizes) {
      ctx.progress(`batching: N = ${n}`);
      const calls: Record<string, number[]> = { Batched: [], Naive: [] };
      const wall: Record<string, number[]> = { Batched: [], Naive: [] };
      const maxInFlight: Record<string, number> = { Batched: 0, Naive: 0 };
      const requestBody = entitiesBody(plates.slice(0, n));
      for (let r = 0; r < repeats; r++) {
        for (let i = 0; i < settings.length; i++) {
          const setting = settings[i];
          await emulator.reset();
          const reply = await expectClean(subgraphs[i].url, requestBody, `_entities N=${n} (${setting.name})`);
          const entities = (reply.json.data?._entities ?? []) as unknown[];
          const found = entities.filter((e) => e !== null).length;
          if (found !== n) throw new Error(`_entities N=${n} (${setting.name}): ${found} of ${n} vehicles resolved`);
          const route = (await emulator.stats()).routes[BULK_ROUTE];
          calls[setting.name].push(route?.requests ?? Number.NaN);
          wall[setting.name].push(reply.ms);
          maxInFlight[setting.name] = Math.max(maxInFlight[setting.name], route?.maxInFlight ?? 0);
        }
      }
      // Call counts must not vary between repeats; the largest seen is reported so a variation cannot hide.
      const callsBatched = Math.max(...calls.Batched);
      const callsNaive = Math.max(...calls.Naive);
      figures[`callsBatchedN${n}`] = callsBatched;
      figures[`callsNaiveN${n}`] = callsNaive;
      figures[`callRatioN${n}`] = callsNaive / callsBatched;
      figures[`wallMsBatchedN${n}`] = median(wall.Batched);
      figures[`wallMsNaiveN${n}`] = median(wall.Naive);
      figures[`wallSpeedupN${n}`] = median(wall.Naive) / median(wall.Batched);
      figures[`maxInFlightNaiveN${n}`] = maxInFlight.Naive;
    }
    return figures;
  } finally {
    await Promise.all(subgraphs.map((s) => s.handle.stop()));
  }
}

/** `count` distinct current plates from the emulator's sample (its sample is capped at 1000). */
export async function distinctPlates(emulator: EmulatorProcess, count: number): Promise<string[]> {
  const sample = await emulator.sample(Math.min(1000, Math.max(count, 1)));
  const plates = [...new Set(sample.vehicles.map((v) => v.kjennemerke).filter((k) => k.length > 0))];
  if (plates.length < count) throw new Error(`emulator sample has ${plates.length} distinct plates, need ${count}`);
  return plates.slice(0, count);
}
