import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleDocument } from '../../fixtures/ivi';
import { gqlTo, startSubgraphProcess, type SubgraphProcess } from '../../helpers/subgraph-process';
import { LIST, PRE_REGISTER } from './helpers';

/**
 * `npm start` as a newcomer runs it (`tsx dev/start.ts`, no DATABASE_URL, no credentials): the ledger lives in an
 * embedded PGlite whose data folder survives a restart.
 */
describe('npm start with the embedded ledger database', () => {
  let dir: string;
  let proc: SubgraphProcess | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-npm-start-'));
  });
  afterAll(async () => {
    proc?.kill('SIGKILL');
    await proc?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    PORT: '0',
    HOST: '127.0.0.1',
    EMULATOR_PORT: '0',
    EMULATOR_VEHICLES: '500',
    FIKS_INTEGRATION_PASSWORD: process.env.FIKS_INTEGRATION_PASSWORD,
    LEDGER_DATA_DIR: join(dir, 'ledger'),
  });

  it('a submission made before a restart is still in the ledger after it', async () => {
    // First start on an empty folder: PGlite initialises it, the migrations run.
    proc = await startSubgraphProcess('dev/start.ts', env());
    expect(proc.lines).toContainEqual(
      expect.objectContaining({
        msg: expect.stringContaining('embedded PostgreSQL (PGlite)'),
        dataDir: join(dir, 'ledger'),
      }),
    );
    expect(proc.lines).toContainEqual(expect.objectContaining({ msg: 'database migrations applied' }));
    const doc = sampleDocument();
    const sent = await gqlTo(proc.url, PRE_REGISTER, { input: { iviXml: doc.xml } });
    expect(sent.data.preRegister).toMatchObject({ status: 'ACCEPTED', preRegistration: { status: 'ACCEPTED' } });
    proc.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(existsSync(join(dir, 'ledger', 'PG_VERSION'))).toBe(true);

    proc = await startSubgraphProcess('dev/start.ts', env());
    expect(proc.lines).not.toContainEqual(expect.objectContaining({ msg: 'database migrations applied' }));
    const listed = await gqlTo(proc.url, LIST, {});
    expect(listed.data.preRegistrations.edges).toEqual([
      expect.objectContaining({
        node: expect.objectContaining({
          iviReferanse: doc.ref,
          understellsnummer: doc.vin,
          status: 'ACCEPTED',
          statusHistory: [
            { status: 'PENDING', event: 'SUBMITTED' },
            { status: 'ACCEPTED', event: 'ANSWERED' },
          ],
        }),
      }),
    ]);
    proc.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  }, 480_000);
});
