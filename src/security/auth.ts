import { readFileSync } from 'node:fs';
import type { Request } from 'express';
import { GraphQLError } from 'graphql';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from '../config';
import { ConfigError } from '../config';
import { ANONYMOUS_CALLER, DEV_CALLER, type Caller } from './caller';

export type Authenticator = (req: Request) => Promise<Caller>;

/** Asymmetric algorithms only: a JWKS holds public keys, so `none` and HMAC (`HS*`) have no place here. */
export const ACCEPTED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/**
 * Verifies the caller's bearer JWT (signature against the JWKS, issuer, audience, expiry) with jose. No token means an
 * anonymous caller, who then meets UNAUTHENTICATED on every field that needs a scope; a token that fails verification
 * rejects the whole request with 401. Without auth configuration (dev mode) every caller has every scope.
 */
export function createAuthenticator(auth: AuthConfig | undefined): Authenticator {
  if (!auth) return async () => DEV_CALLER;
  const keys = jwksFor(auth);
  return async (req) => {
    const header = req.header('authorization');
    if (!header) return ANONYMOUS_CALLER;
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthenticatedRequest('Authorization header must be "Bearer <token>"');
    try {
      const { payload } = await jwtVerify(match[1], keys, {
        issuer: auth.issuer,
        audience: auth.audience,
        algorithms: ACCEPTED_ALGORITHMS,
        // A token that never expires is refused: a leaked one would work forever.
        requiredClaims: ['exp'],
        clockTolerance: 30,
      });
      return {
        authenticated: true,
        devMode: false,
        scopes: scopesOf(payload),
        subject: subjectOf(payload),
        claims: payload as Record<string, unknown>,
      };
    } catch {
      // jose's message says why (expired, bad signature, audience); the client gets one generic answer.
      throw unauthenticatedRequest('Invalid or expired token');
    }
  };
}

function jwksFor(auth: AuthConfig): JWTVerifyGetKey {
  if (auth.jwksUrl)
    return createRemoteJWKSet(new URL(auth.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30000 });
  try {
    return createLocalJWKSet(JSON.parse(readFileSync(auth.jwksFile!, 'utf8')));
  } catch {
    throw new ConfigError(`AUTH_JWKS_FILE: cannot read a JWKS from ${auth.jwksFile}`);
  }
}

/** `scope` (space-separated, RFC 8693) or `scp` (a list or a string), as identity providers differ. */
export function scopesOf(payload: Record<string, unknown>): Set<string> {
  const raw = payload.scope ?? payload.scp;
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/\s+/) : [];
  return new Set(list.filter((s): s is string => typeof s === 'string' && s !== ''));
}

/**
 * The caller's client id for the request log: `client_id`, `azp` or `sub`. Some identity providers put a person's
 * fødselsnummer in `sub` (ID-porten's `pid`, older setups' `sub`), so anything holding 11 digits in a row is dropped.
 */
export function subjectOf(payload: Record<string, unknown>): string | undefined {
  for (const claim of ['client_id', 'azp', 'sub']) {
    const value = payload[claim];
    if (typeof value === 'string' && value !== '')
      return /\d{11}/.test(value) || value.length > 128 ? undefined : value;
  }
  return undefined;
}

function unauthenticatedRequest(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}
