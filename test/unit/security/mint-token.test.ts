import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Request } from 'express';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { spawnSync } from 'node:child_process';
import { createAuthenticator } from '../../../src/security/auth';
import { DEV_AUDIENCE, DEV_ISSUER, parseArgs, runCli, UsageError } from '../../../dev/mint-token';
import { repoSandbox } from '../../helpers/npm-script';

function sink() {
  let text = '';
  return {
    write: (s: string) => (text += s),
    get text() {
      return text;
    },
  };
}

describe('mint-token CLI', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'mint-token-'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  it('first use: makes a dev key pair in .dev-auth/, prints only the token on stdout and the env to set on stderr', async () => {
    const out = sink();
    const err = sink();
    expect(
      await runCli(['--scope', 'vehicles:read owners:read', '--ttl', '600', '--sub', 'my-client'], out, err, cwd),
    ).toBe(0);

    const token = out.text.trim();
    expect(token.split('.')).toHaveLength(3);
    expect(out.text).toBe(`${token}\n`);
    expect(err.text).toContain(
      'AUTH_JWKS_FILE=.dev-auth/jwks.json AUTH_ISSUER=kjoretoy-dev AUTH_AUDIENCE=kjoretoy-subgraph',
    );
    expect(err.text).toContain('generated a dev key pair');

    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: DEV_ISSUER,
      aud: DEV_AUDIENCE,
      sub: 'my-client',
      client_id: 'my-client',
      scope: 'vehicles:read owners:read',
    });
    expect(claims.exp! - claims.iat!).toBe(600);
    expect(typeof claims.jti).toBe('string');

    // The private key is the owner's alone; jwks.json holds the public key only.
    const keyFile = join(cwd, '.dev-auth', 'private-key.pem');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const jwks = JSON.parse(readFileSync(join(cwd, '.dev-auth', 'jwks.json'), 'utf8'));
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: decodeProtectedHeader(token).kid });
    expect(jwks.keys[0].d).toBeUndefined();

    // The subgraph, configured as the CLI says, accepts it with those scopes.
    const authenticate = createAuthenticator({
      jwksFile: join(cwd, '.dev-auth', 'jwks.json'),
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
    });
    const caller = await authenticate({ header: () => `Bearer ${token}` } as unknown as Request);
    expect([...caller.scopes]).toEqual(['vehicles:read', 'owners:read']);
  });

  it('later uses reuse the same key (same kid), so running subgraphs keep accepting new tokens', async () => {
    const first = sink();
    const second = sink();
    const err = sink();
    await runCli(['--scope', 'vehicles:read'], first, err, cwd);
    await runCli(['--scope=owners:fnr'], second, err, cwd);
    expect(decodeProtectedHeader(second.text.trim()).kid).toBe(decodeProtectedHeader(first.text.trim()).kid);
    expect(existsSync(join(cwd, '.dev-auth', 'jwks.json'))).toBe(true);
  });

  it('warns on a scope the subgraph does not know, and refuses bad arguments with exit code 2', async () => {
    const err = sink();
    expect(await runCli(['--scope', 'vehicles:read owners:write'], sink(), err, cwd)).toBe(0);
    expect(err.text).toContain('not a scope this subgraph knows: owners:write');

    for (const argv of [
      [],
      ['--scope'],
      ['--scope', 'x', '--ttl', '0'],
      ['--scope', 'x', '--ttl', '1.5'],
      ['--scope', 'x', '--bogus'],
    ]) {
      const e = sink();
      expect(await runCli(argv, sink(), e, cwd)).toBe(2);
      expect(e.text).toContain('Usage:');
    }
  });

  it('parseArgs reads defaults and normalises the scope list', () => {
    expect(parseArgs(['--scope', '  vehicles:read   owners:read '])).toMatchObject({
      scope: 'vehicles:read owners:read',
      ttlSeconds: 3600,
      subject: 'dev-client',
      dir: '.dev-auth',
    });
    expect(() => parseArgs(['--scope', 'x', '--sub', 'has space'])).toThrow(UsageError);
  });

  it('TOKEN=$(npm run -s token:mint -- --scope "vehicles:read") holds exactly one JWT, valid for the dev JWKS', async () => {
    const dir = repoSandbox();
    try {
      const run = spawnSync(
        'bash',
        ['-c', 'TOKEN=$(npm run -s token:mint -- --scope "vehicles:read") && printf "%s" "$TOKEN"'],
        { cwd: dir, encoding: 'utf8' },
      );
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(run.stderr).toContain('AUTH_JWKS_FILE=.dev-auth/jwks.json');
      const authenticate = createAuthenticator({
        jwksFile: join(dir, '.dev-auth', 'jwks.json'),
        issuer: DEV_ISSUER,
        audience: DEV_AUDIENCE,
      });
      const caller = await authenticate({ header: () => `Bearer ${run.stdout}` } as unknown as Request);
      expect([...caller.scopes]).toEqual(['vehicles:read']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
