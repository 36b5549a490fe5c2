/**
 * JSON from response bytes, without building one string for a large answer.
 *
 * V8 keeps strings over 128 KiB in its large-object space, where allocating and freeing them is costly: decoding a
 * 150 KB answer into one string took about 60 times as long as decoding it in two halves (docs/performance.md), and a
 * 50-vehicle Fiks bulk answer is about 500 KB (docs/upstreams.md §3). So an answer above `SPLIT_ABOVE_BYTES` is cut at the elements of its top-level array, or of
 * the arrays that are members of its top-level object (`responser`, `kjoretoyresponser`): each element is decoded
 * and parsed on its own, the rest (the wrapper, with those arrays empty) once, and the elements are put back in
 * order. The result is what JSON.parse would give. Anything the cut does not expect (a bare value in such an array,
 * or a separator out of place) falls back to decoding the whole answer and JSON.parse, which then also reports
 * invalid JSON as JSON.parse does. Hand-written: no maintained library parses JSON at JSON.parse's speed, and
 * streaming parsers in JavaScript are several times slower than this.
 */

/** Below this, one string is in V8's regular heap (UTF-8 bytes are never fewer than the characters they decode to). */
export const SPLIT_ABOVE_BYTES = 120 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/** The value of a JSON body received as `chunks`; throws as JSON.parse does when it is not JSON. */
export function parseJsonChunks(chunks: readonly Buffer[]): unknown {
  const body = new Body(chunks);
  if (body.length > SPLIT_ABOVE_BYTES) {
    const arrays = cutAtElements(body.chunks);
    if (arrays) return assemble(body, arrays);
  }
  return JSON.parse(body.text(0, body.length)) as unknown;
}

/** The whole body as text (for answers that are not JSON). */
export function decodeChunks(chunks: readonly Buffer[]): string {
  const body = new Body(chunks);
  return body.text(0, body.length);
}

/** The chunks of a body (without a byte-order mark), and where each starts. */
class Body {
  readonly chunks: readonly Buffer[];
  readonly length: number;
  private readonly starts: number[] = [];

  constructor(chunks: readonly Buffer[]) {
    const first = chunks[0];
    const bom = first && first.length >= 3 && first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf;
    this.chunks = bom ? [first.subarray(3), ...chunks.slice(1)] : chunks;
    let length = 0;
    for (const chunk of this.chunks) {
      this.starts.push(length);
      length += chunk.length;
    }
    this.length = length;
  }

  /** UTF-8 text of bytes [from, to); copies bytes only when the range spans chunks. */
  text(from: number, to: number): string {
    if (to <= from) return '';
    let k = this.chunkAt(from);
    const chunk = this.chunks[k];
    const start = this.starts[k];
    if (to <= start + chunk.length) return chunk.toString('utf8', from - start, to - start);
    const parts: Buffer[] = [chunk.subarray(from - start)];
    while (++k < this.chunks.length && this.starts[k] < to) {
      const next = this.chunks[k];
      parts.push(to < this.starts[k] + next.length ? next.subarray(0, to - this.starts[k]) : next);
    }
    return Buffer.concat(parts).toString('utf8');
  }

  /** Index of the chunk holding byte `offset` (binary search). */
  private chunkAt(offset: number): number {
    let low = 0;
    let high = this.chunks.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}

/** An array parsed element by element: its nesting depth, the offsets of its `[` and `]`, its elements' [start, end). */
interface CutArray {
  depth: number;
  open: number;
  close: number;
  elements: number[];
}

/** One pass over the bytes: the arrays to cut and their elements, or undefined when the body is not that simple. */
function cutAtElements(chunks: readonly Buffer[]): CutArray[] | undefined {
  const arrays: CutArray[] = [];
  let current: CutArray | undefined;
  let depth = 0;
  let inString = false;
  /** A backslash ended the previous chunk: the first byte of this one is escaped. */
  let escaped = false;
  /** Inside `current`, between its elements: what may come next. */
  let expect: 'element-or-end' | 'element' | 'comma-or-end' = 'element-or-end';
  let elementStart = -1;
  let base = 0;
  for (const chunk of chunks) {
    const length = chunk.length;
    let i = 0;
    if (escaped && length > 0) {
      escaped = false;
      i = 1;
    }
    while (i < length) {
      if (inString) {
        // Most bytes are inside strings: a tight loop to the next quote or backslash.
        let c = chunk[i];
        while (c !== QUOTE && c !== BACKSLASH && ++i < length) c = chunk[i];
        if (i >= length) break;
        if (c === BACKSLASH) {
          if (i + 1 < length) i += 2;
          else {
            escaped = true;
            i = length;
          }
        } else {
          inString = false;
          i++;
        }
        continue;
      }
      const c = chunk[i];
      const at = base + i;
      i++;
      const between = current !== undefined && depth === current.depth && elementStart < 0;
      if (c === QUOTE) {
        if (between) return undefined; // a string element: not worth cutting
        inString = true;
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        if (between) {
          if (expect === 'comma-or-end') return undefined;
          elementStart = at;
        }
        depth++;
        // The top-level array (depth 1), or an array member of the top-level object (depth 2).
        if (c === OPEN_ARRAY && current === undefined && depth <= 2) {
          current = { depth, open: at, close: -1, elements: [] };
          arrays.push(current);
          expect = 'element-or-end';
        }
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        depth--;
        if (current !== undefined && depth === current.depth && elementStart >= 0) {
          current.elements.push(elementStart, at + 1);
          elementStart = -1;
          expect = 'comma-or-end';
        } else if (current !== undefined && depth === current.depth - 1) {
          if (c !== CLOSE_ARRAY || expect === 'element') return undefined;
          current.close = at;
          current = undefined;
        }
      } else if (between) {
        if (c === COMMA) {
          if (expect !== 'comma-or-end') return undefined;
          expect = 'element';
        } else if (!isWhitespace(c)) {
          return undefined; // a number, true, false or null element
        }
      }
    }
    base += length;
  }
  if (depth !== 0 || inString || current !== undefined) return undefined;
  return arrays;
}

/** Parses the wrapper with the cut arrays empty, then each element, and puts the elements in. */
function assemble(body: Body, arrays: CutArray[]): unknown {
  let wrapper = '';
  let from = 0;
  for (const array of arrays) {
    wrapper += body.text(from, array.open + 1);
    from = array.close;
  }
  wrapper += body.text(from, body.length);
  const root = JSON.parse(wrapper) as unknown;
  // The emptied arrays in document order: the root itself, or the root object's array members.
  const lists = Array.isArray(root)
    ? [root]
    : Object.values(root as Record<string, unknown>).filter((v): v is unknown[] => Array.isArray(v));
  // Duplicate or integer-like keys would make that order differ from the document's: parse it whole instead.
  const reordered = !Array.isArray(root) && Object.keys(root as object).some((key) => /^(0|[1-9]\d*)$/.test(key));
  if (reordered || lists.length !== arrays.length || lists.some((list) => list.length !== 0)) {
    return JSON.parse(body.text(0, body.length)) as unknown;
  }
  arrays.forEach((array, k) => {
    const list = lists[k];
    for (let e = 0; e < array.elements.length; e += 2) {
      list.push(JSON.parse(body.text(array.elements[e], array.elements[e + 1])) as unknown);
    }
  });
  return root;
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
