import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { parseEmulatorEnv } from '../../../emulator/config';
import { ConfigError } from '../../../src/config';
import { startupFailureMessage } from '../../../src/lifecycle';

const listen = (server: Server, port: number) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

describe('the line a failed start logs', () => {
  it('names the port in use and the variables that move it', async () => {
    const first = createServer();
    const second = createServer();
    await listen(first, 0);
    const { port } = first.address() as { port: number };
    try {
      const error = await listen(second, port).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(startupFailureMessage(error)).toBe(
        `start-up failed: cannot listen on 127.0.0.1:${port} (EADDRINUSE); set PORT, or EMULATOR_PORT for the embedded emulator`,
      );
    } finally {
      first.close();
    }
  });

  it('says the embedded database folder is held by another process, and how to use another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locked-'));
    const unlock = await lockfile.lock(dir);
    try {
      const error = await lockfile.lock(dir).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(startupFailureMessage(error)).toMatch(
        /embedded database folder is in use by another process.*LEDGER_DATA_DIR/,
      );
    } finally {
      await unlock();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a folder it may not write is named as such, not as a port', () => {
    // As mkdirSync throws it for an unwritable LEDGER_DATA_DIR (these tests run as root, where none is unwritable).
    const error = Object.assign(new Error("EACCES: permission denied, mkdir '/srv/ledger'"), {
      code: 'EACCES',
      syscall: 'mkdir',
      path: '/srv/ledger',
    });
    expect(startupFailureMessage(error)).toBe('start-up failed: no permission to mkdir /srv/ledger (EACCES)');
  });

  it("keeps configuration errors (the subgraph's and the embedded emulator's), and hides every other message", () => {
    expect(startupFailureMessage(new ConfigError('FIKS_ORG_ID: must be a UUID'))).toBe('FIKS_ORG_ID: must be a UUID');
    const emulatorError: unknown = (() => {
      try {
        return parseEmulatorEnv({ EMULATOR_PORT: '70000' });
      } catch (e) {
        return e;
      }
    })();
    expect(startupFailureMessage(emulatorError)).toMatch(/^EMULATOR_PORT: /);
    expect(
      startupFailureMessage(new Error('password authentication failed for user "ledger" at postgres://u:secret@db')),
    ).toBe('start-up failed');
  });
});
