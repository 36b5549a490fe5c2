import type { Dataset, VehicleRecord } from './dataset';
import { vehicleAt, type KjoretoyDto } from './dto';

/**
 * Each vehicle's current answer, generated once: the DTO (frozen, as it is shared by every reply) and its JSON bytes,
 * which `serialiseJson` copies into a reply instead of serialising the vehicle again. A 100-vehicle request then
 * costs the emulator little more than the copying, so benchmarks measure the subgraph, not the emulator.
 * Only "now" answers are kept (answers at a `dtg` are rare and many); records are never changed in place, so an
 * answer cannot go stale. Bounded, oldest out first: a plain Map keeps insertion order, which is all that needs.
 */
export class VehicleAnswers {
  private readonly current = new Map<VehicleRecord, KjoretoyDto>();

  constructor(
    private readonly dataset: Dataset,
    private readonly max = 20_000,
  ) {}

  /** `vehicleAt(dataset, record, at)`, from the cache when `at` is now. */
  at(record: VehicleRecord, at?: number): KjoretoyDto | undefined {
    if (at !== undefined) return vehicleAt(this.dataset, record, at);
    let answer = this.current.get(record);
    if (answer === undefined) {
      const built = vehicleAt(this.dataset, record);
      if (built === undefined) return undefined;
      answer = deepFreeze(built);
      SERIALISED.set(answer, Buffer.from(JSON.stringify(answer), 'utf8'));
      if (this.current.size >= this.max) this.current.delete(this.current.keys().next().value as VehicleRecord);
      this.current.set(record, answer);
    }
    return answer;
  }
}

const SERIALISED = new WeakMap<object, Buffer>();
/** Cached answers sit at most this deep in a Fiks reply (wrapper → list → item → list → item → vehicle). */
const MAX_SPLICE_DEPTH = 6;

/**
 * `Buffer.from(JSON.stringify(value))`, except that cached answers are copied in as their stored bytes. Only the
 * wrapper around them is walked here; anything deeper than a cached answer can sit goes to JSON.stringify whole.
 * Hand-written: `JSON.rawJSON` would do this, but Node 20's V8 does not have it.
 */
export function serialiseJson(value: unknown): Buffer {
  const parts: Buffer[] = [];
  let text = '';
  const walk = (node: unknown, depth: number): void => {
    const cached = typeof node === 'object' && node !== null ? SERIALISED.get(node) : undefined;
    if (cached) {
      parts.push(Buffer.from(text, 'utf8'), cached);
      text = '';
    } else if (depth < MAX_SPLICE_DEPTH && Array.isArray(node)) {
      text += '[';
      node.forEach((item, i) => {
        if (i > 0) text += ',';
        // As JSON.stringify does: undefined and functions in an array become null.
        walk(item === undefined || typeof item === 'function' ? null : item, depth + 1);
      });
      text += ']';
    } else if (depth < MAX_SPLICE_DEPTH && isPlainObject(node)) {
      text += '{';
      let first = true;
      for (const [key, item] of Object.entries(node)) {
        if (item === undefined || typeof item === 'function') continue;
        text += `${first ? '' : ','}${JSON.stringify(key)}:`;
        first = false;
        walk(item, depth + 1);
      }
      text += '}';
    } else {
      text += JSON.stringify(node) ?? 'null';
    }
  };
  walk(value, 0);
  parts.push(Buffer.from(text, 'utf8'));
  return Buffer.concat(parts);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
