import { createHash } from 'node:crypto';
import { BulkheadRejectedError, bulkhead, type BulkheadPolicy } from 'cockatiel';
import { tooManyRequests } from '../errors';
import type { Caller } from '../security/caller';
import type { UpstreamClient } from './http';

/** What a datasource needs of an upstream client. */
export type UpstreamRequester = Pick<UpstreamClient, 'request'>;

export interface CallerLimits {
  /** Calls one caller may have running at once. */
  limit: number;
  /** Calls one caller may have waiting for a slot; more are refused with TOO_MANY_REQUESTS. */
  queue: number;
  /** How long a call may wait for a slot before it is refused. */
  queueTimeoutMs: number;
}

/** Idle entries are removed as calls finish; this sweep is only a backstop for entries left by cancelled waits. */
const SWEEP_ABOVE = 1000;

/**
 * A fair share of a shared resource (an upstream's bulkhead, the IVI check pool) per caller: each caller key has its
 * own small cockatiel bulkhead in front of the shared one, so one caller flooding the subgraph fills its own queue,
 * never the shared one, and other callers' calls still find room. Entries exist only while a caller has calls in
 * flight, so the map cannot grow with the number of callers seen.
 */
export class PerCallerLimiter {
  private readonly byCaller = new Map<string, BulkheadPolicy>();

  constructor(private readonly limits: CallerLimits) {}

  async run<T>(key: string | undefined, fn: () => Promise<T>, what = 'upstream calls'): Promise<T> {
    if (key === undefined) return fn();
    const policy = this.policyFor(key);
    const waitLimit = AbortSignal.timeout(this.limits.queueTimeoutMs);
    let started = false;
    // No signal for cockatiel: a cancelled entry it dequeues would end its dequeue chain and strand later waiters.
    const work = policy.execute(() => {
      if (waitLimit.aborted) return Promise.reject(WAITED_TOO_LONG);
      started = true;
      return fn();
    });
    try {
      return await raceWait(work, waitLimit, () => started);
    } catch (e) {
      if (e instanceof BulkheadRejectedError || e === WAITED_TOO_LONG) {
        throw tooManyRequests(`Too many ${what} in flight for this caller; retry later`);
      }
      throw e;
    } finally {
      this.releaseIfIdle(key, policy);
    }
  }

  /** Callers with calls running or waiting (for tests and metrics: it must stay bounded). */
  get activeCallers(): number {
    return this.byCaller.size;
  }

  /** An UpstreamRequester whose calls go through `key`'s share; no key, no share. */
  requester(key: string | undefined, client: UpstreamRequester): UpstreamRequester {
    return key === undefined ? client : { request: (req) => this.run(key, () => client.request(req)) };
  }

  private policyFor(key: string): BulkheadPolicy {
    let policy = this.byCaller.get(key);
    if (!policy) {
      if (this.byCaller.size > SWEEP_ABOVE) {
        for (const [k, p] of this.byCaller) this.releaseIfIdle(k, p);
      }
      policy = bulkhead(this.limits.limit, this.limits.queue);
      this.byCaller.set(key, policy);
    }
    return policy;
  }

  private releaseIfIdle(key: string, policy: BulkheadPolicy): void {
    const idle = policy.executionSlots === this.limits.limit && policy.queueSlots === this.limits.queue;
    if (idle && this.byCaller.get(key) === policy) this.byCaller.delete(key);
  }
}

const WAITED_TOO_LONG = new Error('waited too long for a slot');

/**
 * cockatiel's bulkhead does not watch the signal while a call waits in its queue, so the wait is raced here; once the
 * call has started it runs to its own deadline (the upstream client's).
 */
function raceWait<T>(work: Promise<T>, signal: AbortSignal, started: () => boolean): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      if (!started()) reject(WAITED_TOO_LONG);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Whose share a request uses: the verified token's issuer, client (`client_id` or `azp`) and subject (`sub`), so each
 * user of an app behind a router has a share of their own; hashed, so the key holds no identifier. A caller without
 * a verified token has no share of its own (undefined): it cannot be told apart from the others (behind a router they
 * all come from one address), in production it can make no upstream call (every lookup needs a scope), and in dev
 * mode the data is synthetic and the caller usually one developer or a benchmark.
 */
export function callerKey(caller: Caller): string | undefined {
  if (!caller.authenticated) return undefined;
  const claims = caller.claims ?? {};
  const identity = [claims.iss, claims.client_id ?? claims.azp, claims.sub].map((v) => String(v ?? '')).join('\n');
  return `token:${createHash('sha256').update(identity).digest('base64url').slice(0, 22)}`;
}
