import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Fiks that answers `POST …/v2.0/bulk/kjennemerke` from recorded real answers, as Fiks would: it checks
 * the integration headers and the bearer header, echoes each requested item's `request` exactly as sent, and gives
 * the recorded `kjoretoydata` for a recorded plate. A request for exactly the recorded plates, in the recorded order,
 * gets the recording byte for byte. Every request is kept for the test to inspect.
 */
export interface FiksReplay {
  /** `${url}/kjoretoyregister/api`: the FIKS_BASE_URL a subgraph needs. */
  baseUrl: string;
  requests: ReplayedRequest[];
  close(): Promise<void>;
}

export interface ReplayedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

interface Recording {
  gjenstaendeKvote?: number;
  responser: { request: { kjennemerke: string } }[];
}

export async function startFiksReplay(options: {
  recording: string;
  orgId: string;
  integration: { id: string; password: string };
}): Promise<FiksReplay> {
  const recorded = JSON.parse(options.recording) as Recording;
  const byPlate = new Map(recorded.responser.map((item) => [item.request.kjennemerke, item]));
  const recordedRequest = JSON.stringify(recorded.responser.map((item) => item.request));
  const requests: ReplayedRequest[] = [];
  const bulkPath = `/kjoretoyregister/api/${options.orgId}/rest/distribusjon/kjoretoy/v2.0/bulk/kjennemerke`;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const send = (status: number, payload: unknown, raw = false) => {
        res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
        res.end(raw ? (payload as string) : JSON.stringify(payload));
      };
      const fiksError = (status: number, message: string) =>
        send(status, { timestamp: Date.now(), status, error: 'Error', errorId: 'replay', path: req.url, message });

      if (req.headers.integrasjonid !== options.integration.id) {
        return fiksError(401, 'Autentisering feilet for integrasjon');
      }
      if (req.headers.integrasjonpassord !== options.integration.password) {
        return fiksError(401, 'Autentisering feilet for integrasjon');
      }
      if (!/^Bearer \S+$/.test(req.headers.authorization ?? '')) {
        return fiksError(401, 'Klarte ikke å validere access_token');
      }
      if (req.method !== 'POST' || req.url !== bulkPath) return fiksError(404, 'Fant ikke ressursen');
      if (!Array.isArray(body)) return fiksError(400, 'Ugyldig forespørsel');
      if (JSON.stringify(body) === recordedRequest) return send(200, options.recording, true);
      send(200, {
        gjenstaendeKvote: recorded.gjenstaendeKvote,
        responser: body.map((request: { kjennemerke?: string }) => {
          const item = byPlate.get(String(request?.kjennemerke));
          // Unknown plates: the code a third-party client maps (docs/upstreams.md §4, [I]).
          return item ? { ...item, request } : { request, feilmelding: 'KJENNEMERKE_UKJENT' };
        }),
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/kjoretoyregister/api`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
