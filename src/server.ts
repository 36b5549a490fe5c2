import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Config } from './config';
import { EXPLORER_PATH, explorerRoutes, withOfflineFallback } from './explorer';
import { graphqlOverHttpStatusPlugin } from './graphql-over-http';
import { createContextFactory, type ContextDeps, type RequestContext } from './context';
import { isUuid } from './domain/identifiers';
import { IviCheckPool } from './ivi/pool';
import type { Logger } from './observability/logger';
import type { Metrics } from './observability/metrics';
import { requestLoggingPlugin } from './observability/request-plugin';
import { buildSchema } from './schema';
import { KnownOperationTypes, LIMITS } from './security/limits';
import { formatError, maskingPlugin } from './security/masking';

export interface Readiness {
  /** This replica serves requests (false once it is shutting down). Upstream trouble never makes it false. */
  ready: boolean;
  /** An upstream is in trouble (no token, a breaker not closed): requests are served, some fields fail. */
  degraded?: boolean;
  checks: Record<string, unknown>;
}

export interface ServerDeps extends ContextDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  readiness: () => Promise<Readiness>;
  /** IVI checks off the event loop; when absent the server makes its own and stops it with itself. */
  iviPool?: IviCheckPool;
  /** Extra validation rules and plugins (operation limits). */
  validationRules?: ConstructorParameters<typeof ApolloServer<RequestContext>>[0]['validationRules'];
  plugins?: ConstructorParameters<typeof ApolloServer<RequestContext>>[0]['plugins'];
}

/**
 * The embedded Apollo Sandbox in dev; no landing page in production. With `offlineExplorer` (the URL of the
 * self-hosted explorer), a browser that cannot load the Sandbox from Apollo's CDN is sent there instead.
 */
export function landingPage(production: boolean, offlineExplorer?: string) {
  if (production) return ApolloServerPluginLandingPageDisabled();
  const sandbox = ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false });
  return offlineExplorer ? withOfflineFallback(sandbox, offlineExplorer) : sandbox;
}

/** Apollo Studio's hosted Sandbox runs in the browser at this origin; it needs CORS in dev. */
const STUDIO_ORIGIN = 'https://studio.apollographql.com';

export interface BuiltServer {
  app: express.Express;
  httpServer: http.Server;
  apollo: ApolloServer<RequestContext>;
}

/** Builds the HTTP app and the Apollo server without listening, so tests and tools can use it. */
export async function createServer(deps: ServerDeps): Promise<BuiltServer> {
  const { config, logger, metrics } = deps;
  const production = config.env === 'production';
  const explorer = !production && Boolean(config.explorer);
  const app = express();
  app.disable('x-powered-by');
  // Express hashes every response body for an ETag by default; GraphQL answers are POSTs that nobody revalidates.
  app.set('etag', false);
  const httpServer = http.createServer(app);
  const iviPool = deps.iviPool ?? new IviCheckPool();

  const apollo = new ApolloServer<RequestContext>({
    schema: buildSchema(),
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: true,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    // index.ts owns SIGTERM/SIGINT: stop accepting, finish in-flight requests, then exit.
    stopOnTerminationSignals: false,
    formatError,
    // graphql-js counts tokens while it parses and stops at the limit: a refused document is a parse failure.
    parseOptions: { maxTokens: LIMITS.maxTokens },
    validationRules: [KnownOperationTypes, ...(deps.validationRules ?? [])],
    logger: apolloLogger(logger),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // The schema has no @cacheControl hints, so the plugin would only cost: its per-field hook makes Apollo wrap
      // every resolver. Re-enable it together with the first hint (test/unit/server/cache-control.test.ts checks).
      ApolloServerPluginCacheControlDisabled(),
      landingPage(production, explorer ? EXPLORER_PATH : undefined),
      maskingPlugin(logger),
      graphqlOverHttpStatusPlugin(),
      requestLoggingPlugin(logger, metrics),
      ...(deps.iviPool ? [] : [stopsWithServer(() => iviPool.close())]),
      ...(deps.plugins ?? []),
    ],
  });
  await apollo.start();

  app.use(correlationId);
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/health/ready', async (_req, res) => {
    const readiness: Readiness = await deps.readiness().catch(() => ({ ready: false, checks: {} }));
    const status = !readiness.ready ? 'unavailable' : readiness.degraded ? 'degraded' : 'ok';
    res.status(readiness.ready ? 200 : 503).json({ status, ...readiness });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  if (explorer) app.use(EXPLORER_PATH, explorerRoutes());

  const origins = new Set([...config.corsOrigins, ...(production ? [] : [STUDIO_ORIGIN])]);
  app.use(
    '/graphql',
    cors({ origin: (origin, cb) => cb(null, !origin || origins.has(origin) ? (origin ?? false) : false) }),
    routerSecretGuard(config.routerSecret, logger),
    express.json({ limit: config.bodyLimit }),
    expressMiddleware(apollo, { context: createContextFactory({ ...deps, iviPool }) }),
  );
  app.use(errorHandler(logger));
  return { app, httpServer, apollo };
}

