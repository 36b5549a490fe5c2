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
  close(): void;
}

export function directFiks(emulator: EmulatorProcess, credentials: BenchCredentials): DirectFiks {
  const info = emulator.handle.info;
  const tokens = new MaskinportenTokenProvider(
    {
      tokenUrl: info.tokenUrl,
      audience: info.issuer,
      clientId: credentials.client.clientId,
      privateKeyPem: credentials.client.privateKeyPem,
      kid: credentials.client.kid,
    },
    { metrics: new Metrics(), logger: createLogger({ level: 'silent' }) },
  );
  const url = `${info.fiksBaseUrl}/${EMULATOR_FIKS_ORG_ID}/rest/distribusjon/kjoretoy/v2.0/bulk/kjennemerke`;
  assertLocal(url);
  return {
    async bulk(kjennemerker) {
      const token = await tokens.getToken('ks:fiks');
      const started = performance.now();
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          IntegrasjonId: credentials.integration.id,
          IntegrasjonPassord: credentials.integration.password,
        },
        body: JSON.stringify(kjennemerker.map((kjennemerke) => ({ kjennemerke }))),
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
