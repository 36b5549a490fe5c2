import type { BenchCredentials, ChildHandle, EmulatorProcess } from './processes';

/**
 * Run lengths. `quick` is sized for about a minute on a 2-core machine; `full` for steadier figures. Durations are
 * whole seconds: autocannon runs in 1 s ticks and rounds anything else up.
 */
export interface Profile {
  name: 'quick' | 'full';
  batching: { sizes: number[]; repeats: number; latencyMs: number; batchSize: number };
  overhead: {
    connections: number;
    /** Each server's first warm-up, to steady state (JIT, caches, sockets). */
    warmupSeconds: number;
    /** Before every measured run, after the server sat idle while the others ran. */
    rewarmSeconds: number;
    seconds: number;
    rounds: number;
  };
  latency: { vehicles: number; latencyMs: number; warmup: number; requests: number };
  sustained: {
    rate: number;
    seconds: number;
    warmupSeconds: number;
    /** Staggered autocannon instances (see scenarios/sustained.ts). */
    instances: number;
    connectionsPerInstance: number;
  };
  ivi: { warmupIterations: number; seconds: number };
  search: { connections: number; warmupSeconds: number; seconds: number; pageSize: number };
  /** Probes of /health/live for the baseline; seconds of attack (scenarios/hostile.ts). */
  hostile: { seconds: number; probes: number };
  /** Runs per figure of scenarios/bounds.ts (the median is reported); `slowRepeats` for the ones that take seconds. */
  bounds: { repeats: number; slowRepeats: number };
}

const common = {
  batching: { sizes: [1, 10, 100, 1000], latencyMs: 50, batchSize: 50 },
  latency: { vehicles: 100, latencyMs: 50 },
};

export const PROFILES: Record<Profile['name'], Profile> = {
  quick: {
    name: 'quick',
    batching: { ...common.batching, repeats: 3 },
    overhead: { connections: 50, warmupSeconds: 2, rewarmSeconds: 1, seconds: 1, rounds: 3 },
    latency: { ...common.latency, warmup: 15, requests: 30 },
    sustained: { rate: 150, seconds: 12, warmupSeconds: 2, instances: 10, connectionsPerInstance: 3 },
    ivi: { warmupIterations: 300, seconds: 2 },
    search: { connections: 10, warmupSeconds: 1, seconds: 3, pageSize: 20 },
    hostile: { seconds: 8, probes: 50 },
    bounds: { repeats: 3, slowRepeats: 1 },
  },
  full: {
    name: 'full',
    batching: { ...common.batching, repeats: 7 },
    overhead: { connections: 50, warmupSeconds: 10, rewarmSeconds: 1, seconds: 2, rounds: 10 },
    latency: { ...common.latency, warmup: 30, requests: 200 },
    sustained: { rate: 300, seconds: 60, warmupSeconds: 20, instances: 10, connectionsPerInstance: 3 },
    ivi: { warmupIterations: 1000, seconds: 5 },
    search: { connections: 10, warmupSeconds: 2, seconds: 10, pageSize: 20 },
    hostile: { seconds: 15, probes: 200 },
    bounds: { repeats: 5, slowRepeats: 3 },
  },
};

export interface BenchContext {
  profile: Profile;
  credentials: BenchCredentials;
  /** CPU pinning: the subgraph (or bare server) alone on `server`; emulator and load generator share `driver`. */
  cpu: { server?: number; driver?: number };
  /** An emulator with this fixed latency, started once per run and shared by the scenarios (stats reset by each). */
  emulator(latencyMs: number): Promise<EmulatorProcess>;
  /** A subgraph with default settings against `emulator(latencyMs)`, started once per run and shared likewise. */
  subgraph(latencyMs: number): Promise<{ handle: ChildHandle; url: string }>;
  /** The bare Apollo Server (bench/bare-server.ts) answering with `kjennemerke`'s vehicle, shared likewise. */
  bare(kjennemerke: string): Promise<{ handle: ChildHandle; url: string }>;
  progress(message: string): void;
}
