import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from './logger';
import {
  adminHandler,
  configure,
  resetAll,
  statsSnapshot,
  type EmulatorConfigUpdate,
  type EmulatorStatsSnapshot,
} from './admin';
import { AuthService, type EmulatorClient, type EmulatorIntegration } from './auth';
import { Quota, grantedOrganisations, type EmulatorContext, type EmulatorSettings } from './context';
import { VehicleAnswers, serialiseJson } from './answer-cache';
import { Dataset } from './dataset';
import { createPreRegistration, deleteByIviReferanse, deleteByVin, ECOC_PREFIX } from './ecoc-routes';
import { FaultQueue, type Fault } from './faults';
import {
  bulkLookup,
  countBulkIds,
  FIKS_API_PATH,
  FIKS_PREFIX,
  searchByOrganisation,
  searchByOwnerName,
  vinLookup,
} from './fiks-routes';
import { fiksError, json, type EmulatorRequest, type Handler, type Reply } from './http';
import { Stats, type RouteName } from './stats';
import { osloDateTime } from './time';
import { tokenHandler } from './token-route';

export interface EmulatorOptions {
  /** 0 = any free port (default 0). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  seed?: number;
  vehicles?: number;
  latencyMs?: number;
  /** Maskinporten clients allowed to request grants. */
  clients: EmulatorClient[];
  /** Fiks IntegrasjonId / IntegrasjonPassord pairs. */
  integrations: EmulatorIntegration[];
  /** expires_in of issued tokens, default 120. */
  tokenTtlSeconds?: number;
  /** Ids per bulk request before 400, default 200. */
  bulkMaxIds?: number;
  /** Fiks bulk wrapper (docs/upstreams.md §3): 'A' as real answers, 'B' the v2 family's other shape. Default 'A'. */
  wrapper?: 'A' | 'B';
  /** Vehicles per day before 422 + Retry-After; default unlimited. */
  dailyQuota?: number;
  /** Fiks organisations that have granted the integrations access (Fiks Konfigurasjon); a call for any other
   *  organisation gets 403. Default: EMULATOR_FIKS_ORG_ID only. */
  fiksOrgIds?: string[];
  /** v2 search answers carry the owners' fødselsnummer, as for an integration whose roles allow it. Default false,
   *  as in the one recorded search answer (docs/upstreams.md §5). */
  searchFodselsnummer?: boolean;
  logger?: Logger;
}

export interface EmulatorHandle {
  /** http://127.0.0.1:<port> */
  url: string;
  /** `${url}/kjoretoyregister/api` (then /{fiksOrgId}/rest/distribusjon/kjoretoy/v2.0/...) */
  fiksBaseUrl: string;
  /** `${url}/ws/no/vegvesen/kjoretoy/felles/innmelding` */
  ecocBaseUrl: string;
  /** `${url}/token` */
  tokenUrl: string;
  /** `${url}/` = the `aud` a grant must carry. */
  issuer: string;
  close(): Promise<void>;
  // Additions to CONTRACTS.md, for in-process tests (the same operations as the admin API):
  /** The synthetic register itself. */
  dataset: Dataset;
  stats(): EmulatorStatsSnapshot;
  reset(): void;
  injectFaults(fault: Fault | Fault[]): void;
  configure(update: EmulatorConfigUpdate): void;
}

/** Request bodies above this are not buffered (eCoC answers 400, other routes 413). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

interface Route {
  name: RouteName | 'admin' | 'meta';
  handler: Handler;
  params: Record<string, string>;
}

type Match = Route | { error: Reply };

/** The synthetic Fiks organisation this emulator answers for by default (the embedded emulator's too). */
export const EMULATOR_FIKS_ORG_ID = '6f1c2a7e-0000-4000-8000-000000000001';

