import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  SignJWT,
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  type JWK,
  type KeyLike,
} from 'jose';
import { SCOPES } from '../src/security/caller';

/**
 * `npm run -s token:mint -- --scope "vehicles:read owners:read" [--ttl 3600] [--sub dev-client]`
 *
 * Mints caller tokens for local use, so a developer can try the scopes against a subgraph started with
 * `AUTH_JWKS_FILE=.dev-auth/jwks.json AUTH_ISSUER=kjoretoy-dev AUTH_AUDIENCE=kjoretoy-subgraph`. The first run
 * generates an RSA key pair into `.dev-auth/` (never commit it): `private-key.pem` (mode 0600) and `jwks.json` (the
 * public key). The token goes to stdout alone, so `TOKEN=$(npm run -s token:mint -- --scope …)` works; guidance goes
 * to stderr. A dev key signs dev tokens only: production verifies against the identity provider's JWKS.
 */

export const DEV_ISSUER = 'kjoretoy-dev';
export const DEV_AUDIENCE = 'kjoretoy-subgraph';
export const DEV_AUTH_DIR = '.dev-auth';
const ALG = 'RS256';
const MAX_TTL_SECONDS = 7 * 24 * 3600;

export interface DevKey {
  kid: string;
  privateKey: KeyLike;
  /** The public half as a JWK (with `kid`, `alg`, `use`). */
  publicJwk: JWK;
}

export interface JsonWebKeySet {
  keys: JWK[];
}

/** A fresh RS256 key pair; `kid` is the RFC 7638 thumbprint of the public key. */
export async function generateDevKey(): Promise<DevKey> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { modulusLength: 2048, extractable: true });
  return devKeyFrom(privateKey, await exportJWK(publicKey));
}

async function devKeyFrom(privateKey: KeyLike, publicJwk: JWK): Promise<DevKey> {
  const { kty, n, e } = publicJwk;
  const kid = await calculateJwkThumbprint({ kty, n, e });
  return { kid, privateKey, publicJwk: { kty, n, e, kid, alg: ALG, use: 'sig' } };
}

export function jwksOf(...keys: DevKey[]): JsonWebKeySet {
  return { keys: keys.map((k) => k.publicJwk) };
}

export interface MintOptions {
  /** Space-separated scopes (the `scope` claim), e.g. "vehicles:read owners:read". */
  scope: string;
  /** Lifetime in seconds (default 3600). Negative values mint an already expired token (tests). */
  ttlSeconds?: number;
  /** `sub` and `client_id` (default dev-client). */
  subject?: string;
  issuer?: string;
  audience?: string;
  /** Seconds since the epoch; default now. */
  now?: number;
  /** Extra claims (e.g. a tenant claim). */
  claims?: Record<string, unknown>;
}

/** Signs a caller token the way an identity provider would: iss, aud, sub, client_id, scope, iat, exp, jti. */
export async function mintToken(key: DevKey, options: MintOptions): Promise<string> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const subject = options.subject ?? 'dev-client';
  return new SignJWT({ ...options.claims, scope: options.scope, client_id: subject })
    .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
    .setIssuer(options.issuer ?? DEV_ISSUER)
    .setAudience(options.audience ?? DEV_AUDIENCE)
    .setSubject(subject)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.ttlSeconds ?? 3600))
    .setJti(randomUUID())
    .sign(key.privateKey);
}

