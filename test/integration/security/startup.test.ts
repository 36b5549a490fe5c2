import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDevClient } from '../../../emulator';
import { startApp } from '../../../src/app';
import { ConfigError } from '../../../src/config';
import { captureLogger, TEST_ROUTER_SECRET } from '../../helpers/log-scan';
import { PRODUCTION_UPSTREAMS } from '../../helpers/real-upstreams';
import { startStack, type Stack } from '../../helpers/stack';

const ROOT = join(__dirname, '..', '..', '..');

describe('start-up from the environment (dev stack with ROUTER_SECRET and CORS_ORIGINS)', () => {
  let stack: Stack;
  const log = captureLogger('info');

  beforeAll(async () => {
    stack = await startStack({
      logger: log.logger,
      env: { ROUTER_SECRET: TEST_ROUTER_SECRET, CORS_ORIGINS: 'https://app.example, https://case.example' },
    });
  });
  afterAll(() => stack?.close());

  it('dev mode (no caller auth, not production) warns at start-up, and says the data is synthetic', () => {
    const warnings = log
      .entries()
      .filter((e) => e.level === 40)
      .map((e) => e.msg as string);
    expect(warnings).toContainEqual(
      expect.stringMatching(/^DEV MODE: no caller auth configured \(AUTH_JWKS_URL \/ AUTH_JWKS_FILE\)/),
    );
    expect(warnings).toContainEqual(expect.stringMatching(/SYNTHETIC DATA/));
  });

  it('ROUTER_SECRET closes _service and _entities to direct callers (401, no upstream call); the router gets in', async () => {
    await stack.reset();
    const [plate] = (await stack.sample(1)).vehicles.map((v) => v.kjennemerke);
    const entities = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Vehicle { kjennemerke } } }';
    const reps = { r: [{ __typename: 'Vehicle', kjennemerke: plate }] };

    expect((await stack.gql('{ _service { sdl } }')).status).toBe(401);
    const direct = await stack.gql(entities, reps, { 'router-authorization': 'not-the-router-secret-at-all' });
    expect(direct.status).toBe(401);
    expect(direct.body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    expect((await stack.stats()).routes['bulk/kjennemerke'].requests).toBe(0);

    const viaRouter = await stack.gql(entities, reps, { 'router-authorization': TEST_ROUTER_SECRET });
    expect(viaRouter.status).toBe(200);
    expect(viaRouter.body.data._entities[0].kjennemerke).toBe(plate);
    expect(
      (await stack.gql('{ _service { sdl } }', undefined, { 'router-authorization': TEST_ROUTER_SECRET })).status,
    ).toBe(200);
  });

  it('CORS_ORIGINS (comma-separated) is the allow-list; Apollo Studio is added in dev', async () => {
    const allowed = async (origin: string) =>
      (
        await fetch(stack.url, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        })
      ).headers.get('access-control-allow-origin');
    expect(await allowed('https://case.example')).toBe('https://case.example');
    expect(await allowed('https://studio.apollographql.com')).toBe('https://studio.apollographql.com');
    expect(await allowed('https://evil.example')).toBeNull();
  });
});

describe('start-up refusals in production', () => {
  it.each([
    [{}, /AUTH_ISSUER/],
    [{ AUTH_ISSUER: 'https://idp.example/', AUTH_AUDIENCE: 'kjoretoy-subgraph' }, /AUTH_JWKS_URL or AUTH_JWKS_FILE/],
    [{ AUTH_JWKS_URL: 'https://idp.example/jwks.json', AUTH_ISSUER: 'https://idp.example/' }, /AUTH_AUDIENCE/],
  ])('startApp in production with auth %j rejects, naming %s', async (auth, variable) => {
    const error: unknown = await startApp({
      env: { ...PRODUCTION_UPSTREAMS, ...auth },
      port: 0,
      host: '127.0.0.1',
    }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(variable);
  });

  it('real upstreams outside production: every missing variable is named at once, then a key needs its kid or x5c', async () => {
    const refusal = async (env: Record<string, string | undefined>) => {
      const error: unknown = await startApp({ env: { ...env, PORT: '0' }, port: 0, host: '127.0.0.1' }).catch((e) => e);
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    };
    const { NODE_ENV: _production, ...upstreams } = PRODUCTION_UPSTREAMS;
    const auth = { ALLOW_NO_CALLER_AUTH: 'true', DATABASE_URL: process.env.DATABASE_URL };
    expect(await refusal({ FIKS_BASE_URL: upstreams.FIKS_BASE_URL, ...auth })).toBe(
      'FIKS_ORG_ID, FIKS_INTEGRATION_ID, FIKS_INTEGRATION_PASSWORD, ECOC_BASE_URL, MASKINPORTEN_TOKEN_URL, ' +
        'MASKINPORTEN_AUDIENCE and MASKINPORTEN_CLIENT_ID must be set when FIKS_BASE_URL is set',
    );
    const dir = mkdtempSync(join(tmpdir(), 'no-kid-'));
    try {
      const keyFile = join(dir, 'key.pem');
      writeFileSync(keyFile, (await generateDevClient()).privateKeyPem, { mode: 0o600 });
      expect(await refusal({ ...upstreams, ...auth, MASKINPORTEN_KEY_FILE: keyFile })).toMatch(
        /^MASKINPORTEN_KID \(a key registered on the Maskinporten client\) or a certificate chain/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('startApp in production without upstreams rejects naming FIKS_BASE_URL (no emulator in production)', async () => {
    await expect(startApp({ env: { NODE_ENV: 'production' }, port: 0 })).rejects.toThrow(/FIKS_BASE_URL/);
  });

  it('the real process (`src/index.ts`) exits non-zero and its log names the variable', async () => {
    // src/index.ts run under a minimal TypeScript require hook (typescript.transpileModule), as `npm start` would run it.
    const hook = `
      const ts = require('typescript'); const fs = require('fs');
      require.extensions['.ts'] = (m, file) => m._compile(ts.transpileModule(fs.readFileSync(file, 'utf8'),
        { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText, file);
      require('./src/index.ts');`;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      ...PRODUCTION_UPSTREAMS,
      AUTH_AUDIENCE: 'kjoretoy-subgraph',
      AUTH_ISSUER: 'https://idp.example/',
    };
    const child = spawn(process.execPath, ['-e', hook], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 60,
        msg: 'NODE_ENV=production requires AUTH_JWKS_URL or AUTH_JWKS_FILE to be set',
      }),
    );
    expect(stdout).not.toContain('integration-password-for-startup-test');
  }, 60000);
});
