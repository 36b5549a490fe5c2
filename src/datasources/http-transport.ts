import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, type InputType, type ZlibOptions } from 'node:zlib';
import { Pool, type Dispatcher } from 'undici';
import { decodeChunks, parseJsonChunks, SPLIT_ABOVE_BYTES } from './json-body';

/**
 * The one HTTP stack for every upstream call (Fiks, eCoC and Maskinporten): an undici `Pool` per upstream origin
 * with keep-alive sockets, per-attempt timeouts as undici's `headersTimeout`/`bodyTimeout`, a response size limit
 * and decompression, and JSON read straight from the pooled body. Policies (deadline, retries, breaker) sit above it.
 */

export interface HttpTransportOptions {
  /** Origin plus an optional base path, e.g. `https://api.fiks.ks.no/kjoretoyregister/api`. */
  baseURL: string;
  /** Sockets to the origin; callers size it to their own concurrency limit so nothing queues inside the pool. */
  connections: number;
  /** Time to the response headers, and the longest silence between two body chunks, of one attempt. */
  attemptTimeoutMs: number;
  /** Largest response body accepted, before and after decompression. */
  maxResponseBytes: number;
  /** Sent on every request, e.g. Accept and the Fiks integration headers. */
  headers?: Record<string, string>;
}

export interface HttpTransportRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path (and query) relative to the base URL. */
  path: string;
  /** Extra headers for this request, as name/value pairs. */
  headers?: string[];
  body?: string;
  contentType?: string;
  /** The caller's deadline: aborting it abandons the exchange. */
  signal?: AbortSignal;
}

export interface HttpTransportResponse {
  status: number;
  headers: Dispatcher.ResponseData['headers'];
  /** Parsed JSON; the text when the body is not JSON; undefined when it is empty. */
  data: unknown;
}

/** Thrown (as `code`) for a compressed body that is corrupt, in an unknown coding, or too large once decompressed. */
export const UNREADABLE_BODY = 'ERR_UPSTREAM_BODY_UNREADABLE';

/** Idle keep-alive sockets are closed before typical upstream keep-alive timeouts (5 s) to avoid reuse races. */
const KEEP_ALIVE_TIMEOUT_MS = 4000;
/** What axios advertised before, so upstreams that compress keep doing so. */
const ACCEPT_ENCODING = 'gzip, deflate, br';

type Decompress = (input: InputType, options: ZlibOptions) => Promise<Buffer>;
const DECOMPRESSORS: Record<string, Decompress> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

export class HttpTransport {
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly maxResponseBytes: number;
  /** Flat name/value list: undici takes it as is, with no per-request object to build or spread. */
  private readonly staticHeaders: string[];

  constructor(options: HttpTransportOptions) {
    const base = new URL(options.baseURL);
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.maxResponseBytes = options.maxResponseBytes;
    this.staticHeaders = ['accept', 'application/json', 'accept-encoding', ACCEPT_ENCODING];
    for (const [name, value] of Object.entries(options.headers ?? {})) this.staticHeaders.push(name, value);
    this.pool = new Pool(base.origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      connectTimeout: options.attemptTimeoutMs,
      headersTimeout: options.attemptTimeoutMs,
      bodyTimeout: options.attemptTimeoutMs,
      // Counted on the wire, so a compressed body is limited too; decompressed size is limited in readBody.
      maxResponseSize: options.maxResponseBytes,
    });
  }

  /**
   * One exchange. Redirects are not followed (undici's `request` never does): they could carry the bearer token
   * and the integration password elsewhere. Rejects with undici's or Node's error on transport failures.
   */
  async send(req: HttpTransportRequest): Promise<HttpTransportResponse> {
    let headers = req.headers ? this.staticHeaders.concat(req.headers) : this.staticHeaders;
    if (req.body !== undefined) headers = headers.concat('content-type', req.contentType ?? 'application/json');
    const response = await this.pool.request({
      method: req.method,
      path: this.basePath + req.path,
      headers,
      body: req.body,
      signal: req.signal,
    });
    const data = await this.readBody(response.statusCode, response.headers, response.body);
    return { status: response.statusCode, headers: response.headers, data };
  }

  /** Destroys the keep-alive sockets. */
  close(): void {
    void this.pool.destroy().catch(() => undefined);
  }

  private async readBody(
    status: number,
    headers: Dispatcher.ResponseData['headers'],
    body: Dispatcher.ResponseData['body'],
  ): Promise<unknown> {
    if (status === 204 || status === 304) {
      await body.dump();
      return undefined;
    }
    const coding = headers['content-encoding'];
    if (coding === undefined || coding === 'identity') {
      const length = Number(headers['content-length']);
      // Small answers (one vehicle, errors, tokens): undici decodes them in one go, without copying one chunk.
      if (length <= SPLIT_ABOVE_BYTES) return parseLenient(await body.text());
      return parseLenientChunks(await chunksOf(body));
    }
    const decompress = typeof coding === 'string' ? DECOMPRESSORS[coding.trim().toLowerCase()] : undefined;
    const raw = Buffer.concat(await chunksOf(body));
    if (!decompress) throw Object.assign(new Error('unsupported content-encoding'), { code: UNREADABLE_BODY });
    let inflated: Buffer;
    try {
      // Off the event loop (zlib's thread pool), and refused beyond the limit rather than inflated without end.
      inflated = await decompress(raw, { maxOutputLength: this.maxResponseBytes });
    } catch {
      throw Object.assign(new Error('compressed body unreadable or too large'), { code: UNREADABLE_BODY });
    }
    return parseLenientChunks([inflated]);
  }
}

/** JSON when the body is JSON (whatever its content-type says), else the text itself; undefined when empty. */
function parseLenient(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** parseLenient for a body kept as received: a large answer is never made into one string (see json-body.ts). */
function parseLenientChunks(chunks: Buffer[]): unknown {
  if (chunks.every((chunk) => chunk.length === 0)) return undefined;
  try {
    return parseJsonChunks(chunks);
  } catch {
    return decodeChunks(chunks);
  }
}

/** The body's chunks as they arrive (the pool's maxResponseSize bounds their total). */
function chunksOf(body: Dispatcher.ResponseData['body']): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.on('end', () => resolve(chunks));
    body.on('error', reject);
  });
}

/** `params` as a query string (`a=x+y&b=1`), leaving out undefined values; '' when there are none. */
export function queryString(params: Record<string, string | number | boolean | undefined> | undefined): string {
  if (!params) return '';
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.append(name, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
