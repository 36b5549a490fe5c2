import type { EventEmitter } from 'node:events';
import { z } from 'zod';
import { ROUTE_NAMES, type RouteName } from './stats';

/**
 * Fault injection: each fault applies to the next `times` calls of its route ("*" = any upstream route), first
 * injected first served. Admin routes are never faulted.
 */

const FaultSchema = z
  .object({
    route: z.enum([...ROUTE_NAMES, '*']),
    times: z.number().int().min(1).max(1_000_000).default(1),
    status: z.number().int().min(100).max(599).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    body: z.unknown().optional(),
    delayMs: z.number().int().min(0).max(600_000).optional(),
    /** true: never answer. 'after-handling': do what the request asks (an eCoC submission creates the vehicle),
     * then never answer, as when an upstream's answer is lost. */
    hang: z.union([z.literal(true), z.literal('after-handling')]).optional(),
    /** Send the status line, headers and the first byte of the body, then wait this long before the rest. */
    slowBodyMs: z.number().int().min(1).max(600_000).optional(),
    /** 'after-handling': do what the request asks, then drop the connection (an answer lost at once). */
    reset: z.enum(['before-body', 'after-body', 'after-handling']).optional(),
    /** Wait, before doing what the request asks, until `POST /__emulator/release` (or a reset): a test then acts while
     * the call is surely in flight, whatever the machine's speed. */
    hold: z.literal(true).optional(),
  })
  .strict();

export type Fault = z.infer<typeof FaultSchema>;
export const FaultListSchema = z.union([FaultSchema, z.array(FaultSchema).min(1).max(100)]);

interface QueuedFault {
  fault: Fault;
  remaining: number;
}

export class FaultQueue {
  private queue: QueuedFault[] = [];
  private readonly held = new Set<() => void>();

  /** Resolves at the next `release()`, or when `call` closes (its client gave up): such a call is not counted. */
  hold(call: EventEmitter): Promise<void> {
    return new Promise((resolve) => {
      const resume = () => {
        this.held.delete(resume);
        call.off('close', resume);
        resolve();
      };
      this.held.add(resume);
      call.once('close', resume);
    });
  }

  /** Lets every held call go on; returns how many there were. */
  release(): number {
    const held = [...this.held];
    for (const resume of held) resume();
    return held.length;
  }

  /** Validates and queues; returns the error text for a 400 when the input is wrong. */
  add(input: unknown): { ok: true; added: number } | { ok: false; message: string } {
    const parsed = FaultListSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, message: `${issue.path.join('.') || 'body'}: ${issue.message}` };
    }
    const list = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
    for (const fault of list) {
      if (
        fault.status === undefined &&
        fault.delayMs === undefined &&
        fault.slowBodyMs === undefined &&
        !fault.hang &&
        !fault.reset &&
        !fault.hold
      ) {
        return { ok: false, message: 'a fault needs status, delayMs, slowBodyMs, hang, reset or hold' };
      }
    }
    for (const fault of list) this.queue.push({ fault, remaining: fault.times });
    return { ok: true, added: list.length };
  }

  /** The fault for this call of `route`, if any; consumes one of its `times`. */
  take(route: RouteName): Fault | undefined {
    const index = this.queue.findIndex((q) => q.fault.route === route || q.fault.route === '*');
    if (index < 0) return undefined;
    const queued = this.queue[index];
    queued.remaining--;
    if (queued.remaining <= 0) this.queue.splice(index, 1);
    return queued.fault;
  }

  /** Drops the queued faults and lets held calls go on. */
  clear(): void {
    this.queue = [];
    this.release();
  }

  pending(): { fault: Fault; remaining: number }[] {
    return this.queue.map((q) => ({ fault: q.fault, remaining: q.remaining }));
  }
}
