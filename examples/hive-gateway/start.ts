import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RunningGateway } from '../supergraph/gateway';

/** The configuration the Hive Gateway CLI loads (Rust planner, header forwarding, optional auth enforcement). */
export const HIVE_GATEWAY_CONFIG = join(__dirname, 'gateway.config.ts');
/** The CLI of the installed @graphql-hive/gateway (a devDependency): dist/index.cjs's sibling bin.js. */
const HIVE_GATEWAY_BIN = join(dirname(require.resolve('@graphql-hive/gateway')), 'bin.js');

export interface HiveGatewayOptions {
  /** As composed by @apollo/composition (the security links stay as they are: Hive accepts them). */
  supergraphSdl: string;
  /** 0 = a free port (tests); the local supergraph uses 4000. */
  port?: number;
  host?: string;
  /** Variables for the gateway process on top of this process's, e.g. ROUTER_SECRET, HIVE_ENFORCE_AUTH. */
  env?: Record<string, string | undefined>;
  /** Every line the gateway prints (JSON log lines). */
  onLog?: (line: string) => void;
}

export interface RunningHiveGateway extends RunningGateway {
  /** The supergraph file the gateway watches. */
  supergraphFile: string;
}

/**
 * Runs the real `hive-gateway supergraph` CLI as a child process, as production would, on a file holding the
 * composed supergraph. Resolves once the gateway says it is listening; `close()` sends SIGTERM and waits for exit.
 */
export async function startHiveGateway(options: HiveGatewayOptions): Promise<RunningHiveGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'hive-gateway-'));
  const supergraphFile = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphFile, options.supergraphSdl);
  const host = options.host ?? '127.0.0.1';
  // The CLI reports the port it was given, so "any free port" is chosen here.
  const port = options.port || (await freePort(host));

  const child = spawn(
    process.execPath,
    [HIVE_GATEWAY_BIN, 'supergraph', supergraphFile, '--config-path', HIVE_GATEWAY_CONFIG],
    {
      cwd: dir,
      env: definedOnly({ ...process.env, LOG_JSON: '1', ...options.env, PORT: String(port), HOST: host }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A parent that dies without close() (a killed test run) takes the gateway with it.
  const killChild = () => child.kill('SIGKILL');
  process.once('exit', killChild);
  void exited.then(() => process.removeListener('exit', killChild));
  const output: string[] = [];

  const listening = new Promise<void>((resolve, reject) => {
    const onLine = (line: string) => {
      output.push(line);
      if (output.length > 200) output.shift();
      options.onLog?.(line);
      if (/Listening on http/.test(line)) resolve();
    };
    for (const stream of [child.stdout, child.stderr]) {
      let buffer = '';
      stream.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          onLine(buffer.slice(0, nl));
          buffer = buffer.slice(nl + 1);
        }
      });
    }
    void exited.then((code) =>
      reject(new Error(`hive-gateway exited (${code}) before listening:\n${output.slice(-20).join('\n')}`)),
    );
  });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    })());

  try {
    await listening;
  } catch (error) {
    await close();
    throw error;
  }
  return { url: `http://${host}:${port}/graphql`, supergraphFile, close };
}

/** An unset variable stays unset (spawn would pass `undefined` on as a string). */
function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