/** Loads the dev key from `dir`, or generates it (and `jwks.json`) on first use. */
export async function loadOrCreateDevKey(dir: string): Promise<{ key: DevKey; created: boolean; jwksFile: string }> {
  const keyFile = join(dir, 'private-key.pem');
  const jwksFile = join(dir, 'jwks.json');
  if (existsSync(keyFile)) {
    const privateKey = await importPKCS8(readFileSync(keyFile, 'utf8'), ALG, { extractable: true });
    const publicJwk = await exportJWK(privateKey);
    const key = await devKeyFrom(privateKey, publicJwk);
    // Rewritten every time, so a deleted or stale jwks.json heals itself.
    writeFileSync(jwksFile, `${JSON.stringify(jwksOf(key), null, 2)}\n`);
    return { key, created: false, jwksFile };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = await generateDevKey();
  writeFileSync(keyFile, await exportPKCS8(key.privateKey), { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  writeFileSync(jwksFile, `${JSON.stringify(jwksOf(key), null, 2)}\n`);
  return { key, created: true, jwksFile };
}

export interface CliArgs {
  scope: string;
  ttlSeconds: number;
  subject: string;
  dir: string;
  help: boolean;
}

export class UsageError extends Error {}

export const USAGE = `Usage: npm run -s token:mint -- --scope "<scopes>" [--ttl <seconds>] [--sub <client id>] [--dir <dir>]

Mints a caller token signed by the local dev key (${DEV_AUTH_DIR}/, created on first use).
Scopes: ${Object.values(SCOPES).join(', ')}
`;

export function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { scope: '', ttlSeconds: 3600, subject: 'dev-client', dir: DEV_AUTH_DIR, help: false };
  let scopeGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      args.help = true;
      continue;
    }
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--scope':
        args.scope = value().trim().split(/\s+/).filter(Boolean).join(' ');
        scopeGiven = true;
        break;
      case '--ttl': {
        const raw = value();
        const ttl = Number(raw);
        if (!/^\d+$/.test(raw) || ttl < 1 || ttl > MAX_TTL_SECONDS) {
          throw new UsageError(`--ttl must be a whole number of seconds, 1..${MAX_TTL_SECONDS}`);
        }
        args.ttlSeconds = ttl;
        break;
      }
      case '--sub':
        args.subject = value();
        if (!/^[A-Za-z0-9._:@-]{1,64}$/.test(args.subject))
          throw new UsageError('--sub must be 1–64 of A-Z a-z 0-9 . _ : @ -');
        break;
      case '--dir':
        args.dir = value();
        break;
      default:
        throw new UsageError(`unknown argument: ${arg}`);
    }
  }
  if (!scopeGiven && !args.help) throw new UsageError('--scope is required (use "" for a token without scopes)');
  return args;
}

/** The CLI: returns the exit code. Output goes through the given streams so tests can capture it. */
export async function runCli(
  argv: readonly string[],
  out: { write(s: string): unknown } = process.stdout,
  err: { write(s: string): unknown } = process.stderr,
  cwd = process.cwd(),
): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err.write(`mint-token: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    out.write(USAGE);
    return 0;
  }
  const known = new Set<string>(Object.values(SCOPES));
  const unknown = args.scope.split(' ').filter((s) => s && !known.has(s));
  if (unknown.length) err.write(`mint-token: warning: not a scope this subgraph knows: ${unknown.join(', ')}\n`);

  const dir = join(cwd, args.dir);
  const { key, created, jwksFile } = await loadOrCreateDevKey(dir);
  const token = await mintToken(key, { scope: args.scope, ttlSeconds: args.ttlSeconds, subject: args.subject });
  const shownJwks = relative(cwd, jwksFile) || jwksFile;
  if (created)
    err.write(`mint-token: generated a dev key pair in ${relative(cwd, dir) || dir}/ (keep it out of git)\n`);
  err.write(
    `mint-token: token for "${args.subject}" with scope "${args.scope}", valid ${args.ttlSeconds} s.\n` +
      `Start the subgraph with:\n  AUTH_JWKS_FILE=${shownJwks} AUTH_ISSUER=${DEV_ISSUER} AUTH_AUDIENCE=${DEV_AUDIENCE} npm start\n` +
      `and send:\n  Authorization: Bearer <the token on stdout>\n`,
  );
  out.write(`${token}\n`);
  return 0;
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`mint-token: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
