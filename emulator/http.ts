import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';

/** What a route handler sees: the request with its body already read (or marked too large). */
export interface EmulatorRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  /** Path parameters, already URI-decoded. */
  params: Record<string, string>;
  body: Buffer;
  bodyTooLarge: boolean;
}

/**
 * A handler's answer. `body`: undefined = empty, string = text/plain, anything else = JSON.
 * `contentType` overrides the default.
 */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  contentType?: string;
}

export type Handler = (req: EmulatorRequest) => Reply | Promise<Reply>;

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, body, headers };
}

export function header(req: EmulatorRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Parses a JSON body; undefined when it is not JSON. */
export function parseJsonBody(req: EmulatorRequest): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(req.body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

/** Fiks's own error body (docs/upstreams.md §1): `{timestamp, status, error, errorId, path, message}`. */
export function fiksError(status: number, path: string, message: string): Reply {
  return json(status, {
    timestamp: Date.now(),
    status,
    error: STATUS_CODES[status] ?? 'Error',
    errorId: randomUUID(),
    path,
    message,
  });
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
