import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, importPKCS8 } from 'jose';
import { startStandaloneEmulator, type StandaloneEmulator } from '../../../emulator/main';
import { createLogger } from '../../../src/observability/logger';

/** `npm run emulator`: the env file it writes is enough for a client to get a token and call Fiks. */

let dir: string;
let standalone: StandaloneEmulator;
const logLines: string[] = [];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'emulator-'));
  const logger = createLogger({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  standalone = await startStandaloneEmulator({
    env: { EMULATOR_PORT: '0', EMULATOR_VEHICLES: '50' },
    cwd: dir,
    logger,
  });
});
afterAll(async () => {
  await standalone.emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

function readEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(standalone.envFile, 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2];
  }
  return env;
}

it('writes owner-only files with every variable a subgraph needs', () => {
  expect(standalone.envFile).toBe(join(dir, '.emulator', 'env'));
  expect(statSync(standalone.envFile).mode & 0o777).toBe(0o600);
  expect(statSync(standalone.keyFile).mode & 0o777).toBe(0o600);
  expect(Object.keys(readEnv()).sort()).toEqual(
    [
      'ECOC_BASE_URL',
      'FIKS_BASE_URL',
      'FIKS_INTEGRATION_ID',
      'FIKS_INTEGRATION_PASSWORD',
      'FIKS_ORG_ID',
      'MASKINPORTEN_AUDIENCE',
      'MASKINPORTEN_CLIENT_ID',
      'MASKINPORTEN_KEY_FILE',
      'MASKINPORTEN_KID',
      'MASKINPORTEN_TOKEN_URL',
    ].sort(),
  );
});

it('the written credentials get a token and a Fiks answer', async () => {
  const env = readEnv();
  const key = await importPKCS8(readFileSync(env.MASKINPORTEN_KEY_FILE, 'utf8'), 'RS256');
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({ scope: 'ks:fiks' })
    .setProtectedHeader({ alg: 'RS256', kid: env.MASKINPORTEN_KID })
    .setIssuer(env.MASKINPORTEN_CLIENT_ID)
    .setAudience(env.MASKINPORTEN_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .setJti(randomUUID())
    .sign(key);
  const tokenRes = await fetch(env.MASKINPORTEN_TOKEN_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
  });
  expect(tokenRes.status).toBe(200);
  const { access_token } = (await tokenRes.json()) as { access_token: string };
  const res = await fetch(`${env.FIKS_BASE_URL}/${env.FIKS_ORG_ID}/rest/distribusjon/kjoretoy/v2.0/bulk/kjennemerke`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      Authorization: `Bearer ${access_token}`,
      IntegrasjonId: env.FIKS_INTEGRATION_ID,
      IntegrasjonPassord: env.FIKS_INTEGRATION_PASSWORD,
    },
    body: JSON.stringify([{ kjennemerke: 'AB12345' }]),
  });
  expect(res.status).toBe(200);

  // Logs say the data is synthetic and where the env file is, and never carry secrets.
  const log = logLines.join('');
  expect(log).toMatch(/SYNTHETIC DATA ONLY/);
  expect(log).toContain(standalone.envFile);
  expect(log).not.toContain(env.FIKS_INTEGRATION_PASSWORD);
  expect(log).not.toContain(access_token);
  expect(log).not.toContain('PRIVATE KEY');
  expect(log).toMatch(/"route":"bulk\/kjennemerke","status":200/);
});
