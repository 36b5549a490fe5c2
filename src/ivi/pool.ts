/**
 * Runs IVI checks (check.ts) in worker threads, so no document, however built, holds up the event loop that answers
 * every other request and the health probes. Each check has a time budget; a document that exceeds it is refused as
 * too complex, and the worker that was busy with it is replaced.
 */
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { ResourceLimits } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { IviCheckInput, IviCheckResult } from './check';
import { IVI_ISSUE_CODES, IVI_XML_FIELD, IVI_XML_PATH } from './types';

export interface IviCheckPoolOptions {
  /** Worker threads; default one per CPU beyond the first (at least 1, at most 4). */
  threads?: number;
  /** Checks waiting for a thread before new ones are refused. */
  maxQueue?: number;
  /** Time a check may take, waiting included. */
  timeoutMs?: number;
}

export const IVI_CHECK_DEFAULTS = { maxQueue: 32, timeoutMs: 5000 } as const;

/** A 2 MiB document and its tree need a few tens of MB; a runaway one is stopped here, not by the pod's limit. */
export const IVI_WORKER_RESOURCE_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 256 };

/**
 * An operator may give the service a larger young generation (`NODE_OPTIONS=--max-semi-space-size=N`;
 * docs/operations.md). V8 applies that flag to every isolate created later too, and a worker's `resourceLimits` then
 * no longer bound its young generation: each IVI worker would reserve as much as the main thread. Back at 0, V8's
 * default ("size it from the heap's limits"), the flag lets each worker size its heap from its own limits; the main
 * thread's heap was configured at start-up and keeps its size.
 */
function letWorkersSizeTheirOwnHeaps(): void {
  setFlagsFromString('--max-semi-space-size=0');
}

/** The pool's queue is full: the caller should retry later (TOO_MANY_REQUESTS). */
export class IviPoolBusyError extends Error {
  constructor() {
    super('IVI check pool is full');
    this.name = 'IviPoolBusyError';
  }
}

/**
 * The worker next to this file: `worker.js` when built. When this module runs from TypeScript sources (ts-jest, tsx),
 * the worker thread loads `worker.ts` through tsx's CommonJS hook, since a worker has no TypeScript loader of its own.
 */
function workerSetup(): { filename: string; execArgv?: string[] } {
  const extension = extname(__filename);
  const filename = join(__dirname, `worker${extension}`);
  return extension === '.ts' ? { filename, execArgv: ['--require', require.resolve('tsx/cjs')] } : { filename };
}

/** What the request context offers resolvers: one check at a time, in the caller's fair share of the pool. */
export type IviChecker = Pick<IviCheckPool, 'check'>;

export class IviCheckPool {
  private readonly pool: Piscina<IviCheckInput, IviCheckResult>;
  private readonly timeoutMs: number;
  private warming?: Promise<unknown>;
  /** Checks running or waiting, and how many may be. */
  private pending = 0;
  private readonly capacity: number;

  constructor(options: IviCheckPoolOptions = {}) {
    const threads = options.threads ?? Math.min(4, Math.max(1, availableParallelism() - 1));
    this.timeoutMs = options.timeoutMs ?? IVI_CHECK_DEFAULTS.timeoutMs;
    this.capacity = threads + (options.maxQueue ?? IVI_CHECK_DEFAULTS.maxQueue);
    letWorkersSizeTheirOwnHeaps();
    this.pool = new Piscina<IviCheckInput, IviCheckResult>({
      ...workerSetup(),
      minThreads: 0,
      maxThreads: threads,
      idleTimeout: 60_000,
      // Below the event loop's priority (Linux: per thread), so probes and lookups win the CPU on a busy replica.
      niceIncrement: 10,
      resourceLimits: IVI_WORKER_RESOURCE_LIMITS,
    });
  }

  /** Never throws for the document's sake: too slow or too big comes back as an issue. Throws IviPoolBusyError. */
  async check(input: IviCheckInput): Promise<IviCheckResult> {
    // Counted here: piscina's own maxQueue does not count tasks it hands to a busy worker.
    if (this.pending >= this.capacity) throw new IviPoolBusyError();
    this.pending++;
    try {
      await this.warm();
      return await this.pool.run(input, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      // Aborted at the budget (the worker is terminated and replaced), or the worker ran out of its heap on this
      // document. Anything else is a fault of ours and goes on as one.
      if (!isAbort(e) && !isOutOfMemory(e)) throw e;
      return {
        ok: false,
        issue: {
          field: IVI_XML_FIELD,
          path: IVI_XML_PATH,
          code: IVI_ISSUE_CODES.XML_TOO_COMPLEX,
          message: `IVI-dokumentet kunne ikke kontrolleres innen ${this.timeoutMs} ms`,
          source: 'LOCAL',
        },
      };
    } finally {
      this.pending--;
    }
  }

  /**
   * Threads start on demand and stop when idle. Starting one (loading the modules; seconds when a TypeScript loader
   * compiles them) is not the document's doing, so it happens before a check's budget starts.
   */
  private async warm(): Promise<void> {
    if (this.pool.threads.length > 0 && this.warming === undefined) return;
    this.warming ??= this.pool
      .run({})
      .catch(() => undefined)
      .finally(() => {
        this.warming = undefined;
      });
    await this.warming;
  }

  /** Stops the workers; checks in flight are cancelled. */
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

function isAbort(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || /aborted/i.test(e.message));
}

function isOutOfMemory(e: unknown): boolean {
  return (e as { code?: unknown })?.code === 'ERR_WORKER_OUT_OF_MEMORY';
}
