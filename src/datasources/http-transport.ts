import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, type InputType, type ZlibOptions } from 'node:zlib';
import { Pool, errors, type Dispatcher } from 'undici';
import { decodeChunks, parseJsonChunks } from './json-body';

/**
 * The one HTTP stack for every upstream call (Fiks, eCoC and Maskinporten): an undici `Pool` per upstream origin
 * with keep-alive sockets, per-attempt timeouts as undici's `headersTimeout`/`bodyTimeout`, a response size limit
 * and decompression, and JSON read straight from the chunks the socket delivered. Policies (deadline, retries, breaker)
 * sit above it.
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
  headers: ResponseHeaders;
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
   * One exchange. Redirects are not followed (a dispatch never does): they could carry the bearer token and the
   * integration password elsewhere. Rejects with undici's or Node's error on transport failures.
   */
  async send(req: HttpTransportRequest): Promise<HttpTransportResponse> {
    let headers = req.headers ? this.staticHeaders.concat(req.headers) : this.staticHeaders;
    if (req.body !== undefined) headers = headers.concat('content-type', req.contentType ?? 'application/json');
    // Not even a connection for a call whose deadline has passed.
    if (req.signal?.aborted) throw req.signal.reason ?? new errors.RequestAbortedError();
    const received = await new Promise<ReceivedResponse>((resolve, reject) => {
      this.pool.dispatch(
        { method: req.method, path: this.basePath + req.path, headers, body: req.body },
        new ResponseCollector(resolve, reject, req.signal),
      );
    });
    const data = await this.readBody(received);
    return { status: received.status, headers: received.headers, data };
  }

  /** Destroys the keep-alive sockets. */
  close(): void {
    void this.pool.destroy().catch(() => undefined);
  }

  private async readBody({ status, headers, chunks }: ReceivedResponse): Promise<unknown> {
    if (status === 204 || status === 304) return undefined;
    const coding = headers['content-encoding'];
    if (coding === undefined || coding === 'identity') return parseLenient(chunks);
    const decompress = typeof coding === 'string' ? DECOMPRESSORS[coding.trim().toLowerCase()] : undefined;
    if (!decompress) throw Object.assign(new Error('unsupported content-encoding'), { code: UNREADABLE_BODY });
    let inflated: Buffer;
    try {
      // Off the event loop (zlib's thread pool), and refused beyond the limit rather than inflated without end.
      inflated = await decompress(Buffer.concat(chunks), { maxOutputLength: this.maxResponseBytes });
    } catch {
      throw Object.assign(new Error('compressed body unreadable or too large'), { code: UNREADABLE_BODY });
    }
    return parseLenient([inflated]);
  }
}

interface ReceivedResponse {
  status: number;
  headers: ResponseHeaders;
  /** The body as received (the pool's maxResponseSize bounds their total). */
  chunks: Buffer[];
}

/**
 * Collects one response for `Pool.dispatch`, undici's own handler interface. Cheaper per call than `Pool.request`,
 * which wraps every answer in a Readable stream and an AsyncResource that a body read whole does not need; abort
 * handling is the same as `request`'s: the signal's reason aborts the exchange, before or after it started.
 */
class ResponseCollector implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private headers: ResponseHeaders = {};
  private readonly chunks: Buffer[] = [];
  private settled = false;
  private readonly onAbort: (() => void) | undefined;

  constructor(
    private readonly resolve: (response: ReceivedResponse) => void,
    private readonly reject: (error: Error) => void,
    private readonly signal: AbortSignal | undefined,
  ) {
    if (signal) {
      this.onAbort = () => this.abort();
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.signal?.aborted) this.abort();
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: ResponseHeaders): void {
    this.status = status;
    this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  /** Only after the final answer (a 1xx calls onResponseStart, then the final status replaces it). */
  onResponseEnd(): void {
    this.settle();
    this.resolve({ status: this.status, headers: this.headers, chunks: this.chunks });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.settle();
    this.reject(error);
  }

  private abort(): void {
    const reason = (this.signal?.reason as Error | undefined) ?? new errors.RequestAbortedError();
    // Before the request starts, it is aborted when it does (onRequestStart); afterwards undici reports the abort
    // through onResponseError.
    if (this.controller && !this.settled) this.controller.abort(reason);
  }

  private settle(): void {
    this.settled = true;
    if (this.onAbort) this.signal?.removeEventListener('abort', this.onAbort);
  }
}

type ResponseHeaders = Record<string, string | string[] | undefined>;

/** JSON when the body is JSON (whatever its content-type says), else the text itself; undefined when empty. */
function parseLenient(chunks: Buffer[]): unknown {
  if (chunks.every((chunk) => chunk.length === 0)) return undefined;
  try {
    return parseJsonChunks(chunks);
  } catch {
    return decodeChunks(chunks);
  }
}

/** `params` as a query string (`a=x+y&b=1`), leaving out undefined values; '' when there are none. */
export function queryString(params: Record<string, string | number | boolean | undefined> | undefined): string {
  if (!params) return '';
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.append(name, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
