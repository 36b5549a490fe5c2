import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { npmScriptArgv, ROOT } from './npm-script';
import { until } from './wait';

/**
 * A subgraph in a process of its own (node with the dev commands' loader, package.json), as a replica or `npm start`
 * runs it. Its JSON log
 * lines are parsed (the URL comes from the "listening" line) and copied into the test run's log, so the privacy scan
 * covers them too.
 */
export interface SubgraphProcess {
  url: string;
  pid: number;
  lines: Record<string, unknown>[];
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGKILL (the whole process group) or SIGTERM (node alone, which then shuts down gracefully). */
  kill(signal: 'SIGKILL' | 'SIGTERM'): void;
}

export async function startSubgraphProcess(
  entry: 'src/index.ts' | 'dev/start.ts',
  env: Record<string, string | undefined>,
): Promise<SubgraphProcess> {
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
  delete childEnv.LOG_FILE; // stdout, where the URL is read from
  // Under coreutils `timeout` in a process group of its own: a child can never outlive a killed test run by more than
  // five minutes, and a SIGKILL to the group reaches node itself.
  const [node, ...startArgs] = npmScriptArgv('start');
  const loader = startArgs.slice(0, -1); // the flags before dev/start.ts
  const child: ChildProcess = spawn('timeout', ['-s', 'KILL', '300', node, ...loader, entry], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: Record<string, unknown>[] = [];
  const logFile = process.env.LOG_FILE;
  let buffer = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (logFile) appendFileSync(logFile, `${line}\n`);
      try {
        lines.push(JSON.parse(line));
      } catch {
        // not a log line
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    if (stderr.length < 10000) stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const kill = (signal: 'SIGKILL' | 'SIGTERM') => {
    // A finished group's number may already belong to someone else (every database backend leads its own group).
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      if (signal === 'SIGKILL') process.kill(-child.pid!, 'SIGKILL');
      else child.kill('SIGTERM'); // `timeout` passes SIGTERM on to node
    } catch {
      // already gone
    }
  };

  // Waits for the "listening" line or the exit, however long a busy machine takes (the test's timeout bounds it).
  const listening = () => lines.find((l) => l.msg === 'kjoretoy-subgraph listening');
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  await until(() => listening() !== undefined || exitCode !== undefined);
  if (!listening()) {
    throw new Error(`${entry} exited (${exitCode}) before listening: ${lastLines(lines)} ${stderr.slice(-1000)}`);
  }
  return { url: String(listening()!.url), pid: child.pid!, lines, exited, kill };
}

function lastLines(lines: Record<string, unknown>[]): string {
  return lines
    .slice(-5)
    .map((l) => String(l.msg))
    .join(' | ');
}

/** Posts a GraphQL operation; the answer's JSON body, or the transport error (a process killed mid-request). */
export async function gqlTo(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return res.json();
}

/** Waits until `check` holds (`what` names it for the reader): see until() in wait.ts. */
export function waitFor(check: () => Promise<boolean>, _what: string): Promise<void> {
  return until(check);
}
