import { startAppOnEmulator, type AppOnEmulator, type EmbeddedOptions } from '../../dev/embedded';
import type { DatasetSample, EmulatorStatsSnapshot } from '../../emulator';

/**
 * The whole thing over real sockets: the embedded emulator and the subgraph, each on a free port, exactly as
 * `npm start` wires them (token provider, upstream clients, server). One per test file; close it in afterAll.
 */
export interface Stack {
  app: AppOnEmulator;
  url: string;
  emulatorUrl: string;
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string | undefined>,
  ): Promise<GqlResponse<T>>;
  stats(): Promise<EmulatorStats>;
  reset(): Promise<void>;
  fault(fault: Record<string, unknown> | Record<string, unknown>[]): Promise<void>;
  /** Lets the calls a `hold` fault keeps waiting go on. */
  release(): Promise<void>;
  sample(count?: number): Promise<EmulatorSample>;
  close(): Promise<void>;
}

export interface GqlResponse<T> {
  status: number;
  body: { data?: T; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[] };
  headers: Headers;
}

/** The emulator's admin API answers in its own types (emulator/); the harness reuses them. */
export type { RouteStats } from '../../emulator';
export type EmulatorStats = EmulatorStatsSnapshot;
export type EmulatorSample = DatasetSample;

/**
 * Timeouts are generous: on a busy machine an upstream answer a test expects must never time out (a retry would
 * change the call counts tests assert). Tests about timeouts set their own and use faults that never answer.
 */
export const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'info',
  EMULATOR_VEHICLES: '3000',
  UPSTREAM_ATTEMPT_TIMEOUT_MS: '10000',
  UPSTREAM_DEADLINE_MS: '30000',
};

export async function startStack(
  options: { env?: Record<string, string | undefined> } & Omit<EmbeddedOptions, 'env'> = {},
): Promise<Stack> {
  const { env, ...rest } = options;
  const app = await startAppOnEmulator({
    port: 0,
    host: '127.0.0.1',
    emulatorPort: 0,
    ...rest,
    env: { ...process.env, ...TEST_ENV, ...env },
  });
  const emulatorUrl = app.emulator.url;
  const admin = async (path: string, init?: RequestInit): Promise<any> => {
    const res = await fetch(`${emulatorUrl}/__emulator/${path}`, init);
    if (!res.ok) throw new Error(`emulator admin ${path}: ${res.status}`);
    return res.headers.get('content-type')?.includes('json') ? res.json() : undefined;
  };
  return {
    app,
    url: app.server.url,
    emulatorUrl,
    async gql(query, variables, headers) {
      const res = await fetch(app.server.url, {
        method: 'POST',
        headers: Object.fromEntries(
          Object.entries({ 'content-type': 'application/json', ...headers }).filter(
            (entry): entry is [string, string] => entry[1] !== undefined,
          ),
        ),
        body: JSON.stringify({ query, variables }),
      });
      const text = await res.text();
      let body: GqlResponse<any>['body'];
      try {
        body = JSON.parse(text);
      } catch {
        body = { errors: [{ message: text }] };
      }
      return { status: res.status, body, headers: res.headers };
    },
    stats: () => admin('stats'),
    reset: async () => {
      await admin('reset', { method: 'POST' });
    },
    fault: async (fault) => {
      await admin('faults', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fault),
      });
    },
    release: async () => {
      await admin('release', { method: 'POST' });
    },
    sample: (count = 20) => admin(`sample?count=${count}`),
    close: () => app.close(),
  };
}
