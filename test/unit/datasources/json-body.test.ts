import { decodeChunks, parseJsonChunks, SPLIT_ABOVE_BYTES } from '../../../src/datasources/json-body';

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TRICKY = [
  '',
  'æøå ÆØÅ',
  'quote " and \\ backslash',
  '} ] { [ , :',
  '\\"',
  'tab\tnew\nline',
  '😀 emoji',
  '\u0000',
];

function value(random: () => number, depth: number): unknown {
  const r = random();
  if (depth > 3 || r < 0.3) {
    const pick = Math.floor(random() * 6);
    if (pick === 0) return TRICKY[Math.floor(random() * TRICKY.length)];
    if (pick === 1) return Math.round(random() * 1e6) / 100;
    if (pick === 2) return random() < 0.5;
    if (pick === 3) return null;
    return `s${Math.floor(random() * 1e6)}`;
  }
  if (r < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => value(random, depth + 1));
  const out: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 5); i > 0; i--)
    out[`k${Math.floor(random() * 20)}${TRICKY[i % 3]}`] = value(random, depth + 1);
  return out;
}

/** Cuts `text` into chunks of random sizes, as sockets deliver them. */
function chunked(text: string, random: () => number): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = 1 + Math.floor(random() * 70_000);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

function large(random: () => number, build: (items: unknown[]) => unknown): string {
  const items: unknown[] = [];
  for (let size = 0; size <= SPLIT_ABOVE_BYTES + 1000;) {
    const item = { n: items.length, v: value(random, 1) };
    items.push(item);
    size += JSON.stringify(item).length;
  }
  return JSON.stringify(build(items));
}

describe('parseJsonChunks', () => {
  it('gives what JSON.parse gives for large bodies of every wrapper shape, however they are chunked', () => {
    const random = prng(13);
    const shapes: ((items: unknown[]) => unknown)[] = [
      (items) => items,
      (items) => ({ gjenstaendeKvote: 7, responser: items }),
      (items) => ({ a: 'x', kjoretoyresponser: items, responskoder: [], b: { c: [1, 2] }, d: items.slice(0, 3) }),
      (items) => [...items.slice(0, 10), 1, ...items.slice(10)], // a bare number among the elements
      (items) => ({ 2: items, a: items.slice(1) }), // an integer-like key: object order differs
      (items) => ({ list: items.map((item) => [item]) }),
    ];
    for (const shape of shapes) {
      for (let round = 0; round < 2; round++) {
        const text = large(random, shape);
        // Compared as text: also checks key order, and is much faster than a deep comparison of large values.
        expect(JSON.stringify(parseJsonChunks(chunked(text, random)))).toBe(JSON.stringify(JSON.parse(text)));
      }
    }
  });

  it('follows escapes across chunk boundaries', () => {
    const items = Array.from({ length: 3000 }, (_, i) => ({ i, s: `a\\"b\\\\c\\"]}{,${'\\'.repeat(i % 5)}"` }));
    const text = JSON.stringify({ responser: items });
    expect(text.length).toBeGreaterThan(SPLIT_ABOVE_BYTES);
    const bytes = Buffer.from(text, 'utf8');
    for (const size of [1, 3]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
      expect(JSON.stringify(parseJsonChunks(chunks))).toBe(text);
    }
  });

  it('gives what JSON.parse gives for small and odd bodies', () => {
    const random = prng(7);
    for (let i = 0; i < 200; i++) {
      const text = JSON.stringify(value(random, 0)) ?? 'null';
      expect(parseJsonChunks(chunked(text, random))).toEqual(JSON.parse(text));
    }
    expect(parseJsonChunks([Buffer.from('\ufeff{"a":1}', 'utf8')])).toEqual({ a: 1 });
  });

  it('refuses what JSON.parse refuses, large bodies included', () => {
    const random = prng(3);
    const good = large(random, (items) => ({ responser: items }));
    const broken = [
      good.replace('},{', '}{'), // a missing comma
      good.replace('},{', '},,{'),
      good.replace(/}]}$/, '},]}'), // a trailing comma
      good.slice(0, -1),
      `${good} x`,
      'Kvote brukt opp',
    ];
    for (const text of broken) {
      expect(() => JSON.parse(text)).toThrow();
      expect(() => parseJsonChunks(chunked(text, random))).toThrow();
    }
    expect(decodeChunks(chunked('Kvote brukt opp, æøå', random))).toBe('Kvote brukt opp, æøå');
  });
});
