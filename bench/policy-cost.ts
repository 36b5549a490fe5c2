import {
  ConsecutiveBreaker,
  ExponentialBackoff,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
} from 'cockatiel';
import { median } from './load';

/**
 * `npx tsx bench/policy-cost.ts`: what the upstream client's per-call machinery costs in CPU per call, around a stand-in
 * call, first for calls that end at once (50 in flight, each done at the next `setImmediate`), then for calls that live
 * as long as a loaded server's upstream calls do (1000 in flight, 20 ms each), so their objects outlive scavenges. The
 * policies are built as src/datasources/http.ts builds them (deadline, bulkhead, retry, breaker), with the defaults of
 * src/config.ts except the bulkhead's size: room for every call in flight, so no call waits. Every call succeeds, so
 * the retry's backoff and the failure conditions are stand-ins that never run. Medians of 7 rounds.
 * Numbers for docs/performance.md; not part of `npm run bench`.
 */
const deadline = timeout(10_000, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
const slots = bulkhead(1000, 64);
const retries = retry(
  handleWhen(() => false),
  { maxAttempts: 2, backoff: new ExponentialBackoff() },
);
const breaker = circuitBreaker(
  handleWhen(() => false),
  { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(10) },
);

type Call = (signal?: AbortSignal) => Promise<number>;

const ways: Record<string, (call: Call) => Promise<number>> = {
  'the call alone': (call) => call(),
  'a cleared setTimeout': async (call) => {
    const timer = setTimeout(() => undefined, 10_000);
    try {
      return await call();
    } finally {
      clearTimeout(timer);
    }
  },
  'an AbortController': (call) => {
    void new AbortController().signal;
    return call();
  },
  'an AbortController, one listener': (call) => {
    const { signal } = new AbortController();
    return call(signal);
  },
  "cockatiel's timeout policy": (call) => deadline.execute(({ signal }) => call(signal)),
  'bulkhead, retry, breaker': (call) => slots.execute(() => retries.execute(() => breaker.execute(() => call()))),
  'all four, as the client nests them': (call) =>
    deadline.execute(({ signal }) =>
      slots.execute(() => retries.execute(() => breaker.execute(() => call(signal)), signal), signal),
    ),
};

/** A stand-in upstream call that listens to the signal while it runs, as the transport does. */
function standIn(lifetime: (done: () => void) => void): Call {
  return (signal) =>
    new Promise((resolve) => {
      const onAbort = () => undefined;
      signal?.addEventListener('abort', onAbort, { once: true });
      lifetime(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(1);
      });
    });
}

async function cpuUsPerCall(way: (call: Call) => Promise<number>, call: Call, inFlight: number, calls: number) {
  const start = process.cpuUsage();
  let started = 0;
  const lane = async () => {
    while (started++ < calls) await way(call);
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const used = process.cpuUsage(start);
  return (used.user + used.system) / calls;
}

async function main(): Promise<void> {
  const settings = [
    { what: '50 in flight, each ending at once', inFlight: 50, call: standIn((done) => setImmediate(done)) },
    { what: '1000 in flight, 20 ms each', inFlight: 1000, call: standIn((done) => setTimeout(done, 20)) },
  ];
  process.stdout.write(`node ${process.version}, µs of CPU per call (median of 7 rounds of 20,000 calls)\n`);
  for (const { what, inFlight, call } of settings) {
    for (const way of Object.values(ways)) await cpuUsPerCall(way, call, inFlight, 20_000);
    const results = new Map<string, number[]>();
    for (let round = 0; round < 7; round++) {
      for (const [name, way] of Object.entries(ways)) {
        const list = results.get(name) ?? [];
        list.push(await cpuUsPerCall(way, call, inFlight, 20_000));
        results.set(name, list);
      }
    }
    process.stdout.write(`\n${what}:\n`);
    for (const [name, values] of results) process.stdout.write(`  ${name.padEnd(36)} ${median(values).toFixed(1)}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`policy-cost failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
