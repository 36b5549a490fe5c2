import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { Kind, parse, print, type DefinitionNode, type OperationDefinitionNode } from 'graphql';
import {
  answerProblems,
  DOC_PORTS,
  extractExamples,
  logicalLines,
  notRunnable,
  portsUsed,
  rewritePorts,
  serverStartedBy,
  type DocExample,
  type PortMap,
} from '../helpers/doc-examples';
import { repoSandbox, ROOT } from '../helpers/npm-script';
import { groupMarker, stopMarkedGroup } from '../helpers/process-groups';
import { until } from '../helpers/wait';

/**
 * The examples in the README and docs/ run as written (how to write and mark them: test/helpers/doc-examples.ts).
 * GraphQL blocks go to the dev stack; shell blocks run in bash in a sandbox of the repository, with real `npm start`
 * / `npm run supergraph` processes where they start one, and a shared `npm run supergraph` where they only call one.
 * Only the docs' fixed ports change (to free ones). Every GraphQL answer must be free of unexpected errors and null
 * lookups; a written .graphql file must compose with @apollo/composition. When the docs and the code disagree, this fails.
 */

jest.setTimeout(300_000);

const DOC_FILES = [
  ...new Set(
    spawnSync('git', ['ls-files', '*.md'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\n').filter(Boolean),
  ),
];
const EXAMPLES = DOC_FILES.flatMap((file) => extractExamples(readFileSync(join(ROOT, file), 'utf8'), file));
const title = (e: DocExample) => `${e.file}:${e.line} (${e.lang})${e.skip ? `, not run: ${e.skip}` : ''}`;

/** The environment of a developer's shell: none of the test run's upstream or auth settings. */
function devEnv(ports: PortMap, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^(FIKS_|ECOC_|MASKINPORTEN_|AUTH_|ROUTER_SECRET|UPSTREAM_|EMULATOR_|CORS_|npm_)/.test(k)) delete env[k];
  }
  return {
    ...env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    PORT: String(ports.subgraph),
    EMULATOR_PORT: String(ports.emulator),
    PARKING_PERMITS_PORT: String(ports.parkingPermits),
    SUPERGRAPH_GATEWAY_PORT: String(ports.gateway),
    ...extra,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function freePorts(): Promise<PortMap> {
  return {
    gateway: await freePort(),
    subgraph: await freePort(),
    parkingPermits: await freePort(),
    emulator: await freePort(),
  };
}

const sandboxes: string[] = [];
function sandbox(): string {
  const dir = repoSandbox();
  sandboxes.push(dir);
  return dir;
}

const graphqlPost = (url: string, query: string, operationName?: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, operationName }),
  });

/** Whether `npm run supergraph`'s gateway answers a query. */
async function gatewayAnswers(ports: PortMap): Promise<boolean> {
  try {
    return (await graphqlPost(`http://127.0.0.1:${ports.gateway}/`, '{ __typename }')).ok;
  } catch {
    return false;
  }
}

// The shared dev stack for examples that call a server without starting one: `npm run supergraph` (gateway,
// this subgraph, parking-permits, emulator), as the docs say to run it.
let shared: { ports: PortMap; process: ChildProcess } | undefined;
const serverGroups: { pid: number; marker: string }[] = [];

