import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import axios, { type AxiosInstance } from 'axios';
import { Agent, fetch as undiciFetch, Request as UndiciRequest, Response as UndiciResponse } from 'undici';
import { Dataset, vehicleAt } from '../emulator';
import { HttpTransport } from '../src/datasources/http-transport';
import { median } from './load';
import { pinSelf, tasksetAvailable } from './processes';

/**
 * `npx tsx bench/http-clients.ts [--rounds=7] [--slice=2] [--connections=50]`: the HTTP client choice of issue 13,
 * measured in one process: the same bulk call (one vehicle's answer, about 3 KB of JSON, read and parsed) through
 *
 * - `axiosHttp`: axios 1.x with its Node http adapter and keep-alive agents (the client before issue 13);
 * - `axiosFetch`: axios with its fetch adapter over undici's `fetch` and an undici `Agent` as dispatcher;
 * - `undici`: the project's HttpTransport (undici `Pool.dispatch` with its own response collector).
 *
 * Each client runs `connections` calls in a closed loop against a fixed-answer server in another process (pinned to
 * the other CPU), for `slice` seconds at a time, the clients taking turns round after round so that a busy machine
 * slows them alike. Reported: calls per second and CPU time per call of this process (medians over rounds), and each
 * client's throughput relative to undici's. Numbers for docs/performance.md; not part of `npm run bench`.
 */

type Client = 'axiosHttp' | 'axiosFetch' | 'undici';
const CLIENTS: readonly Client[] = ['axiosHttp', 'axiosFetch', 'undici'];
const PATH = '/kjoretoyregister/api/org/rest/distribusjon/kjoretoy/v2.0/bulk/kjennemerke';

function arg(name: string, fallback: number): number {
  const prefix = `--${name}=`;
  const value = process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
  return value === undefined ? fallback : Number(value);
}

/** The child: answers every request with one vehicle's bulk answer, as the emulator would. */
function serveFixedAnswer(): void {
  const dataset = new Dataset({ seed: 20261123, vehicles: 3000 });
  const record = dataset.get(7)!;
  const answer = Buffer.from(
    JSON.stringify({
      gjenstaendeKvote: 1000,
      responser: [{ request: { kjennemerke: 'X' }, kjoretoydata: vehicleAt(dataset, record) }],
    }),
  );
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
      res.end(answer);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
  process.on('disconnect', () => process.exit(0));
}

type Call = () => Promise<unknown>;

function clients(origin: string, connections: number): { calls: Record<Client, Call>; close(): void } {
  const body = JSON.stringify([{ kjennemerke: 'AB12345' }]);
  const headers = { authorization: 'Bearer x', 'content-type': 'application/json', accept: 'application/json' };
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  const axiosHttp: AxiosInstance = axios.create({ baseURL: origin, httpAgent: agent, maxRedirects: 0 });
  const dispatcher = new Agent({ connections });
  const axiosFetch: AxiosInstance = axios.create({
    baseURL: origin,
    adapter: 'fetch',
    // undici's fetch types differ from the DOM lib's that axios declares in details that do not matter here.
    env: { fetch: undiciFetch, Request: UndiciRequest, Response: UndiciResponse } as never,
    fetchOptions: { dispatcher },
  });
  const transport = new HttpTransport({
    baseURL: origin,
    connections,
    attemptTimeoutMs: 5000,
    maxResponseBytes: 10 * 1024 * 1024,
  });
  const check = (data: unknown) => {
    if (typeof data !== 'object' || data === null || !('responser' in data)) throw new Error('unexpected answer');
  };
  return {
    calls: {
      axiosHttp: async () => check((await axiosHttp.post(PATH, body, { headers })).data),
      axiosFetch: async () => check((await axiosFetch.post(PATH, body, { headers })).data),
      undici: async () =>
        check(
          (
            await transport.send({
              method: 'POST',
              path: PATH,
              headers: ['authorization', 'Bearer x'],
              body,
            })
          ).data,
        ),
    },
    close: () => {
      agent.destroy();
      void dispatcher.close();
      transport.close();
    },
  };
}

/** `connections` loops calling `call` until `seconds` are up; the number of calls and the CPU time they took. */
async function slice(call: Call, connections: number, seconds: number): Promise<{ calls: number; cpuUs: number }> {
  const until = performance.now() + seconds * 1000;
  const cpu = process.cpuUsage();
  let calls = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) {
        await call();
        calls++;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { calls, cpuUs: used.user + used.system };
}

async function main(): Promise<void> {
  const rounds = arg('rounds', 7);
  const seconds = arg('slice', 2);
  const connections = arg('connections', 50);
  const pinned = tasksetAvailable() && pinSelf(0);
  const server: ChildProcess = fork(__filename, ['--serve'], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  try {
    const port = await new Promise<number>((resolve) =>
      server.once('message', (m: { port: number }) => resolve(m.port)),
    );
    if (pinned && server.pid) pinOther(server.pid);
    const { calls, close } = clients(`http://127.0.0.1:${port}`, connections);
    const rps: Record<Client, number[]> = { axiosHttp: [], axiosFetch: [], undici: [] };
    const cpuUs: Record<Client, number[]> = { axiosHttp: [], axiosFetch: [], undici: [] };
    for (const client of CLIENTS) await slice(calls[client], connections, seconds); // warm-up
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < CLIENTS.length; i++) {
        const client = CLIENTS[(i + round) % CLIENTS.length];
        const result = await slice(calls[client], connections, seconds);
        rps[client].push(result.calls / seconds);
        cpuUs[client].push(result.cpuUs / result.calls);
      }
    }
    close();
    process.stdout.write(
      `node ${process.version}, ${connections} connections, ${rounds} rounds x ${seconds} s per client` +
        `${pinned ? ', client on CPU 0, server on CPU 1' : ''}\n`,
    );
    const undiciRps = median(rps.undici);
    for (const client of CLIENTS) {
      process.stdout.write(
        `${client.padEnd(11)} ${median(rps[client]).toFixed(0).padStart(6)} calls/s  ` +
          `${median(cpuUs[client]).toFixed(0).padStart(5)} µs CPU/call  ` +
          `throughput vs undici ${(median(rps[client]) / undiciRps).toFixed(2)}  ` +
          `(per round: ${rps[client].map((r) => r.toFixed(0)).join(', ')})\n`,
      );
    }
  } finally {
    server.disconnect();
  }
}

function pinOther(pid: number): void {
  spawnSync('taskset', ['-a', '-cp', '1', String(pid)], { stdio: 'ignore' });
}

if (process.argv.includes('--serve')) serveFixedAnswer();
else
  main().catch((e: unknown) => {
    process.stderr.write(`http-clients failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
