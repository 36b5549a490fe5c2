import { randomBytes, randomUUID } from 'node:crypto';
import {
  EMULATOR_FIKS_ORG_ID,
  generateDevClient,
  parseEmulatorEnv,
  startEmulator,
  type EmulatorHandle,
  type EmulatorOptions,
} from '../emulator';
import { startApp, type App, type AppOptions } from '../src/app';
import type { Logger } from '../src/observability/logger';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded-database';

export interface EmbeddedOptions extends AppOptions {
  /** Extra emulator options (tests: faults, wrapper, quota...). */
  emulator?: Partial<EmulatorOptions>;
  /** Overrides EMULATOR_PORT (0 = any free port). */
  emulatorPort?: number;
}

export interface AppOnEmulator extends App {
  emulator: EmulatorHandle;
}

/**
 * Runs `start` with the ledger's database: DATABASE_URL when set, else the embedded PGlite in LEDGER_DATA_DIR
 * (default `.data/ledger`), which then closes with the app.
 */
export async function withLedgerDatabase<T extends App>(
  options: { env: NodeJS.ProcessEnv; logger?: Logger; databaseUrl?: string },
  start: (databaseUrl: string | undefined) => Promise<T>,
): Promise<T> {
  const { env, logger } = options;
  if (options.databaseUrl || env.DATABASE_URL) return start(options.databaseUrl);
  const database: EmbeddedDatabase = await startEmbeddedDatabase({ dataDir: env.LEDGER_DATA_DIR, logger });
  let app: T;
  try {
    app = await start(database.url);
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    ...app,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

/**
 * The development stack: the upstream emulator (Fiks, SVV eCoC, Maskinporten; synthetic data) and the subgraph
 * wired to it over real sockets, with a Maskinporten client key and Fiks integration password made fresh at every
 * start. `npm start`, tests and the supergraph example use it; the product (`src/`) never loads the emulator.
 */
export async function startAppOnEmulator(options: EmbeddedOptions = {}): Promise<AppOnEmulator> {
  const { emulator: emulatorOptions, emulatorPort, ...appOptions } = options;
  const env = options.env ?? process.env;
  const emulatorEnv = parseEmulatorEnv(env);
  const client = await generateDevClient();
  const integration = {
    id: env.FIKS_INTEGRATION_ID || randomUUID(),
    password: env.FIKS_INTEGRATION_PASSWORD || randomBytes(24).toString('base64url'),
  };
  const emulator = await startEmulator({
    port: emulatorPort ?? emulatorEnv.EMULATOR_PORT,
    host: emulatorEnv.EMULATOR_HOST,
    seed: emulatorEnv.EMULATOR_SEED,
    vehicles: emulatorEnv.EMULATOR_VEHICLES,
    latencyMs: emulatorEnv.EMULATOR_LATENCY_MS,
    searchFodselsnummer: emulatorEnv.EMULATOR_SEARCH_FNR,
    // The organisation the subgraph is configured for has granted the integration access, and those listed.
    fiksOrgIds: [env.FIKS_ORG_ID || EMULATOR_FIKS_ORG_ID, ...emulatorEnv.EMULATOR_FIKS_ORG_IDS],
    clients: [{ clientId: client.clientId, publicKeyPem: client.publicKeyPem, kid: client.kid }],
    integrations: [integration],
    logger: appOptions.logger?.child({ component: 'emulator' }),
    ...emulatorOptions,
  });
  let app: App;
  try {
    app = await withLedgerDatabase(
      { env, logger: appOptions.logger, databaseUrl: appOptions.databaseUrl },
      (databaseUrl) =>
        startApp({
          ...appOptions,
          databaseUrl,
          syntheticUpstreams: {
            fiks: {
              baseUrl: emulator.fiksBaseUrl,
              orgId: env.FIKS_ORG_ID || EMULATOR_FIKS_ORG_ID,
              integrationId: integration.id,
              integrationPassword: integration.password,
            },
            ecocBaseUrl: emulator.ecocBaseUrl,
            maskinporten: {
              tokenUrl: emulator.tokenUrl,
              audience: emulator.issuer,
              clientId: client.clientId,
              privateKeyPem: client.privateKeyPem,
              kid: client.kid,
            },
          },
        }),
    );
  } catch (error) {
    // A subgraph that fails to start must not leave the emulator holding its port.
    await emulator.close();
    throw error;
  }
  app.logger.warn(
    { emulator: emulator.url },
    'SYNTHETIC DATA: the subgraph runs on the upstream emulator (Fiks, eCoC and Maskinporten)',
  );
  return {
    ...app,
    emulator,
    close: async () => {
      await app.close();
      await emulator.close();
    },
  };
}