export async function startEmulator(options: EmulatorOptions): Promise<EmulatorHandle> {
  const logger = options.logger;
  const started = Date.now();
  const dataset = new Dataset({ seed: options.seed, vehicles: options.vehicles });
  const settings: EmulatorSettings = {
    wrapper: options.wrapper ?? 'A',
    bulkMaxIds: options.bulkMaxIds ?? 200,
    dailyQuota: options.dailyQuota,
    latencyMs: options.latencyMs ?? 0,
    fiksOrgIds: grantedOrganisations(options.fiksOrgIds ?? [EMULATOR_FIKS_ORG_ID]),
    searchFodselsnummer: options.searchFodselsnummer ?? false,
  };
  const stats = new Stats();
  const faults = new FaultQueue();
  const sockets = new Set<Socket>();
  const timers = new Timers();

  const server = createServer();
  // Keep-alive longer than typical client idle timeouts, so clients never reuse a socket we are closing.
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('emulator: no TCP address');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
  const issuer = `${url}/`;

  const ctx: EmulatorContext = {
    dataset,
    settings,
    quota: new Quota(),
    answers: new VehicleAnswers(dataset),
    issuer,
    auth: new AuthService(issuer, options.clients, options.integrations, options.tokenTtlSeconds ?? 120),
  };
  const deps = { ctx, stats, faults };
  const handlers = {
    token: tokenHandler(ctx),
    bulkKjennemerke: bulkLookup(ctx, 'kjennemerke'),
    bulkKuid: bulkLookup(ctx, 'kuid'),
    vin: vinLookup(ctx),
    sokEiernavn: searchByOwnerName(ctx),
    sokOrganisasjonsnummer: searchByOrganisation(ctx),
    opprette: createPreRegistration(ctx),
    sletteIvi: deleteByIviReferanse(ctx),
    sletteVin: deleteByVin(ctx),
    admin: adminHandler(deps),
    metadata: (): Reply => json(200, { issuer, token_endpoint: `${url}/token` }),
  };

  function route(method: string, pathname: string): Match {
    const allow = (
      name: Route['name'],
      wanted: string,
      handler: Handler,
      params: Record<string, string> = {},
    ): Route => ({
      name,
      params,
      handler: method === wanted ? handler : () => fiksError(405, pathname, `Metoden ${method} er ikke støttet`),
    });
    if (pathname === '/token') return allow('token', 'POST', handlers.token);
    if (pathname === '/.well-known/oauth-authorization-server') return allow('meta', 'GET', handlers.metadata);
    if (pathname.startsWith('/__emulator/')) {
      return { name: 'admin', handler: handlers.admin, params: { action: pathname.slice('/__emulator/'.length) } };
    }
    if (pathname.startsWith(FIKS_PREFIX)) {
      const rest = pathname.slice(FIKS_PREFIX.length);
      const at = rest.indexOf(FIKS_API_PATH);
      if (at > 0) {
        const fiksOrgId = decode(rest.slice(0, at));
        const tail = rest.slice(at + FIKS_API_PATH.length);
        if (fiksOrgId !== undefined) {
          const params = { fiksOrgId };
          if (tail === 'bulk/kjennemerke') return allow('bulk/kjennemerke', 'POST', handlers.bulkKjennemerke, params);
          if (tail === 'bulk/kuid') return allow('bulk/kuid', 'POST', handlers.bulkKuid, params);
          if (tail.startsWith('bulk/understellsnummer/') && tail.length > 'bulk/understellsnummer/'.length) {
            const vin = decode(tail.slice('bulk/understellsnummer/'.length));
            if (vin !== undefined) return allow('understellsnummer', 'GET', handlers.vin, { ...params, vin });
          }
          if (tail === 'sok/eiernavn') return allow('sok', 'GET', handlers.sokEiernavn, params);
          if (tail === 'sok/organisasjonsnummer') return allow('sok', 'GET', handlers.sokOrganisasjonsnummer, params);
        }
      }
      return { error: fiksError(404, pathname, 'Fant ikke ressursen') };
    }
    if (pathname.startsWith(ECOC_PREFIX)) {
      const tail = pathname.slice(ECOC_PREFIX.length);
      if (tail === 'opprette') return allow('ecoc/opprette', 'POST', handlers.opprette);
      for (const [prefix, handler, param] of [
        ['slette/ivireferanse/', handlers.sletteIvi, 'ref'],
        ['slette/understellsnummer/', handlers.sletteVin, 'vin'],
      ] as const) {
        const value = tail.startsWith(prefix) ? decode(tail.slice(prefix.length)) : undefined;
        if (value) return allow('ecoc/slette', 'DELETE', handler, { [param]: value });
      }
    }
    return { error: fiksError(404, pathname, 'Fant ikke ressursen') };
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      logger?.error(
        { err: error instanceof Error ? { name: error.name, message: error.message } : 'unknown' },
        'emulator: handler failed',
      );
      if (!res.headersSent && !res.destroyed) send(res, json(500, { message: 'Intern feil i emulatoren' }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const start = Date.now();
    const url = new URL(req.url ?? '/', 'http://emulator');
    const match = route(req.method ?? 'GET', url.pathname);
    if ('error' in match) {
      req.resume();
      send(res, match.error);
      return;
    }
    if (match.name === 'admin' || match.name === 'meta') {
      const body = await readBody(req);
      send(res, await match.handler(request(req, url, match.params, body)));
      return;
    }

    const name = match.name;
    const end = stats.begin(name);
    const orgId = /^\/kjoretoyregister\/api\/([^/]+)\//.exec(url.pathname)?.[1];
    if (orgId) stats.fiksOrgId(decodeURIComponent(orgId));
    res.on('close', () => {
      const answered = res.writableFinished;
      end(answered ? res.statusCode : undefined);
      logger?.debug(
        { route: name, status: answered ? res.statusCode : 'no answer', durationMs: Date.now() - start },
        'emulator request',
      );
    });
    const fault = faults.take(name);
    if (fault) stats.fault(name);

    if (fault?.reset === 'before-body') {
      req.socket.destroy();
      return;
    }
    const body = await readBody(req);
    if (name === 'bulk/kjennemerke' || name === 'bulk/kuid') {
      const count = body.tooLarge ? undefined : countBulkIds(body.data);
      if (count !== undefined) stats.ids(name, count);
    } else if (name === 'understellsnummer') {
      stats.ids(name, 1);
    } else if (name === 'sok') {
      stats.search({ fra: url.searchParams.get('fra'), antall: url.searchParams.get('antall') });
    }
    if (fault?.reset === 'after-body') {
      req.socket.destroy();
      return;
    }
    // A hanging request keeps its socket until the client gives up or close() destroys it.
    if (fault?.hang === true) return;
    if (fault?.hold) {
      await faults.hold(res);
      if (res.destroyed) return;
    }

    const delay = settings.latencyMs + (fault?.delayMs ?? 0);
    if (delay > 0 && !(await timers.sleep(delay))) return;
    if (res.destroyed) return;

    let reply: Reply;
    if (fault?.status !== undefined) reply = faultReply(name, fault, url.pathname);
    else if (body.tooLarge && name !== 'ecoc/opprette')
      reply = fiksError(413, url.pathname, 'Forespørselen er for stor');
    else reply = await match.handler(request(req, url, match.params, body));
    if (fault?.hang === 'after-handling') return;
    if (fault?.reset === 'after-handling') {
      req.socket.destroy();
      return;
    }
    if (fault?.slowBodyMs !== undefined) await sendSlowly(res, reply, fault.slowBodyMs, timers);
    else send(res, reply);
  }

  logger?.info(
    { url, vehicles: dataset.size, seed: dataset.seed, startupMs: Date.now() - started, synthetic: true },
    'upstream emulator listening (synthetic data only)',
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    fiksBaseUrl: `${url}/kjoretoyregister/api`,
    ecocBaseUrl: `${url}/ws/no/vegvesen/kjoretoy/felles/innmelding`,
    tokenUrl: `${url}/token`,
    issuer,
    dataset,
    stats: () => statsSnapshot(deps),
    reset: () => resetAll(deps),
    injectFaults: (fault) => {
      const added = faults.add(fault);
      if (!added.ok) throw new Error(`emulator fault: ${added.message}`);
    },
    configure: (update) => {
      const result = configure(settings, update);
      if (!result.ok) throw new Error(`emulator config: ${result.message}`);
    },
    close: () => {
      closing ??= closeServer(server, sockets, timers);
      return closing;
    },
  };
}

function request(req: IncomingMessage, url: URL, params: Record<string, string>, body: Body): EmulatorRequest {
  return {
    method: req.method ?? 'GET',
    url,
    headers: req.headers,
    params,
    body: body.data,
    bodyTooLarge: body.tooLarge,
  };
}

interface Body {
  data: Buffer;
  tooLarge: boolean;
}

/** Reads the whole body, keeping at most MAX_BODY_BYTES (the rest is drained so the connection stays usable). */
function readBody(req: IncomingMessage): Promise<Body> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    const done = () => resolve({ data: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge });
    req.on('end', done);
    // An aborted upload resolves too; the answer then goes nowhere, which is what a real server does.
    req.on('error', done);
    req.on('close', done);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  let payload: Buffer | undefined;
  let contentType = reply.contentType;
  if (reply.body === undefined || reply.status === 204) payload = undefined;
  else if (Buffer.isBuffer(reply.body)) payload = reply.body;
  else if (typeof reply.body === 'string') {
    payload = Buffer.from(reply.body, 'utf8');
    contentType ??= 'text/plain; charset=utf-8';
  } else {
    payload = serialiseJson(reply.body);
    contentType ??= 'application/json; charset=utf-8';
  }
  const headers: Record<string, string | number> = { ...reply.headers };
  if (payload) {
    headers['Content-Type'] = contentType ?? 'application/octet-stream';
    headers['Content-Length'] = payload.length;
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/** A slow body: headers and one byte now, the rest after `ms` (a client's read timeout should fire first). */
async function sendSlowly(
  res: ServerResponse,
  reply: Reply,
  ms: number,
  timers: { sleep(ms: number): Promise<boolean> },
): Promise<void> {
  const payload = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : serialiseJson(reply.body ?? '');
  res.writeHead(reply.status, {
    ...reply.headers,
    'Content-Type': reply.contentType ?? 'application/json; charset=utf-8',
    'Content-Length': payload.length,
  });
  res.write(payload.subarray(0, 1));
  if (!(await timers.sleep(ms)) || res.destroyed) return;
  res.end(payload.subarray(1));
}

/** The answer of an injected `status` fault: the given body, or a body in the route's usual error shape. */
function faultReply(name: RouteName, fault: Fault, pathname: string): Reply {
  const status = fault.status as number;
  const headers = fault.headers;
  if (fault.body !== undefined) return { status, headers, body: fault.body };
  if (name === 'token') {
    return { status, headers, body: { error: 'server_error', error_description: 'Injected fault' } };
  }
  if (name === 'ecoc/opprette' || name === 'ecoc/slette') {
    return {
      status,
      headers,
      body: {
        datoTid: osloDateTime(Date.now()),
        melding: { meldingskode: 'ECOC-FEIL', meldingstekst: 'Melding om preregistrering feilet, ukjent årsak' },
        feilmeldinger: [],
        varsler: [],
      },
    };
  }
  return { ...fiksError(status, pathname, 'Injected fault'), headers };
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Pending delays, so close() can end them at once (no AbortSignal: thousands of listeners would warn). */
class Timers {
  private pending = new Map<NodeJS.Timeout, (completed: boolean) => void>();
  private closed = false;

  /** Resolves true after `ms`, or false at once when the emulator shuts down. */
  sleep(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve(true);
      }, ms);
      this.pending.set(timer, resolve);
    });
  }

  cancelAll(): void {
    this.closed = true;
    for (const [timer, resolve] of this.pending) {
      clearTimeout(timer);
      resolve(false);
    }
    this.pending.clear();
  }
}

/** Stops listening and destroys every socket, including hanging and keep-alive ones, so close() never waits. */
function closeServer(server: Server, sockets: Set<Socket>, timers: Timers): Promise<void> {
  timers.cancelAll();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  });
}
