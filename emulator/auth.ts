import { X509Certificate, createPublicKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose';

/**
 * Maskinporten-like JWT-grant verification (docs/upstreams.md §9) and the emulator's store of issued
 * access tokens. Tokens are opaque random strings, as Maskinporten's are to a client.
 */

export interface EmulatorClient {
  clientId: string;
  publicKeyPem: string;
  kid?: string;
}

export interface EmulatorIntegration {
  id: string;
  password: string;
}

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const FIKS_SCOPE = 'ks:fiks';
export const ECOC_SCOPE = 'svv:kjoretoy/ecoc';
/** Scopes this emulator knows; others get `invalid_scope`, as a client without access would. */
export const KNOWN_SCOPES = new Set([FIKS_SCOPE, ECOC_SCOPE, 'svv:kjoretoy/ecoc.delegert']);

const ALLOWED_ALGS = new Set(['RS256', 'RS384', 'RS512']);
const ALLOWED_CLAIMS = new Set(['iss', 'aud', 'scope', 'iat', 'exp', 'jti', 'resource', 'consumer_org']);
const MAX_SKEW_SECONDS = 10;
const MAX_LIFETIME_SECONDS = 120;
/** Grants kept for the stats endpoint; a benchmark may issue many. */
const MAX_RECORDED_GRANTS = 5000;

export interface GrantRecord {
  header: { alg?: string; kid?: string; x5c?: true };
  claims: Record<string, unknown>;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export interface OAuthError {
  error: 'invalid_request' | 'invalid_grant' | 'invalid_scope' | 'unsupported_grant_type';
  error_description: string;
}

export type GrantOutcome = { ok: true; body: TokenResponse } | { ok: false; body: OAuthError };

interface IssuedToken {
  clientId: string;
  scopes: Set<string>;
  expiresAt: number;
}

export type TokenCheck =
  { ok: true; clientId: string } | { ok: false; reason: 'missing' | 'invalid' | 'expired' | 'scope' };

interface RegisteredClient {
  clientId: string;
  kid?: string;
  key: KeyObject;
  spki: Buffer;
}

export class AuthService {
  private readonly clients: RegisteredClient[];
  private readonly integrations: EmulatorIntegration[];
  private readonly usedJti = new Set<string>();
  private readonly tokens = new Map<string, IssuedToken>();
  grants: GrantRecord[] = [];
  tokenGrants = 0;
  grantsRejected = 0;

  constructor(
    private readonly issuer: string,
    clients: EmulatorClient[],
    integrations: EmulatorIntegration[],
    private readonly tokenTtlSeconds: number,
    // Looked up at each call, not bound once, so a test that moves the wall clock (jest fake Date) moves this too.
    private readonly now: () => number = () => Date.now(),
  ) {
    this.clients = clients.map((c) => {
      const key = createPublicKey(c.publicKeyPem);
      return { clientId: c.clientId, kid: c.kid, key, spki: key.export({ type: 'spki', format: 'der' }) };
    });
    this.integrations = integrations.map((i) => ({ ...i }));
  }

  /** Zeroes counters and recorded grants; used `jti`s and issued tokens stay valid. */
  resetStats(): void {
    this.grants = [];
    this.tokenGrants = 0;
    this.grantsRejected = 0;
  }

  /** Handles the form fields of `POST /token`. Never echoes the assertion. */
  async grant(form: URLSearchParams): Promise<GrantOutcome> {
    const outcome = await this.verifyGrant(form);
    if (outcome.ok) this.tokenGrants++;
    else this.grantsRejected++;
    return outcome;
  }

  private async verifyGrant(form: URLSearchParams): Promise<GrantOutcome> {
    const grantType = form.get('grant_type');
    const assertion = form.get('assertion');
    if (!grantType) return reject('invalid_request', 'Missing grant_type');
    if (grantType !== JWT_BEARER_GRANT) return reject('unsupported_grant_type', 'Unsupported grant_type');
    if (!assertion) return reject('invalid_request', 'Missing assertion');

    let header: ProtectedHeaderParameters;
    let claims: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(assertion);
      const parts = assertion.split('.');
      if (parts.length !== 3) throw new Error('not a compact JWS');
      const decoded: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
      if (!decoded || typeof decoded !== 'object' || Array.isArray(decoded)) throw new Error('claims not an object');
      claims = decoded as Record<string, unknown>;
    } catch {
      return reject('invalid_grant', 'Invalid assertion. Client authentication failed: malformed JWT');
    }
    this.record(header, claims);

    if (typeof header.alg !== 'string' || !ALLOWED_ALGS.has(header.alg)) {
      return reject('invalid_grant', 'Invalid assertion. Client authentication failed: unsupported alg');
    }
    const client = this.clientFor(header);
    if (!client) {
      return reject('invalid_grant', 'Invalid assertion. Client authentication failed: unknown kid or certificate');
    }
    try {
      await compactVerify(assertion, client.key, { algorithms: [header.alg] });
    } catch {
      return reject('invalid_grant', 'Invalid assertion. Client authentication failed: signature verification failed');
    }

    const unknown = Object.keys(claims).filter((c) => !ALLOWED_CLAIMS.has(c));
    if (unknown.length > 0) {
      return reject('invalid_grant', `Invalid assertion. Client authentication failed: unknown claim ${unknown[0]}`);
    }
    if (typeof claims.aud !== 'string') {
      return reject('invalid_grant', 'Invalid assertion. Client authentication failed: aud must be a single value');
    }
    if (claims.aud !== this.issuer) {
      return reject('invalid_grant', `Invalid assertion. Client authentication failed: aud must be ${this.issuer}`);
    }
    if (claims.iss !== client.clientId) {
      return reject('invalid_grant', 'Invalid assertion. Client authentication failed: iss does not match the client');
    }
    const nowSeconds = Math.floor(this.now() / 1000);
    const { iat, exp } = claims;
    if (typeof iat !== 'number' || !Number.isFinite(iat)) {
      return reject('invalid_grant', 'Invalid assertion. Client authentication failed: missing iat');
    }
    if (Math.abs(nowSeconds - iat) > MAX_SKEW_SECONDS) {
      return reject('invalid_grant', 'Invalid assertion. Client authentication failed: iat is more than 10 s off');
    }
    if (typeof exp !== 'number' || !Number.isFinite(exp)) {
      return reject('invalid_grant', 'Invalid assertion. Client authentication failed: missing exp');
    }
    if (exp <= nowSeconds) return reject('invalid_grant', 'Invalid assertion. Client authentication failed: expired');
    if (exp - iat > MAX_LIFETIME_SECONDS) {
      return reject('invalid_grant', 'Invalid assertion. Client authentication failed: exp - iat exceeds 120 s');
    }
    if (typeof claims.jti !== 'string' || claims.jti.length === 0) {
      return reject('invalid_grant', 'Invalid assertion. Client authentication failed: missing jti');
    }
    if (this.usedJti.has(claims.jti)) {
      return reject('invalid_grant', 'Invalid assertion. Client authentication failed: jti has already been used');
    }
    if (typeof claims.scope !== 'string' || claims.scope.trim() === '') {
      return reject('invalid_request', 'Missing scope');
    }
    if (claims.resource !== undefined && !isStringOrStrings(claims.resource)) {
      return reject('invalid_grant', 'Invalid assertion. Client authentication failed: invalid resource');
    }
    const scopes = claims.scope.trim().split(/\s+/);
    const unknownScope = scopes.find((s) => !KNOWN_SCOPES.has(s));
    if (unknownScope)
      return { ok: false, body: { error: 'invalid_scope', error_description: `Invalid scope: ${unknownScope}` } };

    this.usedJti.add(claims.jti);
    const accessToken = randomBytes(32).toString('base64url');
    this.purgeExpired();
    this.tokens.set(accessToken, {
      clientId: client.clientId,
      scopes: new Set(scopes),
      expiresAt: this.now() + this.tokenTtlSeconds * 1000,
    });
    return {
      ok: true,
      body: {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: this.tokenTtlSeconds,
        scope: scopes.join(' '),
      },
    };
  }

  private record(header: ProtectedHeaderParameters, claims: Record<string, unknown>): void {
    const h: GrantRecord['header'] = {};
    if (typeof header.alg === 'string') h.alg = header.alg;
    if (typeof header.kid === 'string') h.kid = header.kid;
    if (header.x5c !== undefined) h.x5c = true;
    this.grants.push({ header: h, claims: { ...claims } });
    if (this.grants.length > MAX_RECORDED_GRANTS) this.grants.splice(0, this.grants.length - MAX_RECORDED_GRANTS);
  }

  /** `kid` must name a registered key; otherwise the leaf of `x5c` must carry a registered public key. */
  private clientFor(header: ProtectedHeaderParameters): RegisteredClient | undefined {
    if (typeof header.kid === 'string') return this.clients.find((c) => c.kid !== undefined && c.kid === header.kid);
    if (Array.isArray(header.x5c) && typeof header.x5c[0] === 'string') {
      try {
        const leaf = new X509Certificate(Buffer.from(header.x5c[0], 'base64'));
        const spki = leaf.publicKey.export({ type: 'spki', format: 'der' });
        return this.clients.find((c) => c.spki.equals(spki));
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  private purgeExpired(): void {
    if (this.tokens.size < 10_000) return;
    const now = this.now();
    for (const [token, t] of this.tokens) if (t.expiresAt <= now) this.tokens.delete(token);
  }

  /** Checks `Authorization: Bearer <token>` for an unexpired token issued here that carries `scope`. */
  checkBearer(authorization: string | undefined, scope: string): TokenCheck {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return { ok: false, reason: 'missing' };
    const token = this.tokens.get(match[1]);
    if (!token) return { ok: false, reason: 'invalid' };
    if (token.expiresAt <= this.now()) return { ok: false, reason: 'expired' };
    if (!token.scopes.has(scope)) return { ok: false, reason: 'scope' };
    return { ok: true, clientId: token.clientId };
  }

  /** Fiks IntegrasjonId / IntegrasjonPassord. */
  checkIntegration(id: string | undefined, password: string | undefined): boolean {
    if (!id || password === undefined) return false;
    const integration = this.integrations.find((i) => i.id === id);
    if (!integration) return false;
    const a = Buffer.from(integration.password);
    const b = Buffer.from(password);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

function reject(error: OAuthError['error'], error_description: string): GrantOutcome {
  return { ok: false, body: { error, error_description } };
}

function isStringOrStrings(value: unknown): boolean {
  return typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
}
