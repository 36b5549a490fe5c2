import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Request } from 'express';
import { GraphQLError } from 'graphql';
import { SignJWT } from 'jose';
import { ConfigError } from '../../../src/config';
import { createAuthenticator, scopesOf, subjectOf } from '../../../src/security/auth';
import { DEV_CALLER, hasScopes, SCOPES, type Caller } from '../../../src/security/caller';
import { DEV_AUDIENCE, DEV_ISSUER, generateDevKey, jwksOf, mintToken, type DevKey } from '../../../dev/mint-token';

function requestWith(authorization?: string): Request {
  return {
    header: (name: string) => (name.toLowerCase() === 'authorization' ? authorization : undefined),
  } as unknown as Request;
}

async function rejection(promise: Promise<unknown>): Promise<GraphQLError> {
  try {
    await promise;
  } catch (e) {
    return e as GraphQLError;
  }
  throw new Error('expected a rejection');
}

describe('caller authentication (jose, JWKS file, issuer, audience)', () => {
  let dir: string;
  let key: DevKey;
  let otherKey: DevKey;
  let authenticate: ReturnType<typeof createAuthenticator>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'auth-test-'));
    [key, otherKey] = await Promise.all([generateDevKey(), generateDevKey()]);
    const jwksFile = join(dir, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify(jwksOf(key)));
    authenticate = createAuthenticator({ jwksFile, issuer: DEV_ISSUER, audience: DEV_AUDIENCE });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a valid token gives an authenticated caller with the scopes of its `scope` claim', async () => {
    const token = await mintToken(key, { scope: 'vehicles:read owners:read', subject: 'case-system' });
    const caller = await authenticate(requestWith(`Bearer ${token}`));
    expect(caller).toMatchObject({ authenticated: true, devMode: false, subject: 'case-system' });
    expect([...caller.scopes].sort()).toEqual(['owners:read', 'vehicles:read']);
    expect(hasScopes(caller, [[SCOPES.ownersRead]])).toBe(true);
    expect(hasScopes(caller, [[SCOPES.ownersFnr]])).toBe(false);
  });

  it('no Authorization header is an anonymous caller (fields needing a scope then say UNAUTHENTICATED)', async () => {
    const caller = await authenticate(requestWith(undefined));
    expect(caller).toMatchObject({ authenticated: false, devMode: false });
    expect(caller.scopes.size).toBe(0);
  });

  const cases: [string, (k: DevKey, other: DevKey) => Promise<string>][] = [
    [
      'bad signature (signed by another key with the same kid)',
      async (k, other) => mintToken({ ...other, kid: k.kid }, { scope: 'vehicles:read' }),
    ],
    ['a key the JWKS does not hold', async (_k, other) => mintToken(other, { scope: 'vehicles:read' })],
    [
      'expired',
      async (k) =>
        mintToken(k, { scope: 'vehicles:read', now: Math.floor(Date.now() / 1000) - 7200, ttlSeconds: 3600 }),
    ],
    ['wrong audience', async (k) => mintToken(k, { scope: 'vehicles:read', audience: 'another-api' })],
    ['wrong issuer', async (k) => mintToken(k, { scope: 'vehicles:read', issuer: 'https://evil.example/' })],
    [
      'no exp claim',
      async (k) =>
        new SignJWT({ scope: 'vehicles:read' })
          .setProtectedHeader({ alg: 'RS256', kid: k.kid })
          .setIssuer(DEV_ISSUER)
          .setAudience(DEV_AUDIENCE)
          .setIssuedAt()
          .sign(k.privateKey),
    ],
    [
      'HS256 (algorithm confusion with the public key as an HMAC secret)',
      async (k) =>
        new SignJWT({ scope: 'vehicles:read' })
          .setProtectedHeader({ alg: 'HS256', kid: k.kid })
          .setIssuer(DEV_ISSUER)
          .setAudience(DEV_AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(JSON.stringify(k.publicJwk))),
    ],
    [
      'alg none',
      async () =>
        `${b64({ alg: 'none' })}.${b64({ iss: DEV_ISSUER, aud: DEV_AUDIENCE, exp: 9999999999, scope: 'owners:fnr' })}.`,
    ],
    ['not a JWT', async () => 'not-a-jwt'],
  ];

  it.each(cases)('rejects the request with 401 UNAUTHENTICATED: %s', async (_name, make) => {
    const token = await make(key, otherKey);
    const error = await rejection(authenticate(requestWith(`Bearer ${token}`)));
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.extensions).toMatchObject({ code: 'UNAUTHENTICATED', http: { status: 401 } });
    // One generic message whatever failed: no oracle for which check a forged token passed.
    expect(error.message).toBe('Invalid or expired token');
  });

  it('rejects an Authorization header that is not "Bearer <token>" with 401', async () => {
    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b']) {
      const error = await rejection(authenticate(requestWith(header)));
      expect(error.extensions).toMatchObject({ code: 'UNAUTHENTICATED', http: { status: 401 } });
    }
  });

  it('accepts a token within the 30 s clock tolerance', async () => {
    const token = await mintToken(key, {
      scope: 'vehicles:read',
      now: Math.floor(Date.now() / 1000) - 3610,
      ttlSeconds: 3600,
    });
    await expect(authenticate(requestWith(`Bearer ${token}`))).resolves.toMatchObject({ authenticated: true });
  });

  it('dev mode (no auth configured) grants every scope', async () => {
    const dev = createAuthenticator(undefined);
    const caller = await dev(requestWith(undefined));
    expect(caller).toBe(DEV_CALLER);
    expect(hasScopes(caller, [[SCOPES.ownersFnr, SCOPES.preRegistrationWrite]])).toBe(true);
  });

  it('an unreadable AUTH_JWKS_FILE stops start-up naming the variable', () => {
    expect(() => createAuthenticator({ jwksFile: join(dir, 'missing.json'), issuer: 'x', audience: 'y' })).toThrow(
      ConfigError,
    );
    expect(() => createAuthenticator({ jwksFile: join(dir, 'missing.json'), issuer: 'x', audience: 'y' })).toThrow(
      /AUTH_JWKS_FILE/,
    );
  });
});

describe('scopesOf / subjectOf / hasScopes', () => {
  it('reads `scope` (space-separated) or `scp` (list or string)', () => {
    expect([...scopesOf({ scope: ' vehicles:read  owners:read ' })]).toEqual(['vehicles:read', 'owners:read']);
    expect([...scopesOf({ scp: ['owners:fnr', 42, ''] })]).toEqual(['owners:fnr']);
    expect([...scopesOf({ scp: 'preregistration:write' })]).toEqual(['preregistration:write']);
    expect(scopesOf({}).size).toBe(0);
  });

  it('logs a client id, never a subject that holds a fødselsnummer', () => {
    expect(subjectOf({ client_id: 'case-system', sub: '01018012345' })).toBe('case-system');
    expect(subjectOf({ azp: 'sandbox' })).toBe('sandbox');
    expect(subjectOf({ sub: '01018012345' })).toBeUndefined();
    expect(subjectOf({ sub: 'user:01018012345' })).toBeUndefined();
    expect(subjectOf({})).toBeUndefined();
  });

  it('@requiresScopes semantics: OR over the outer list, AND within an inner list', () => {
    const caller: Caller = { authenticated: true, devMode: false, scopes: new Set(['vehicles:read']) };
    expect(hasScopes(caller, [['vehicles:read', 'owners:read']])).toBe(false);
    expect(hasScopes(caller, [['owners:read'], ['vehicles:read']])).toBe(true);
    expect(hasScopes(caller, [['vehicles:read']])).toBe(true);
  });
});

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
