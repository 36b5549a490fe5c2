import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { DEV_AUDIENCE, DEV_ISSUER, generateDevKey, jwksOf, mintToken } from '../dev/mint-token';
import { kustomize, type K8sObject } from './kustomize';
import { containerRuntime, type ContainerRuntime } from './pod-runtime';

/**
 * `npm run container:smoke`: builds the image and runs it the way deploy/ runs it, against the emulator in a second
 * container as its upstream. Every setting of the run (user, groups, read-only root, tmpfs, capabilities,
 * no-new-privileges, memory and CPU limits, environment, the Maskinporten key file's owner and mode) is read from the
 * rendered production manifests, so a manifest change is tested here too.
 *
 * Engine: CONTAINER_ENGINE (e.g. "podman --runtime runc"), else docker when its daemon answers, else podman.
 * Machine-specific flags come from CONTAINER_BUILD_FLAGS and CONTAINER_RUN_FLAGS (.ci/run sets them from
 * ../shared/tools/container-base.sh on machines without a registry); nothing machine-specific is in the Dockerfile.
 * Images: kjoretoy-subgraph:smoke and kjoretoy-subgraph-emulator:smoke (kept); containers and volumes are removed.
 */

const ROOT = resolve(__dirname, '..');
const IMAGE = process.env.SMOKE_IMAGE ?? 'kjoretoy-subgraph:smoke';
const EMULATOR_IMAGE = process.env.SMOKE_EMULATOR_IMAGE ?? 'kjoretoy-subgraph-emulator:smoke';
const EMULATOR_PORT = 4010;
/** Where the smoke run mounts the caller JWKS (production uses AUTH_JWKS_URL instead). */
const JWKS_DIR = '/etc/kjoretoy-auth';
/** What the product image may hold under /app, besides node_modules (checked separately). */
const PRODUCT_PATHS = [
  /^package(-lock)?\.json$/,
  /^schema\/[\w.-]+\.graphql$/,
  /^migrations\/[\w.-]+\.sql$/,
  /^dist\/src\/[\w./-]+\.js$/,
];
const DEV_ONLY =
  /(^|\/)(emulator|test|tests|dev|bench|examples|\.dev-auth|\.emulator|\.data|test-logs)(\/|$)|\.(pem|p12|key)$|(^|\/)\.env/;
/** The port of the smoke run's ledger database, inside the emulator container's network namespace. */
const LEDGER_DB_PORT = 5432;
/** Upstream stand-ins: these ConfigMap entries and Secret keys come from the emulator's .emulator/env. */
const FROM_EMULATOR = [
  'FIKS_BASE_URL',
  'ECOC_BASE_URL',
  'MASKINPORTEN_TOKEN_URL',
  'MASKINPORTEN_AUDIENCE',
  'FIKS_ORG_ID',
  'FIKS_INTEGRATION_ID',
  'FIKS_INTEGRATION_PASSWORD',
  'MASKINPORTEN_CLIENT_ID',
  'MASKINPORTEN_KID',
];

const exec = promisify(execFile);
const runId = `${process.pid}-${randomBytes(3).toString('hex')}`;
const names = {
  emulator: `kjoretoy-smoke-emulator-${runId}`,
  subgraph: `kjoretoy-smoke-subgraph-${runId}`,
  keyVolume: `kjoretoy-smoke-key-${runId}`,
  authVolume: `kjoretoy-smoke-auth-${runId}`,
};
const scratch = mkdtempSync(join(tmpdir(), 'kjoretoy-smoke-'));

// ---------------------------------------------------------------------------------------------------------------
// The engine

interface Engine {
  command: string;
  baseArgs: string[];
  buildFlags: string[];
  runFlags: string[];
}

const words = (s: string | undefined) => (s ?? '').split(/\s+/).filter(Boolean);

async function detectEngine(): Promise<Engine> {
  const flags = {
    buildFlags: words(process.env.CONTAINER_BUILD_FLAGS),
    runFlags: words(process.env.CONTAINER_RUN_FLAGS),
  };
  const configured = words(process.env.CONTAINER_ENGINE);
  if (configured.length) return { command: configured[0], baseArgs: configured.slice(1), ...flags };
  for (const command of ['docker', 'podman']) {
    try {
      await exec(command, ['info'], { timeout: 30_000 });
      return { command, baseArgs: [], ...flags };
    } catch {
      // not installed, or no daemon: try the next one
    }
  }
  throw new Error('no container engine: install docker (with a running daemon) or podman, or set CONTAINER_ENGINE');
}

