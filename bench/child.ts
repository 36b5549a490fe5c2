import { startApp } from '../src/app';
import { mapVehicle } from '../src/datasources/fiks/mapping';
import type { KjoretoyDto as FiksKjoretoyDto } from '../src/datasources/fiks/dto';
import { Dataset, startEmulator, vehicleAt, type EmulatorClient, type EmulatorIntegration } from '../emulator';
import { startBareServer } from './bare-server';
import { bareUpstreamFetch, type BareUpstreamTarget } from './bare-upstream';
import { timeBulkCalls } from './bulk-client';
import { startInMemoryUpstreamServer } from './inmemory-server';
import type { BulkRequest } from './upstream-direct';

/**
 * Entry point of the processes the benchmark starts (one role each), so that the subgraph's CPU and RSS are its own:
 * the load generator runs in the parent, the upstream emulator in a process of its own.
 * Protocol (IPC): parent → { type: 'start', spec }, child → { type: 'ready', info } | { type: 'failed', message };
 * parent → { type: 'stop' } (or the channel closes) and the child closes and exits.
 */

export type ChildSpec =
  | {
      kind: 'emulator';
      seed: number;
      vehicles: number;
      latencyMs: number;
      client: EmulatorClient;
      integration: EmulatorIntegration;
    }
  | { kind: 'subgraph'; env: Record<string, string> }
  | {
      kind: 'bare';
      seed: number;
      vehicles: number;
      kjennemerke: string;
      bodyLimit: string;
      /** The `bareUpstream` variant: the plates asked for are fetched with raw bulk calls of `batchSize` first
       *  (bench/bare-upstream.ts). */
      upstream?: BareUpstreamTarget & { batchSize: number };
    }
  | { kind: 'inmemory'; bulkAnswerText: string }
  | {
      /** Sends `requests` sets of bulk calls (each set's calls in parallel, sets one after the other) and reports how
       *  long each set took: the upstream's own time, measured from where the subgraph runs. */
      kind: 'bulk-client';
      calls: BulkRequest[];
      warmup: number;
      requests: number;
    };

export type ChildMessage =
  | { type: 'ready'; info: Record<string, string> }
  | { type: 'failed'; message: string }
  | { type: 'rss'; bytes: number }
  | { type: 'heap'; bytes: number; collected: boolean };

export type ParentMessage = { type: 'start'; spec: ChildSpec } | { type: 'stop' } | { type: 'rss' } | { type: 'heap' };

interface Started {
  info: Record<string, string>;
  close(): Promise<void>;
}

async function start(spec: ChildSpec): Promise<Started> {
  switch (spec.kind) {
    case 'emulator': {
      const emulator = await startEmulator({
        port: 0,
        host: '127.0.0.1',
        seed: spec.seed,
        vehicles: spec.vehicles,
        latencyMs: spec.latencyMs,
        clients: [spec.client],
        integrations: [spec.integration],
      });
      const { url, fiksBaseUrl, ecocBaseUrl, tokenUrl, issuer } = emulator;
      return { info: { url, fiksBaseUrl, ecocBaseUrl, tokenUrl, issuer }, close: () => emulator.close() };
    }
    case 'subgraph': {
      // Only the given environment: a developer's shell (a real FIKS_BASE_URL, say) must not leak into a benchmark.
      const app = await startApp({ env: spec.env, port: 0, host: '127.0.0.1' });
      return { info: { url: app.server.url }, close: () => app.close() };
    }
    case 'bare': {
      const dataset = new Dataset({ seed: spec.seed, vehicles: spec.vehicles });
      const record = dataset.findByPlate(spec.kjennemerke);
      const dto = record ? vehicleAt(dataset, record) : undefined;
      const model = dto ? mapVehicle(dto as FiksKjoretoyDto, new Date().toISOString()) : null;
      if (!model) throw new Error(`bare server: vehicle ${spec.kjennemerke} not in the dataset`);
      const upstream = spec.upstream ? bareUpstreamFetch(spec.upstream, spec.upstream.batchSize) : undefined;
      const server = await startBareServer({ model, bodyLimit: spec.bodyLimit, upstream });
      return { info: { url: server.url }, close: () => server.close() };
    }
    case 'bulk-client': {
      const ms = await timeBulkCalls(spec.calls, spec.warmup, spec.requests);
      return { info: { msPerSet: JSON.stringify(ms) }, close: async () => undefined };
    }
    case 'inmemory': {
      const server = await startInMemoryUpstreamServer({ bulkAnswerText: spec.bulkAnswerText });
      return { info: { url: server.url }, close: () => server.close() };
    }
  }
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

function main(): void {
  if (!process.send) {
    process.stderr.write('bench/child.js is started by bench/run.js, not directly\n');
    process.exit(2);
  }
  let started: Started | undefined;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => process.exit(0), 5000);
    timer.unref();
    await started?.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'start' && !started) {
      start(message.spec).then(
        (s) => {
          started = s;
          send({ type: 'ready', info: s.info });
        },
        (e: unknown) => {
          send({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
          process.exitCode = 1;
          setTimeout(() => process.exit(1), 100);
        },
      );
    } else if (message.type === 'stop') {
      void stop();
    } else if (message.type === 'rss') {
      send({ type: 'rss', bytes: process.memoryUsage.rss() });
    } else if (message.type === 'heap') {
      // Live heap after a full collection (when started with --expose-gc): tells a leak from a heap that has not
      // been collected yet.
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      send({ type: 'heap', bytes: process.memoryUsage().heapUsed, collected: gc !== undefined });
    }
  });
  // The parent went away (crash, Ctrl-C): do not linger.
  process.on('disconnect', () => void stop());
}

main();
