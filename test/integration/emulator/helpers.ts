import { randomUUID } from 'node:crypto';
import { SignJWT, importPKCS8, type JWTPayload } from 'jose';
import {
  generateDevClient,
  startEmulator,
  type DevClient,
  type EmulatorHandle,
  type EmulatorOptions,
} from '../../../emulator';

/** An emulator on a free port with one Maskinporten client and one Fiks integration, plus request helpers. */
export interface TestEmulator {
  emulator: EmulatorHandle;
  client: DevClient;
  integration: { id: string; password: string };
  orgId: string;
  /** Signs a JWT grant; `claims` overrides/extends the defaults, `undefined` values remove a claim. */
  assertion(
    claims?: Record<string, unknown>,
    options?: { kid?: string | null; alg?: string; key?: string; x5c?: string[] },
  ): Promise<string>;
  /** POSTs a grant to /token. */
  grant(assertion: string, grantType?: string): Promise<Response>;
  /** A fresh access token for `scope`. */
  token(scope?: string): Promise<string>;
  /** Fiks call with integration headers and a ks:fiks token (override any header with `headers`). */
  fiks(
    path: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string | undefined> },
  ): Promise<Response>;
  fiksUrl(path: string): string;
  ecoc(path: string, init?: { method?: string; body?: unknown; token?: string | null }): Promise<Response>;
  admin<T = any>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
  close(): Promise<void>;
}

export const ORG_ID = '6f1c2a7e-0000-4000-8000-000000000001';
export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export async function startTestEmulator(options: Partial<EmulatorOptions> = {}): Promise<TestEmulator> {
  const client = await generateDevClient();
  const integration = { id: randomUUID(), password: `pw-${randomUUID()}` };
  const emulator = await startEmulator({
    port: 0,
    vehicles: 1500,
    clients: [{ clientId: client.clientId, publicKeyPem: client.publicKeyPem, kid: client.kid }],
    integrations: [integration],
    ...options,
  });
  const privateKey = await importPKCS8(client.privateKeyPem, 'RS256');
  const tokens = new Map<string, string>();

  const t: TestEmulator = {
    emulator,
    client,
    integration,
    orgId: ORG_ID,
    async assertion(claims = {}, opts = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = {
        aud: emulator.issuer,
        iss: client.clientId,
        scope: 'ks:fiks',
        iat: now,
        exp: now + 60,
        jti: randomUUID(),
        ...claims,
      };
      for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
      const alg = opts.alg ?? 'RS256';
      const key = opts.key ? await importPKCS8(opts.key, alg) : privateKey;
      const header: Record<string, unknown> = { alg };
      if (opts.kid !== null) header.kid = opts.kid ?? client.kid;
      if (opts.x5c) header.x5c = opts.x5c;
      // SignJWT would add nothing by itself; the payload is taken as is.
      return new SignJWT(payload as JWTPayload).setProtectedHeader(header as { alg: string }).sign(key);
    },
    grant(assertion, grantType = JWT_BEARER) {
      return buffered(
        fetch(emulator.tokenUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: grantType, assertion }).toString(),
        }),
      );
    },
    async token(scope = 'ks:fiks') {
      const cached = tokens.get(scope);
      if (cached) return cached;
      const res = await t.grant(await t.assertion({ scope }));
      if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { access_token: string };
      tokens.set(scope, body.access_token);
      return body.access_token;
    },
    fiksUrl(path) {
      return `${emulator.fiksBaseUrl}/${ORG_ID}/rest/distribusjon/kjoretoy/v2.0/${path}`;
    },
    async fiks(path, init = {}) {
      const headers: Record<string, string | undefined> = {
        IntegrasjonId: integration.id,
        IntegrasjonPassord: integration.password,
        Authorization: `Bearer ${await t.token('ks:fiks')}`,
        'content-type': 'application/json',
        ...init.headers,
      };
      const url = path.startsWith('http') ? path : t.fiksUrl(path);
      return buffered(
        fetch(url, {
          method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
          headers: Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined)),
          // Bytes go as they are: fetch adds no Content-Type of its own for them (it does for a string).
          body:
            init.body === undefined || init.body instanceof Uint8Array
              ? (init.body as BodyInit | undefined)
              : typeof init.body === 'string'
                ? init.body
                : JSON.stringify(init.body),
        }),
      );
    },
    async ecoc(path, init = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const token = init.token === undefined ? await t.token('svv:kjoretoy/ecoc') : init.token;
      if (token !== null) headers.Authorization = `Bearer ${token}`;
      return buffered(
        fetch(`${emulator.ecocBaseUrl}/meldingompreregistrering/v1/${path}`, {
          method: init.method ?? 'POST',
          headers,
          body:
            init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
        }),
      );
    },
    async admin(path, init = {}) {
      const res = await fetch(`${emulator.url}/__emulator/${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: { 'content-type': 'application/json' },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`admin ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    close: () => emulator.close(),
  };
  return t;
}

/**
 * The response with its body already read: a test that looks only at the status must not leave the body unread, or
 * undici stops reading that keep-alive socket and it outlives the emulator (Jest then has to kill the worker).
 */
async function buffered(response: Promise<Response>): Promise<Response> {
  const res = await response;
  const body = await res.arrayBuffer();
  const nullBody = res.status === 204 || res.status === 205 || res.status === 304;
  return new Response(nullBody ? null : body, { status: res.status, statusText: res.statusText, headers: res.headers });
}