let engine: Engine;

/** Runs the engine; resolves with its output, rejects with stderr's tail on a non-zero exit unless `allowFailure`. */
async function container(
  args: string[],
  options: { input?: string; allowFailure?: boolean; timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(engine.command, [...engine.baseArgs, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const result = { code: code ?? -1, stdout, stderr };
      if (result.code !== 0 && !options.allowFailure) {
        reject(new Error(`${engine.command} ${args[0]} exited ${result.code}: ${tail(stderr || stdout, 15)}`));
      } else resolvePromise(result);
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A build, with its output streamed to the log (CI shows the image being built). */
async function build(args: string[]): Promise<void> {
  const child = spawn(engine.command, [...engine.baseArgs, 'build', ...engine.buildFlags, ...args, ROOT], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await new Promise<number>((done, fail) => {
    child.on('error', fail);
    child.on('close', (c) => done(c ?? -1));
  });
  if (code !== 0) throw new Error(`build exited ${code}`);
}

const tail = (text: string, lines: number) => text.trim().split('\n').slice(-lines).join('\n');

// ---------------------------------------------------------------------------------------------------------------
// The manifests

function secretKeysFromExample(): Record<string, string[]> {
  const docs = parseAllDocuments(readFileSync(join(ROOT, 'deploy', 'secret.example.yaml'), 'utf8')).map(
    (d) => d.toJS() as K8sObject & { stringData?: Record<string, string> },
  );
  return Object.fromEntries(docs.map((d) => [d.metadata.name, Object.keys(d.stringData ?? {})]));
}

/** The `run` flags that give a container what the Deployment's pod spec gives it. */
function hardenedFlags(rt: ContainerRuntime): string[] {
  return [
    // Kubernetes ignores the image's HEALTHCHECK (it has probes); so does this run.
    '--no-healthcheck',
    '--user',
    `${rt.runAs.uid}:${rt.runAs.gid}`,
    ...rt.runAs.supplementalGroups.flatMap((g) => ['--group-add', String(g)]),
    ...(rt.readOnlyRootFilesystem ? ['--read-only'] : []),
    ...rt.tmpfs.flatMap((t) => ['--tmpfs', `${t.path}:rw${t.sizeBytes ? `,size=${t.sizeBytes}` : ''}`]),
    ...rt.dropCapabilities.flatMap((c) => ['--cap-drop', c]),
    ...(rt.allowPrivilegeEscalation ? [] : ['--security-opt', 'no-new-privileges']),
    ...(rt.memoryLimitBytes ? ['--memory', String(rt.memoryLimitBytes)] : []),
    ...(rt.cpuLimit ? ['--cpus', String(rt.cpuLimit)] : []),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Steps

let passed = 0;
const log = (line: string) => process.stdout.write(`${line}\n`);

async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  log(`--- ${name}`);
  const result = await fn();
  passed++;
  log(`ok ${passed} - ${name}`);
  return result;
}

function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Polls `probe` until it returns a value, failing early when `stillRunning` says the container has exited. */
async function waitFor<T>(
  what: string,
  deadlineMs: number,
  probe: () => Promise<T | undefined>,
  stillRunning?: () => Promise<void>,
): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await stillRunning?.();
    if (Date.now() > end) throw new Error(`${what}: not within ${deadlineMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function exitedWithLogs(name: string): Promise<void> {
  const state = await container(['inspect', '--format', '{{.State.Running}} {{.State.ExitCode}}', name]);
  const [running, exitCode] = state.stdout.trim().split(' ');
  if (running === 'true') return;
  const logs = await container(['logs', name], { allowFailure: true });
  throw new Error(`${name} exited with code ${exitCode}:\n${tail(logs.stdout + logs.stderr, 20)}`);
}

async function hostPort(name: string, port: number): Promise<number> {
  const { stdout } = await container(['port', name, `${port}/tcp`]);
  const match = /:(\d+)\s*$/m.exec(stdout.trim().split('\n')[0]);
  expect(match, `no published port for ${port}: ${stdout}`);
  return Number(match[1]);
}

/** What the smoke test reads of a GraphQL answer. */
interface GqlBody {
  data?: { vehicle?: { kjennemerke?: string } | null };
  errors?: { extensions?: { code?: string } }[];
}

/** A JSON answer (the caller names its shape; the checks treat every field as possibly missing). */
async function getJson<T = unknown>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: body as T };
}

function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) env[match[1]] = match[2];
  }
  return env;
}

async function main(): Promise<void> {
  engine = await detectEngine();
  log(`container engine: ${[engine.command, ...engine.baseArgs].join(' ')}`);

  const rt = await step('render deploy/ and read the Deployment’s container settings', async () => {
    const runtime = containerRuntime(kustomize(join(ROOT, 'deploy')), secretKeysFromExample());
    log(`run flags from the Deployment: ${hardenedFlags(runtime).join(' ')}`);
    return runtime;
  });
  const keyFile = rt.secretFiles.find((f) => f.mountPath === posix.dirname(rt.env.MASKINPORTEN_KEY_FILE));
  expect(keyFile, 'MASKINPORTEN_KEY_FILE is not a file of a mounted Secret volume');

  await step(`build the product image ${IMAGE}`, async () => {
    await build(['-t', IMAGE]);
    const { stdout } = await container(['image', 'inspect', '--format', '{{.Size}} {{.Config.User}}', IMAGE]);
    const [size, user] = stdout.trim().split(' ');
    log(`image ${IMAGE}: ${(Number(size) / 1e6).toFixed(0)} MB, USER ${user}`);
    expect(
      user === `${rt.runAs.uid}:${rt.runAs.gid}`,
      `image USER is "${user}", the Deployment runs as ${rt.runAs.uid}:${rt.runAs.gid}`,
    );
  });

  await step(`build the emulator image ${EMULATOR_IMAGE} (target emulator)`, () =>
    build(['--target', 'emulator', '-t', EMULATOR_IMAGE]),
  );

  await step(
    'the image holds the product only: no emulator, test, dev or secret files; production dependencies',
    async () => {
      const { stdout } = await container([
        'run',
        '--rm',
        ...engine.runFlags,
        '--network',
        'none',
        '--user',
        `${rt.runAs.uid}:${rt.runAs.gid}`,
        '--entrypoint',
        'sh',
        IMAGE,
        '-c',
        'ls -A / && echo --- && cd /app && ls -A && echo --- && (cd node_modules && for d in * @*/*; do [ -d "$d" ] && echo "$d"; done) && echo --- && find . -path ./node_modules -prune -o -type f -print && echo --- && ' +
          '(test -w /app || test -w /app/dist/src/index.js) && echo writable || echo read-only',
      ]);
      const [root, top, modules, files, writable] = stdout
        .split('---\n')
        .map((s) => s.trim().split('\n').filter(Boolean));
      log(`/ holds: ${root.join(' ')}`);
      log(`/app holds: ${top.join(' ')}`);
      log(`${files.length} product files outside node_modules; ${modules.length} packages in node_modules`);
      expect(
        JSON.stringify(top.sort()) ===
          JSON.stringify(['dist', 'migrations', 'node_modules', 'package-lock.json', 'package.json', 'schema']),
        `unexpected top-level entries in /app: ${top.join(' ')}`,
      );
      const stray = files
        .map((f) => f.replace(/^\.\//, ''))
        .filter((f) => DEV_ONLY.test(f) || !PRODUCT_PATHS.some((p) => p.test(f)));
      expect(stray.length === 0, `files that are not the product: ${stray.slice(0, 10).join(', ')}`);
      expect(writable[0] === 'read-only', 'the process can write to /app');

      // Exactly the production dependencies: every one the lock file requires, no development-only package.
      const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
        packages: Record<string, { dev?: boolean; optional?: boolean; devOptional?: boolean }>;
      };
      const topLevel = Object.entries(lock.packages).filter(([path]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path));
      const present = new Set(modules);
      const dev = topLevel.filter(([, p]) => p.dev).map(([path]) => path.slice('node_modules/'.length));
      const required = topLevel
        .filter(([, p]) => !p.dev && !p.optional && !p.devOptional)
        .map(([path]) => path.slice('node_modules/'.length));
      const missing = required.filter((name) => !present.has(name));
      const devPresent = dev.filter((name) => present.has(name));
      expect(missing.length === 0, `production dependencies missing from the image: ${missing.join(', ')}`);
      expect(devPresent.length === 0, `development dependencies in the image: ${devPresent.join(', ')}`);
    },
  );

  await step('refuses to start without configuration (exit 1, names the variable)', async () => {
    const result = await container(
      ['run', '--rm', ...engine.runFlags, '--network', 'none', ...hardenedFlags(rt), IMAGE],
      {
        allowFailure: true,
        timeoutMs: 60_000,
      },
    );
    const output = result.stdout + result.stderr;
    log(output.split('\n').find((l) => l.includes('"level":60')) ?? tail(output, 3));
    expect(result.code === 1, `exit code ${result.code}, expected 1`);
    expect(
      /requires FIKS_BASE_URL[A-Za-z_, ]* to be set/.test(output),
      'the start-up error does not name the missing variables',
    );
  });

  const emulator = await step('start the emulator container (the upstream stand-in)', async () => {
    await container([
      'run',
      '-d',
      ...engine.runFlags,
      '--name',
      names.emulator,
      // The subgraph joins this container's network namespace, so its port is published here.
      '-p',
      `127.0.0.1::${EMULATOR_PORT}`,
      '-p',
      `127.0.0.1::${rt.port}`,
      '-e',
      `EMULATOR_PORT=${EMULATOR_PORT}`,
      '-e',
      'LOG_LEVEL=warn',
      EMULATOR_IMAGE,
    ]);
    const envText = await waitFor(
      'the emulator writes .emulator/env',
      120_000,
      async () => {
        const r = await container(['exec', names.emulator, 'cat', '/app/.emulator/env'], { allowFailure: true });
        return r.code === 0 && r.stdout.includes('MASKINPORTEN_CLIENT_ID=') ? r.stdout : undefined;
      },
      () => exitedWithLogs(names.emulator),
    );
    const clientKey = (await container(['exec', names.emulator, 'cat', '/app/.emulator/client-key.pem'])).stdout;
    const admin = `http://127.0.0.1:${await hostPort(names.emulator, EMULATOR_PORT)}/__emulator`;
    const subgraphOrigin = `http://127.0.0.1:${await hostPort(names.emulator, rt.port)}`;
    return { env: parseEnvFile(envText), clientKey, admin, subgraphOrigin };
  });

  // The ledger's PostgreSQL: PGlite served over the Postgres wire protocol (pglite-server, from the emulator image's
  // development dependencies) inside the emulator's network namespace, which the subgraph shares. A real deployment
  // names its own server in DATABASE_URL; the smoke test needs one that starts anywhere without a registry.
  const databaseUrl = await step(
    'start a throwaway PostgreSQL (PGlite) beside the emulator for the ledger',
    async () => {
      await container([
        'exec',
        '-d',
        names.emulator,
        'node',
        'node_modules/@electric-sql/pglite-socket/dist/scripts/server.js',
        '--db=memory://',
        `--port=${LEDGER_DB_PORT}`,
        '--host=127.0.0.1',
        '--max-connections=20',
      ]);
      await waitFor(
        'the ledger database accepts connections',
        60_000,
        async () => {
          const probe = `require('net').connect(${LEDGER_DB_PORT},'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))`;
          const r = await container(['exec', names.emulator, 'node', '-e', probe], { allowFailure: true });
          return r.code === 0 ? true : undefined;
        },
        () => exitedWithLogs(names.emulator),
      );
      return `postgresql://postgres@127.0.0.1:${LEDGER_DB_PORT}/postgres`;
    },
  );

  const callerKey = await generateDevKey();
  const routerSecret = randomBytes(24).toString('base64url');

  await step(
    `Secret volume: ${keyFile.mountPath}/${keyFile.key} as the kubelet writes it (${keyFile.uid}:${keyFile.gid}, mode ${keyFile.mode.toString(8)})`,
    async () => {
      for (const volume of [names.keyVolume, names.authVolume]) await container(['volume', 'create', volume]);
      // A root helper writes the files into the volumes, as the kubelet does: the owner and mode are the test.
      await container(
        [
          'run',
          '--rm',
          '-i',
          ...engine.runFlags,
          '--network',
          'none',
          '--user',
          '0:0',
          '-v',
          `${names.keyVolume}:/secret`,
          '-v',
          `${names.authVolume}:/auth`,
          '-e',
          `JWKS=${JSON.stringify(jwksOf(callerKey))}`,
          '--entrypoint',
          'sh',
          IMAGE,
          '-c',
          `cat > /secret/${keyFile.key} && chown ${keyFile.uid}:${keyFile.gid} /secret/${keyFile.key} && ` +
            `chmod ${keyFile.mode.toString(8)} /secret/${keyFile.key} && printf '%s' "$JWKS" > /auth/jwks.json && chmod 444 /auth/jwks.json`,
        ],
        { input: emulator.clientKey },
      );
    },
  );

  await step('start the product image hardened as the Deployment runs it', async () => {
    const secrets: Record<string, string> = {};
    for (const name of rt.envSecrets) {
      for (const key of secretKeysFromExample()[name] ?? []) {
        if (key === 'ROUTER_SECRET') secrets[key] = routerSecret;
        else if (key === 'DATABASE_URL') secrets[key] = databaseUrl;
        else if (FROM_EMULATOR.includes(key) && emulator.env[key]) secrets[key] = emulator.env[key];
        else throw new Error(`the smoke test has no value for ${key} of Secret ${name}`);
      }
    }
    const env: Record<string, string> = {
      ...rt.env,
      ...secrets,
      AUTH_JWKS_FILE: `${JWKS_DIR}/jwks.json`,
      AUTH_ISSUER: DEV_ISSUER,
      AUTH_AUDIENCE: DEV_AUDIENCE,
    };
    delete env.AUTH_JWKS_URL;
    for (const key of FROM_EMULATOR) if (key in rt.env) env[key] = emulator.env[key];
    const envFile = join(scratch, 'subgraph.env');
    writeFileSync(
      envFile,
      Object.entries(env)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
      { mode: 0o600 },
    );
    await container([
      'run',
      '-d',
      ...engine.runFlags,
      '--name',
      names.subgraph,
      '--network',
      `container:${names.emulator}`,
      ...hardenedFlags(rt),
      '-v',
      `${names.keyVolume}:${keyFile.mountPath}:ro`,
      '-v',
      `${names.authVolume}:${JWKS_DIR}:ro`,
      '--env-file',
      envFile,
      IMAGE,
    ]);
    rmSync(envFile);
  });

  const origin = emulator.subgraphOrigin;
  const subgraphRunning = () => exitedWithLogs(names.subgraph);
  await step(
    `live: GET ${rt.probes.startup?.path ?? '/health/live'} answers 200 (within the startup probe's budget)`,
    async () => {
      const startup = rt.probes.startup ?? rt.probes.liveness;
      expect(startup, 'the Deployment has no startup or liveness probe');
      const budgetMs = startup.periodSeconds * startup.failureThreshold * 1000;
      await waitFor(
        'live',
        budgetMs,
        async () => ((await fetch(`${origin}${startup.path}`)).status === 200 ? true : undefined),
        subgraphRunning,
      );
    },
  );

  await step(
    `ready: GET ${rt.probes.readiness?.path} answers 200 (Maskinporten tokens from the emulator)`,
    async () => {
      const readiness = rt.probes.readiness;
      expect(readiness, 'the Deployment has no readiness probe');
      const body = await waitFor(
        'ready',
        60_000,
        async () => {
          const r = await getJson(`${origin}${readiness.path}`);
          return r.status === 200 ? r.body : undefined;
        },
        subgraphRunning,
      );
      log(JSON.stringify(body));
    },
  );

  await step('hardening in effect inside the running container', async () => {
    const status = (await container(['exec', names.subgraph, 'cat', '/proc/1/status'])).stdout;
    const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1].trim().split(/\s+/) ?? [];
    const file = (
      await container(['exec', names.subgraph, 'stat', '-c', '%u:%g %a', `${keyFile.mountPath}/${keyFile.key}`])
    ).stdout.trim();
    const write = await container(['exec', names.subgraph, 'touch', '/app/written'], { allowFailure: true });
    log(
      `pid 1: Uid ${field('Uid')[0]} Gid ${field('Gid')[0]} Groups ${field('Groups').join(',')} CapEff ${field('CapEff')[0]} NoNewPrivs ${field('NoNewPrivs')[0]}; key file ${file}`,
    );
    expect(field('Uid')[0] === String(rt.runAs.uid) && field('Gid')[0] === String(rt.runAs.gid), 'wrong uid/gid');
    expect(/^0+$/.test(field('CapEff')[0] ?? ''), 'capabilities left');
    expect(rt.allowPrivilegeEscalation || field('NoNewPrivs')[0] === '1', 'no-new-privileges is off');
    expect(file === `${keyFile.uid}:${keyFile.gid} ${keyFile.mode.toString(8)}`, `key file is ${file}`);
    expect(write.code !== 0, 'the root filesystem is writable');
  });

  const caller = await mintToken(callerKey, { scope: 'vehicles:read' });
  const gql = (query: string, variables: Record<string, unknown>, token: string) =>
    getJson<GqlBody | undefined>(`${origin}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'router-authorization': routerSecret,
      },
      body: JSON.stringify({ query, variables }),
    });
  const VEHICLE = 'query Smoke($k: String!) { vehicle(kjennemerke: $k) { kjennemerke technical { make } } }';
  const sample = (await getJson(`${emulator.admin}/sample?count=2`)).body as { vehicles: { kjennemerke: string }[] };

  await step('a vehicle query with a caller token (scope vehicles:read) answers with data', async () => {
    const plate = sample.vehicles[0].kjennemerke;
    const r = await gql(VEHICLE, { k: plate }, caller);
    log(`HTTP ${r.status}: ${JSON.stringify(r.body)}`);
    expect(
      r.status === 200 && r.body?.data?.vehicle?.kjennemerke === plate && !r.body.errors,
      'no vehicle in the answer',
    );
  });

  await step('a token signed by another key answers 401 UNAUTHENTICATED', async () => {
    const forged = await mintToken(await generateDevKey(), { scope: 'vehicles:read' });
    const r = await gql(VEHICLE, { k: sample.vehicles[0].kjennemerke }, forged);
    log(`HTTP ${r.status}: ${JSON.stringify(r.body)}`);
    expect(
      r.status === 401 && r.body?.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED',
      'not a 401 UNAUTHENTICATED',
    );
  });

  await step('SIGTERM with a request in flight: the request completes, the process exits 0', async () => {
    const delayMs = 3000;
    const fault = await getJson(`${emulator.admin}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'bulk/kjennemerke', delayMs }),
    });
    expect(fault.status < 300, `fault injection answered ${fault.status}`);
    const inFlight = async () => {
      const stats = (await getJson(`${emulator.admin}/stats`)).body as { routes: Record<string, { inFlight: number }> };
      return stats.routes['bulk/kjennemerke'].inFlight > 0 ? true : undefined;
    };
    const plate = sample.vehicles[1].kjennemerke;
    const pending = gql(VEHICLE, { k: plate }, caller);
    await waitFor('the request reaches the upstream', 30_000, inFlight);
    const signalled = Date.now();
    await container(['kill', '--signal=TERM', names.subgraph]);
    const r = await pending;
    const exit = await container(['wait', names.subgraph], { timeoutMs: rt.terminationGracePeriodSeconds * 1000 });
    const seconds = ((Date.now() - signalled) / 1000).toFixed(1);
    const logs = await container(['logs', names.subgraph]);
    log(
      `in-flight request: HTTP ${r.status}, vehicle ${r.body?.data?.vehicle?.kjennemerke}; exit ${exit.stdout.trim()} ${seconds} s after SIGTERM (upstream delay ${delayMs} ms)`,
    );
    log(
      tail(
        logs.stdout
          .split('\n')
          .filter((l) => /shutting down|stopped/.test(l))
          .join('\n'),
        2,
      ),
    );
    expect(
      r.status === 200 && r.body?.data?.vehicle?.kjennemerke === plate,
      'the in-flight request did not complete with data',
    );
    expect(exit.stdout.trim() === '0', `exit code ${exit.stdout.trim()}`);
  });
}

async function cleanup(): Promise<void> {
  if (!engine) return;
  // One at a time, the subgraph first: it uses the emulator's network namespace, and podman refuses to remove a
  // container that another one depends on.
  for (const args of [
    ['rm', '-f', names.subgraph],
    ['rm', '-f', names.emulator],
    ['volume', 'rm', '-f', names.keyVolume, names.authVolume],
  ]) {
    const result = await container(args, { allowFailure: true });
    const absent = /no such (container|volume)|no (container|volume) with name/i.test(result.stderr);
    if (result.code !== 0 && !absent) log(`cleanup: ${args.join(' ')} failed: ${tail(result.stderr, 2)}`);
  }
  rmSync(scratch, { recursive: true, force: true });
}

process.on('SIGINT', () => {
  void cleanup().finally(() => process.exit(130));
});

main().then(
  async () => {
    await cleanup();
    log(`container smoke: ${passed} passed, 0 failed`);
  },
  async (error: unknown) => {
    log(`not ok ${passed + 1} - ${error instanceof Error ? error.message : String(error)}`);
    await cleanup();
    log(`container smoke: ${passed} passed, 1 failed`);
    process.exitCode = 1;
  },
);
