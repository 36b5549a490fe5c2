import { EMULATOR_FIKS_ORG_ID } from '../emulator';
import { MaskinportenTokenProvider } from '../src/datasources/maskinporten/token-provider';
import { createLogger } from '../src/observability/logger';
import { Metrics } from '../src/observability/metrics';
import { assertLocal } from './load';
import type { BenchCredentials, EmulatorProcess } from './processes';

/**
 * The emulator's Fiks bulk route called directly from the bench, with a token from the project's own Maskinporten
 * client: to time the upstream alone, and to capture a real bulk answer for the in-memory server.
 */
export interface DirectFiks {
  /** One `POST bulk/kjennemerke`; the answer's text and the time to its last byte. */
  bulk(kjennemerker: string[]): Promise<{ ms: number; text: string }>;
  /** The same call as a plain request (URL, headers with a fresh token, body), to be sent from another process. */
  bulkRequest(kjennemerker: string[]): Promise<BulkRequest>;
  close(): void;
}

export interface BulkRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The emulator's `bulk/kjennemerke` route for the bench's Fiks organisation. */
export function bulkKjennemerkeUrl(fiksBaseUrl: string): string {
  return `${fiksBaseUrl}/${EMULATOR_FIKS_ORG_ID}/rest/distribusjon/kjoretoy/v2.0/bulk/kjennemerke`;
}

/** The project's own Maskinporten client, as the bench's throwaway client, against the emulator's token route. */
export function benchTokenProvider(client: {
  tokenUrl: string;
  issuer: string;
  clientId: string;
  kid: string;
  privateKeyPem: string;
}): MaskinportenTokenProvider {
  return new MaskinportenTokenProvider(
    {
      tokenUrl: client.tokenUrl,
      audience: client.issuer,
      clientId: client.clientId,
      privateKeyPem: client.privateKeyPem,
      kid: client.kid,
    },
    { metrics: new Metrics(), logger: createLogger({ level: 'silent' }) },
  );
}

export function directFiks(emulator: EmulatorProcess, credentials: BenchCredentials): DirectFiks {
  const info = emulator.handle.info;
  const tokens = benchTokenProvider({
    tokenUrl: info.tokenUrl,
    issuer: info.issuer,
    clientId: credentials.client.clientId,
    kid: credentials.client.kid,
    privateKeyPem: credentials.client.privateKeyPem,
  });
  const url = bulkKjennemerkeUrl(info.fiksBaseUrl);
  assertLocal(url);
  const bulkRequest = async (kjennemerker: string[]): Promise<BulkRequest> => {
    const token = await tokens.getToken('ks:fiks');
    return {
      url,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        IntegrasjonId: credentials.integration.id,
        IntegrasjonPassord: credentials.integration.password,
      },
      body: JSON.stringify(kjennemerker.map((kjennemerke) => ({ kjennemerke }))),
    };
  };
  return {
    bulkRequest,
    async bulk(kjennemerker) {
      const request = await bulkRequest(kjennemerker);
      const started = performance.now();
      const res = await fetch(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      const ms = performance.now() - started;
      if (res.status !== 200) throw new Error(`emulator bulk/kjennemerke answered HTTP ${res.status}`);
      return { ms, text };
    },
    close: () => tokens.close(),
  };
}