export interface RunningServer extends BuiltServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on `port` (0 = any free port). `close()` stops accepting and lets in-flight requests finish. */
export async function startServer(
  deps: ServerDeps,
  port = deps.config.port,
  host = deps.config.host,
): Promise<RunningServer> {
  const built = await createServer(deps);
  await new Promise<void>((resolve, reject) => {
    built.httpServer.once('error', reject);
    built.httpServer.listen(port, host, () => resolve());
  });
  const address = built.httpServer.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    ...built,
    port: actualPort,
    url: `http://${shownHost}:${actualPort}/graphql`,
    close: () => built.apollo.stop(),
  };
}

/**
 * A correlation id from outside (a router's `x-request-id`) is kept only when it is a UUID: it goes on every log line
 * of the request, so free text (a fødselsnummer, say) would be logged as is. Anything else gets a fresh one.
 */
function correlationId(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.header('x-request-id');
  const id = incoming && isUuid(incoming) ? incoming.toLowerCase() : randomUUID();
  res.locals.correlationId = id;
  res.setHeader('x-request-id', id);
  next();
}

/**
 * When ROUTER_SECRET is set, only the router (which adds the header) may call the subgraph. Compared in constant time
 * (over SHA-256 digests, so lengths do not leak either); refusals are logged without the header's value.
 */
function routerSecretGuard(secret: string | undefined, logger: Logger) {
  const expected = secret === undefined ? undefined : createHash('sha256').update(secret).digest();
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!expected) return next();
    const given = req.header('router-authorization');
    if (given !== undefined && timingSafeEqual(createHash('sha256').update(given).digest(), expected)) return next();
    logger.warn(
      { correlationId: res.locals.correlationId, status: 401, routerHeader: given === undefined ? 'missing' : 'wrong' },
      'request without the router secret refused',
    );
    res
      .status(401)
      .json({ errors: [{ message: 'Direct calls are not allowed', extensions: { code: 'UNAUTHENTICATED' } }] });
  };
}

/** Body-parser and other HTTP-level failures: a status and a short JSON message, never a stack trace. */
function errorHandler(logger: Logger) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const e = err as { status?: number; statusCode?: number; type?: string };
    const status = e.status ?? e.statusCode ?? 500;
    // The request never reached GraphQL, so this is its one log line (never the body: it may hold personal data).
    if (status >= 500) logger.error({ correlationId: res.locals.correlationId, type: e.type }, 'unhandled HTTP error');
    else logger.warn({ correlationId: res.locals.correlationId, status, type: e.type }, 'HTTP request refused');
    const message =
      status === 413
        ? 'Request body too large'
        : status === 415
          ? 'Unsupported body charset or content encoding'
          : status === 400
            ? 'Malformed request body'
            : status < 500
              ? 'Bad request'
              : 'Internal server error';
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR';
    res.status(status).json({ errors: [{ message, extensions: { code, correlationId: res.locals.correlationId } }] });
  };
}

/** Runs `stop` when Apollo stops (after the requests in flight have drained). */
function stopsWithServer(stop: () => Promise<void>): ApolloServerPlugin<RequestContext> {
  return {
    async serverWillStart() {
      return { serverWillStop: stop };
    },
  };
}

/** Apollo's logger interface on top of pino. */
export function apolloLogger(logger: Logger) {
  return {
    debug: (m: unknown) => logger.debug(String(m)),
    info: (m: unknown) => logger.info(String(m)),
    warn: (m: unknown) => logger.warn(String(m)),
    error: (m: unknown) => logger.error(String(m)),
  };
}
