/**
 * Seeded pseudo-random numbers for the synthetic dataset. Hand-written on purpose: mulberry32 is five lines and a
 * dependency would add nothing. Not cryptographic; only used so the same seed always gives the same data.
 */

export type Rng = () => number;

/** mulberry32: 32-bit state, uniform floats in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes several integers into one 32-bit seed (murmur3 finaliser), so (seed, index, stream) get unrelated streams. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

export function rngFor(...parts: number[]): Rng {
  return mulberry32(mixSeed(...parts));
}

/** One mulberry32 whose state can be reset: avoids a closure per vehicle when generating 100k+ of them. */
export function reseedableRng(): Rng & { reseed(seed: number): void } {
  let a = 0;
  const next = (() => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as Rng & { reseed(seed: number): void };
  next.reseed = (seed: number) => {
    a = seed >>> 0;
  };
  return next;
}

/** Integer in [min, max] (inclusive). */
export function intBetween(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

/** Picks by relative weight; `weights` and `items` have the same length. */
export function pickWeighted<T>(rng: Rng, items: readonly T[], weights: readonly number[]): T {
  let total = 0;
  for (const w of weights) total += w;
  let r = rng() * total;
  for (let i = 0; i < items.length; i++) {
    r -= weights[i];
    if (r < 0) return items[i];
  }
  return items[items.length - 1];
}

export function chance(rng: Rng, p: number): boolean {
  return rng() < p;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export interface Permutation {
  forward(x: number): number;
  /** The x with forward(x) === y (BigInt arithmetic: only used for lookups, where products may pass 2^53). */
  inverse(y: number): number;
}

/**
 * A bijection on [0, size): x → (a·x + b) mod size. Used to hand out unique plates, kuids and fødselsnummer slots
 * that still look scattered, and to find the owner of one again without an index. `a` is coprime with size and
 * small enough that a·x stays below 2^53 for every x the dataset uses.
 */
export function affinePermutation(size: number, seed: number): Permutation {
  const rng = mulberry32(seed);
  let a = 1 + Math.floor(rng() * Math.min(size - 1, 1_000_003));
  while (gcd(a, size) !== 1) a++;
  const b = Math.floor(rng() * size);
  const n = BigInt(size);
  const aInverse = modInverse(BigInt(a), n);
  return {
    forward: (x) => (((a * x) % size) + b) % size,
    inverse: (y) => Number(((((BigInt(y) - BigInt(b)) % n) + n) * aInverse) % n),
  };
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}