beforeAll(async () => {
  const ports = await freePorts();
  const marker = groupMarker();
  const proc = spawn('npm', ['run', 'supergraph'], {
    cwd: sandbox(),
    env: devEnv(ports, marker),
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  serverGroups.push({ pid: proc.pid!, marker: marker.KJORETOY_TEST_GROUP });
  let exited = false;
  proc.on('exit', () => (exited = true));
  await until(async () => exited || (await gatewayAnswers(ports)));
  if (exited) throw new Error(`npm run supergraph exited before it answered: ${stderr.slice(-2000)}`);
  shared = { ports, process: proc };
});

afterAll(async () => {
  for (const { pid, marker } of serverGroups) await stopMarkedGroup(pid, marker);
  for (const dir of sandboxes) rmSync(dir, { recursive: true, force: true });
});

describe('the docs name the language of every fenced block', () => {
  it.each(DOC_FILES)('%s', (file) => {
    const unnamed = EXAMPLES.filter((e) => e.file === file && !e.lang).map((e) => `${e.file}:${e.line}`);
    expect(unnamed).toEqual([]);
  });
});

const GRAPHQL = EXAMPLES.filter((e) => e.runs === 'graphql');
const SHELL = EXAMPLES.filter((e) => e.runs === 'sh');

describe('GraphQL examples answer on the dev stack without unexpected errors or null lookups', () => {
  const run = GRAPHQL.filter((e) => !e.skip);
  if (GRAPHQL.length - run.length) it.skip.each(GRAPHQL.filter((e) => e.skip).map(title))('%s', () => undefined);

  it.each(run.map((e) => [title(e), e] as const))('%s', async (_title, example) => {
    const document = parse(example.code);
    const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    expect(operations.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const op of operations) {
      const name = op.name?.value ?? '(anonymous)';
      const required = (op.variableDefinitions ?? []).filter(
        (v) => v.type.kind === Kind.NON_NULL_TYPE && !v.defaultValue,
      );
      if (required.length) {
        problems.push(
          `${name}: required variables ($${required.map((v) => v.variable.name.value).join(', $')}) ` +
            'have no value: write literal values (from the seeded dataset) or defaults into the example',
        );
        continue;
      }
      const source = print({ kind: Kind.DOCUMENT, definitions: [op, ...fragments] as DefinitionNode[] });
      const res = await graphqlPost(`http://127.0.0.1:${shared!.ports.subgraph}/graphql`, source, op.name?.value);
      const { problems: found, codes } = answerProblems(await res.text(), example.expectErrors);
      problems.push(...found.map((p) => `${name}: ${p}`));
      for (const code of example.expectErrors) if (!codes.includes(code)) problems.push(`${name}: no ${code} error`);
    }
    expect(problems).toEqual([]);
  });
});

/** Bash run before a shell example: records every curl answer, and starts a server line in its own process group. */
const PRELUDE = String.raw`
set -e
curl() {
  local f
  f=$(mktemp "$DOCS_OUT/curl.XXXXXX")
  printf '%s\n' "$@" > "$f.args"
  command curl "$@" | tee "$f"
}
__serve() {
  local ready=$1 line=$2 pid
  setsid bash -c "$line" >> "$DOCS_OUT/servers.log" 2>&1 < /dev/null &
  pid=$!
  echo "$pid" >> "$DOCS_OUT/servers.pids"
  until eval "command curl -fs -o /dev/null -H 'content-type: application/json' $ready"; do
    kill -0 "$pid" 2> /dev/null || { echo "docs-test: this line exited: $line" >&2; tail -n 40 "$DOCS_OUT/servers.log" >&2; return 1; }
    sleep 0.2
  done
}
`;

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function readyCheck(kind: 'start' | 'supergraph' | 'emulator', ports: PortMap): string {
  if (kind === 'supergraph') return `-d '{"query":"{ __typename }"}' http://127.0.0.1:${ports.gateway}/`;
  if (kind === 'emulator') return `http://127.0.0.1:${ports.emulator}/__emulator/stats`;
  return `http://127.0.0.1:${ports.subgraph}/health/live`;
}

describe('shell examples run as written, and what they print or write is right', () => {
  const skipped = SHELL.filter((e) => e.skip);
  if (skipped.length) it.skip.each(skipped.map(title))('%s', () => undefined);

  it.each(SHELL.filter((e) => !e.skip).map((e) => [title(e), e] as const))('%s', async (_title, example) => {
    const lines = logicalLines(example.code);
    const refused = lines
      .map((line) => [line, notRunnable(line)] as const)
      .filter(([, why]) => why)
      .map(([line, why]) => `"${line.trim()}": ${why}; mark the block <!-- docs-test: skip: <why> -->`);
    expect(refused).toEqual([]);
    const startsServers = lines.some((l) => serverStartedBy(l));
    const ports = startsServers ? await freePorts() : shared!.ports;
    const dir = sandbox();
    const out = mkdtempSync(join(tmpdir(), 'docs-out-'));
    sandboxes.push(out);
    const marker = groupMarker();
    const script = lines
      .map((line) => {
        const kind = serverStartedBy(line);
        return kind ? `__serve ${shellQuote(readyCheck(kind, ports))} ${shellQuote(line)}` : line;
      })
      .join('\n');
    const proc = spawn('bash', ['-c', PRELUDE + rewritePorts(script, ports)], {
      cwd: dir,
      env: devEnv(ports, { DOCS_OUT: out, ...marker }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout!.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
    const pidsFile = join(out, 'servers.pids');
    const pids = existsSync(pidsFile) ? readFileSync(pidsFile, 'utf8').split('\n').filter(Boolean).map(Number) : [];
    for (const pid of pids) await stopMarkedGroup(pid, marker.KJORETOY_TEST_GROUP);

    expect({ exit: code, output: code === 0 ? '' : `${stdout}\n${stderr}`.slice(-3000) }).toEqual({
      exit: 0,
      output: '',
    });

    // Every answer from a GraphQL endpoint (this subgraph, the gateway, parking-permits).
    const graphqlPorts = new Set([ports.subgraph, ports.gateway, ports.parkingPermits]);
    const problems: string[] = [];
    const codes: string[] = [];
    let answersSeen = 0;
    for (const file of readdirSync(out).filter((f) => /^curl\.\w+$/.test(f))) {
      const args = readFileSync(join(out, `${file}.args`), 'utf8');
      const url = /http:\/\/127\.0\.0\.1:(\d+)(\/\S*)?/.exec(args);
      const body = readFileSync(join(out, file), 'utf8');
      if (!url || !graphqlPorts.has(Number(url[1])) || url[2]?.startsWith('/health')) {
        expect(body.length).toBeGreaterThan(0);
        continue;
      }
      answersSeen++;
      const found = answerProblems(body, example.expectErrors);
      problems.push(...found.problems);
      codes.push(...found.codes);
    }
    for (const expected of example.expectErrors) if (!codes.includes(expected)) problems.push(`no ${expected} error`);
    expect(problems).toEqual([]);
    if (example.expectErrors.length) expect(answersSeen).toBeGreaterThan(0);

    // A schema the example wrote must compose, as rover or a router would take it.
    for (const name of readdirSync(dir).filter(
      (f) => f.endsWith('.graphql') && !lstatSync(join(dir, f)).isSymbolicLink(),
    )) {
      const result = composeServices([
        {
          name: 'kjoretoy',
          url: 'http://kjoretoy.test/graphql',
          typeDefs: parse(readFileSync(join(dir, name), 'utf8')),
        },
      ]);
      expect({ file: name, errors: result.errors?.map((e) => e.message) }).toEqual({ file: name, errors: undefined });
    }
  });
});

describe('the checks catch a broken example', () => {
  const broken = extractExamples(
    [
      '```graphql',
      'mutation { preRegister(input: { dryRun: true, ecoc: { vin: "X", engine: { fuels: [{ maximumNetPower: "110.0" }] } } }) { status } }',
      '```',
    ].join('\n'),
    'broken.md',
  )[0];

  it('a Float given as a string is refused by the server, and reported', async () => {
    const res = await graphqlPost(`http://127.0.0.1:${shared!.ports.subgraph}/graphql`, broken.code);
    const { problems } = answerProblems(await res.text(), []);
    expect(problems.join('\n')).toMatch(/GRAPHQL_VALIDATION_FAILED|BAD_USER_INPUT/);
  });

  it('an unknown marker, an unexpected error, a null lookup and a problem inside the data are each reported', () => {
    expect(() => extractExamples('<!-- docs-test: maybe -->\n```sh\nls\n```\n', 'x.md')).toThrow(/unknown marker/);
    expect(answerProblems('{"errors":[{"message":"no","extensions":{"code":"FORBIDDEN"}}]}', []).problems).toEqual([
      'error FORBIDDEN: no',
    ]);
    expect(
      answerProblems('{"errors":[{"message":"no","extensions":{"code":"FORBIDDEN"}}]}', ['FORBIDDEN']).problems,
    ).toEqual([]);
    expect(answerProblems('{"data":{"vehicle":null}}', []).problems).toEqual([
      "vehicle is null: is the example's identifier in the seeded dataset?",
    ]);
    expect(answerProblems('{"data":{"preRegister":{"errors":[{"code":"X"}]}}}', []).problems).toHaveLength(1);
  });

  it('finds fences in list items, markers above them, and shell lines that start servers', () => {
    const md = [
      '- item',
      '',
      '  <!-- docs-test: skip: needs a real router -->',
      '  ```sh',
      '  curl -s http://localhost:4000/ \\',
      "    -d '{}'",
      '  ```',
      '',
      '<!-- docs-test: expect-error FORBIDDEN, UNAUTHENTICATED -->',
      '```graphql',
      '{ __typename }',
      '```',
    ].join('\n');
    const [sh, gql] = extractExamples(md, 'm.md');
    expect(sh).toMatchObject({ line: 4, lang: 'sh', runs: 'sh', skip: 'needs a real router' });
    expect(logicalLines(sh.code).filter((l) => l.trim())).toEqual(["curl -s http://localhost:4000/ \\\n  -d '{}'"]);
    expect(portsUsed(sh.code)).toEqual(new Set([DOC_PORTS.gateway]));
    expect(gql).toMatchObject({ runs: 'graphql', expectErrors: ['FORBIDDEN', 'UNAUTHENTICATED'] });
    expect(serverStartedBy('AUTH_ISSUER=x npm start')).toBe('start');
    expect(serverStartedBy('npm run supergraph   # in another terminal')).toBe('supergraph');
    expect(serverStartedBy('npm run supergraph -- --router hive')).toBe('supergraph');
    expect(serverStartedBy('npm ci && npm test')).toBeUndefined();
    expect(notRunnable('npm ci && npm start')).toBe('changes node_modules');
    expect(notRunnable('npx jest test/x.test.ts   # one suite')).toBe('runs the test suite');
    expect(notRunnable('npm run -s token:mint -- --scope "vehicles:read"   # rm nothing')).toBeUndefined();
    const ports = { gateway: 1, subgraph: 2, parkingPermits: 3, emulator: 4 };
    expect(rewritePorts("curl 'http://127.0.0.1:4010/x' localhost:4001/graphql :4999", ports)).toBe(
      "curl 'http://127.0.0.1:4/x' 127.0.0.1:2/graphql :4999",
    );
  });
});
