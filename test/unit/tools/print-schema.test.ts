import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SCHEMA_FILE, printSchema, servedSubgraphSdl } from '../../../src/tools/print-schema';
import { startStack, type Stack } from '../../helpers/stack';

const ROOT = join(__dirname, '..', '..', '..');

describe('npm run schema:print (src/tools/print-schema.ts)', () => {
  let dir: string;
  let stack: Stack;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'print-schema-'));
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes exactly the SDL the running server answers to `_service { sdl }`', async () => {
    const file = join(dir, 'out.graphql');
    const written = await printSchema(file);
    expect(written.path).toBe(file);
    const res = await stack.gql<{ _service: { sdl: string } }>('{ _service { sdl } }');
    expect(res.body.errors).toBeUndefined();
    expect(readFileSync(file, 'utf8')).toBe(res.body.data!._service.sdl);
  });

  it('prints a Federation 2 subgraph SDL with its keys and scope directives, ready for rover', async () => {
    const sdl = await servedSubgraphSdl();
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.7"');
    // federation-internals prints each directive of a type on its own line.
    expect(sdl).toMatch(
      /type Vehicle\s+@key\(fields: "kuid"\)\s+@key\(fields: "kjennemerke"\)\s+@key\(fields: "understellsnummer"\)/,
    );
    expect(sdl).toMatch(/type Organization implements Owner\s+@key\(fields: "organisasjonsnummer"\)/);
    expect(sdl).toMatch(/@requiresScopes\(scopes: \[\["owners:read"\]\]\)/);
  });

  it('writes to stdout for "-" (npm run -s schema:print -- - > file)', async () => {
    const chunks: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
    try {
      await printSchema('-');
    } finally {
      spy.mockRestore();
    }
    expect(chunks.join('')).toBe(await servedSubgraphSdl());
  });

  it(`defaults to ${DEFAULT_SCHEMA_FILE} in the working directory`, () => {
    expect(DEFAULT_SCHEMA_FILE).toBe('schema.generated.graphql');
  });

  const cli = join(ROOT, 'src', 'tools', 'print-schema.ts');
  it('the CLI writes the same file (npm run schema:print -- <file>, i.e. tsx src/tools/print-schema.ts <file>)', async () => {
    const file = join(dir, 'cli.graphql');
    const run = spawnSync(process.execPath, ['--import', 'tsx', cli, file], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30000,
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(`wrote ${file}`);
    expect(readFileSync(file, 'utf8')).toBe(await servedSubgraphSdl());
  });
});
