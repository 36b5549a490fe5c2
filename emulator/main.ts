import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEmulatorEnv } from './config';
import { createEmulatorLogger, type Logger } from './logger';
import { generateDevClient } from './dev-client';
import { EMULATOR_FIKS_ORG_ID, startEmulator, type EmulatorHandle } from './server';

/**
 * `npm run emulator`: the upstream emulator alone, on EMULATOR_PORT. Generates a fresh Maskinporten client key and
 * Fiks integration password at every start and writes what a subgraph needs to `.emulator/` (git-ignored):
 * `client-key.pem` and `env`. Logs never contain the password or the key.
 */

export interface StandaloneEmulator {
  emulator: EmulatorHandle;
  /** `.emulator/env`: the variables a subgraph needs to use this emulator. */
  envFile: string;
  keyFile: string;
}

/** Starts the emulator from the environment and writes `.emulator/client-key.pem` and `.emulator/env` under `cwd`. */
export async function startStandaloneEmulator(
  options: { env?: NodeJS.ProcessEnv; cwd?: string; logger?: Logger } = {},
): Promise<StandaloneEmulator> {
  const env = parseEmulatorEnv(options.env ?? process.env);
  const logger = options.logger ?? createEmulatorLogger(env.LOG_LEVEL);
  const client = await generateDevClient();
  const integration = { id: randomUUID(), password: randomBytes(24).toString('base64url') };

  const emulator = await startEmulator({
    port: env.EMULATOR_PORT,
    host: env.EMULATOR_HOST,
    seed: env.EMULATOR_SEED,
    vehicles: env.EMULATOR_VEHICLES,
    latencyMs: env.EMULATOR_LATENCY_MS,
    searchFodselsnummer: env.EMULATOR_SEARCH_FNR,
    fiksOrgIds: [EMULATOR_FIKS_ORG_ID, ...env.EMULATOR_FIKS_ORG_IDS],
    clients: [{ clientId: client.clientId, publicKeyPem: client.publicKeyPem, kid: client.kid }],
    integrations: [integration],
    // Longer than the contract's default: a developer's subgraph then fetches fewer grants.
    tokenTtlSeconds: 600,
    logger,
  });

  const dir = resolve(options.cwd ?? process.cwd(), '.emulator');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyFile = resolve(dir, 'client-key.pem');
  const envFile = resolve(dir, 'env');
  writeSecret(keyFile, client.privateKeyPem);
  writeSecret(
    envFile,
    [
      '# Written by `npm run emulator`: points a subgraph at the local upstream emulator. SYNTHETIC DATA ONLY.',
      '# Credentials are regenerated at every emulator start.',
      `FIKS_BASE_URL=${emulator.fiksBaseUrl}`,
      `FIKS_ORG_ID=${EMULATOR_FIKS_ORG_ID}`,
      `FIKS_INTEGRATION_ID=${integration.id}`,
      `FIKS_INTEGRATION_PASSWORD=${integration.password}`,
      `ECOC_BASE_URL=${emulator.ecocBaseUrl}`,
      `MASKINPORTEN_TOKEN_URL=${emulator.tokenUrl}`,
      `MASKINPORTEN_AUDIENCE=${emulator.issuer}`,
      `MASKINPORTEN_CLIENT_ID=${client.clientId}`,
      `MASKINPORTEN_KID=${client.kid}`,
      `MASKINPORTEN_KEY_FILE=${keyFile}`,
      '',
    ].join('\n'),
  );
  logger.info(
    { url: emulator.url, envFile, admin: `${emulator.url}/__emulator/stats` },
    'SYNTHETIC DATA ONLY: emulator of Fiks Kjøretøyregister, Maskinporten and SVV eCoC is running; source the env file to point a subgraph at it',
  );
  return { emulator, envFile, keyFile };
}

async function main(): Promise<void> {
  const logger = createEmulatorLogger();
  const { emulator } = await startStandaloneEmulator({ logger });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'emulator stopping');
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** Owner-only file (it holds a key or a password). */
function writeSecret(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    const logger = createEmulatorLogger();
    logger.fatal(
      { err: error instanceof Error ? { name: error.name, message: error.message } : 'unknown' },
      'emulator failed to start',
    );
    process.exit(1);
  });
}
