import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedDatabase } from '../../dev/embedded-database';

const LOG_DIR = join(__dirname, '..', '..', 'test-logs');

/**
 * A throwaway PostgreSQL server from Debian's `postgresql` package for tests: `initdb` into a temporary folder and
 * `postgres` on a free loopback port, run as the `postgres` user when the tests run as root (PostgreSQL refuses to
 * run as root). Password authentication (SCRAM) over TCP, with the run's TEST_DATABASE_PASSWORD, so the log scan can
 * prove the password never reaches a log line. `.ci/run` installs the package when it is missing.
 */

export interface TestDatabase {
  /** postgresql://… for DATABASE_URL. */
  url: string;
  close(): Promise<void>;
}

export interface LedgerBackend {
  name: string;
  start(): Promise<TestDatabase>;
}

/**
 * Runs `body` once per backend the ledger supports: the embedded PGlite and a real PostgreSQL server. Where no server
 * is installed the second is skipped on a developer's machine (loudly) but fails in CI (CI=true).
 */
export function describeEachBackend(title: string, body: (backend: LedgerBackend) => void): void {
  describe(`${title} (embedded PGlite)`, () => body({ name: 'PGlite', start: sharedEmbeddedDatabase }));
  describeWithPostgres(`${title} (PostgreSQL server)`, () => body({ name: 'PostgreSQL', start: startTestPostgres }));
}

/**
 * The run's embedded database (global setup, DATABASE_URL), or a fresh in-memory one when this file runs in a jest
 * without that setup.
 */
async function sharedEmbeddedDatabase(): Promise<TestDatabase> {
  const shared = process.env.DATABASE_URL;
  if (shared) return { url: shared, close: async () => undefined };
  const database = await startEmbeddedDatabase({ dataDir: 'memory://' });
  return { url: database.url, close: () => database.close() };
}

/** The newest installed server's bin folder (PG_BIN_DIR overrides), or undefined when none is installed. */
export function postgresBinDir(): string | undefined {
  const candidates = process.env.PG_BIN_DIR
    ? [process.env.PG_BIN_DIR]
    : (existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [])
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => `/usr/lib/postgresql/${v}/bin`);
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')));
}

/**
 * Where no PostgreSQL server is installed, tests that need one are skipped on a developer's machine (with a loud
 * warning), but fail in CI (CI=true), where `.ci/run` must have installed it.
 */
export function describeWithPostgres(name: string, body: () => void): void {
  if (postgresBinDir() || process.env.CI === 'true') {
    describe(name, body);
    return;
  }
  process.stderr.write(
    `\n*** SKIPPED "${name}": no PostgreSQL server installed (apt-get install postgresql, or set PG_BIN_DIR). ` +
      'CI runs it. ***\n\n',
  );
  describe.skip(name, body);
}

export async function startTestPostgres(): Promise<TestDatabase> {
  const bin = postgresBinDir();
  if (!bin) {
    throw new Error(
      "No PostgreSQL server found (/usr/lib/postgresql/*/bin/initdb): `.ci/run` installs Debian's postgresql package",
    );
  }
  const owner = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'ledger-pg-'));
  const dataDir = join(dir, 'data');
  const password = process.env.TEST_DATABASE_PASSWORD || randomBytes(18).toString('base64url');
  const pwFile = join(dir, 'pw');
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  chmodSync(dir, 0o700);
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(pwFile, owner.uid, owner.gid);
  }
  const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};
  try {
    execFileSync(
      join(bin, 'initdb'),
      [
        '-D',
        dataDir,
        '-U',
        'postgres',
        `--pwfile=${pwFile}`,
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '-E',
        'UTF8',
        '--no-locale',
        '--no-sync',
      ],
      { ...asOwner, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH } },
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '');
    throw new Error(`initdb failed: ${stderr.slice(-500)}`, { cause: error });
  }
  rmSync(pwFile, { force: true });

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      const child = await startServer(bin, dataDir, dir, port, asOwner);
      const url = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
      let closing: Promise<void> | undefined;
      return {
        url,
        close: () => {
          closing ??= (async () => {
            const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
            // SIGINT to `timeout`, which passes it on: PostgreSQL's fast shutdown.
            child.kill('SIGINT');
            await exited;
            rmSync(dir, { recursive: true, force: true });
          })();
          return closing;
        },
      };
    } catch (error) {
      // Another process took the port between our probe and the server's bind: try another one.
      if (attempt >= 3 || !String((error as Error).message).includes('could not bind')) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

/** Resolves once the server logs that it accepts connections; rejects with its log when it exits first. */
function startServer(
  bin: string,
  dataDir: string,
  socketDir: string,
  port: number,
  asOwner: { uid?: number; gid?: number },
): Promise<ChildProcess> {
  // Under coreutils `timeout`, so a server whose test process died cannot outlive it by more than 20 minutes.
  const child = spawn(
    'timeout',
    [
      '-s',
      'INT',
      '1200',
      join(bin, 'postgres'),
      '-D',
      dataDir,
      '-p',
      String(port),
      '-k',
      socketDir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
      // Who connected, who left and why, in test-logs/postgres-<port>.log: a connection ended from outside shows up.
      '-c',
      'log_connections=on',
      '-c',
      'log_disconnections=on',
      '-c',
      'log_line_prefix=%m [%p] %a ',
    ],
    { ...asOwner, cwd: socketDir, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH } },
  );
  return new Promise((resolve, reject) => {
    let log = '';
    const onExit = (code: number | null) =>
      reject(new Error(`postgres exited (${code}) before it was ready: ${log.slice(-800)}`));
    child.once('exit', onExit);
    child.stderr!.on('data', (chunk: Buffer) => {
      if (log.length < 20000) log += chunk.toString('utf8');
      if (log.includes('database system is ready to accept connections')) {
        child.removeListener('exit', onExit);
        const file = join(LOG_DIR, `postgres-${port}.log`);
        mkdirSync(LOG_DIR, { recursive: true });
        writeFileSync(file, log);
        child.stderr!.removeAllListeners('data');
        child.stderr!.on('data', (more: Buffer) => appendFileSync(file, more));
        resolve(child);
      }
    });
  });
}

/** As root, the server runs as the `postgres` user the Debian package creates. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error('Running as root, but there is no `postgres` user to run the PostgreSQL server as');
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
