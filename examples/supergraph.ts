import { startAppOnEmulator, type AppOnEmulator } from '../dev/embedded';
import { createLogger } from '../src/observability/logger';
import { fetchPermitSeed, buildPermits } from './parking-permits/permits';
import { startParkingPermitsSubgraph, type RunningSubgraph } from './parking-permits/server';
import { composeSupergraph, type SubgraphSource } from './supergraph/compose';
import { startGateway, type RunningGateway } from './supergraph/gateway';

/**
 * `npm run supergraph`: a local supergraph for frontend developers, one command, no credentials, no rover.
 *   emulator (4010) ← kjoretoy subgraph (4001) ─┐
 *                     parking-permits (4002) ───┴─ @apollo/gateway (4000, Sandbox in dev)
 * The supergraph is composed at start-up from what the running subgraphs serve at `_service { sdl }`, exactly as
 * `rover supergraph compose` would. Ctrl-C (SIGINT) or SIGTERM stops everything gracefully.
 */

const env = process.env;
const GATEWAY_PORT = Number(env.SUPERGRAPH_GATEWAY_PORT ?? 4000);
const PARKING_PORT = Number(env.PARKING_PERMITS_PORT ?? 4002);
const PERMITS = 60;

const logger = createLogger({ name: 'supergraph', level: env.LOG_LEVEL });

async function fetchServedSdl(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
  });
  const body = (await res.json()) as { data?: { _service?: { sdl?: string } } };
  const sdl = body.data?._service?.sdl;
  if (!res.ok || !sdl) throw new Error(`${url} did not serve _service { sdl } (HTTP ${res.status})`);
  return sdl;
}

/** The address a developer types: the wildcard bind addresses are reachable as localhost. */
function browsable(url: string): string {
  return url
    .replace('//0.0.0.0:', '//localhost:')
    .replace('//[::]:', '//localhost:')
    .replace('//127.0.0.1:', '//localhost:');
}

/**
 * Runs `start` and removes the SIGINT/SIGTERM listeners it added. Apollo Server installs its own (it stops that one
 * server and re-raises the signal) unless `stopOnTerminationSignals: false`; here this script owns shutdown order
 * (gateway first), and a second, concurrent `stop()` of the same Apollo server never settles (@apollo/server 5.5.1).
 */
async function ownSignals<T>(start: () => Promise<T>): Promise<T> {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  try {
    return await start();
  } finally {
    for (const s of signals) {
      for (const listener of process.listeners(s))
        if (!before.get(s)!.has(listener)) process.removeListener(s, listener);
    }
  }
}

async function main(): Promise<void> {
  let app: AppOnEmulator | undefined;
  let parking: RunningSubgraph | undefined;
  let gateway: RunningGateway | undefined;
  let stopping = false;

  const stop = async (reason: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'supergraph stopping: the gateway first, then the subgraphs (in-flight requests finish)');
    // Front to back, so no request reaches a subgraph that is already gone.
    for (const [name, close] of [
      ['gateway', () => gateway?.close()],
      ['parking-permits', () => parking?.close()],
      ['kjoretoy + emulator', () => app?.close()],
    ] as const) {
      await Promise.resolve(close()).catch((e: unknown) =>
        logger.error({ part: name, err: { message: String(e) } }, 'stop failed'),
      );
    }
    logger.info('supergraph stopped');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  try {
    app = await ownSignals(() => startAppOnEmulator({ logger }));
    const routerSecret = app.config.routerSecret;

    const seed = await fetchPermitSeed(app.emulator.url, PERMITS);
    parking = await startParkingPermitsSubgraph({
      permits: buildPermits(seed),
      port: PARKING_PORT,
      host: app.config.host,
      logger: logger.child({ subgraph: 'parking-permits' }),
    });

    const subgraphs: SubgraphSource[] = [
      {
        name: 'kjoretoy',
        url: app.server.url,
        sdl: await fetchServedSdl(app.server.url, routerSecret ? { 'router-authorization': routerSecret } : {}),
      },
      { name: parking.name, url: parking.url, sdl: await fetchServedSdl(parking.url) },
    ];
    const composed = composeSupergraph(subgraphs);
    for (const hint of composed.unacceptedHints) {
      logger.warn({ code: hint.definition.code }, `composition hint: ${hint.message}`);
    }

    gateway = await startGateway({
      supergraphSdl: composed.supergraphSdl,
      port: GATEWAY_PORT,
      host: app.config.host,
      logger: logger.child({ component: 'gateway' }),
      routerSecret,
    });

    const gatewayUrl = browsable(gateway.url);
    logger.info(
      { url: gatewayUrl },
      `SUPERGRAPH READY: gateway at ${gatewayUrl} (open it in a browser for Apollo Sandbox)`,
    );
    logger.info(
      { kjoretoy: browsable(app.server.url), parkingPermits: browsable(parking.url), emulator: app.emulator.url },
      'subgraphs',
    );
    logger.info(
      `offline (Sandbox needs Apollo's CDN): curl -s ${gatewayUrl} -H 'content-type: application/json' ` +
        `-d '{"query":"{ parkingPermits(first: 3) { id zone vehicle { kjennemerke technical { make commercialName } } } }"}'`,
    );
    logger.info('Ctrl-C stops the gateway, both subgraphs and the emulator');
  } catch (e) {
    logger.fatal({ err: { message: e instanceof Error ? e.message : String(e) } }, 'supergraph failed to start');
    await stop('start-up failed', 1);
  }
}

void main();
