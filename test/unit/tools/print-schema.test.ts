import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { DEFAULT_SCHEMA_FILE, printSchema, servedSubgraphSdl } from '../../../src/tools/print-schema';
import { repoSandbox } from '../../helpers/npm-script';
import { startStack, type Stack } from '../../helpers/stack';

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

  // The commands as the docs give them, through npm, in a sandbox of the repository (the files land there).
  const npm = (command: string) => {
    const cwd = repoSandbox();
    sandboxes.push(cwd);
    const run = spawnSync('bash', ['-c', command], { cwd, encoding: 'utf8' });
    return { ...run, cwd };
  };
  const sandboxes: string[] = [];
  afterAll(() => sandboxes.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('npm run -s schema:print -- - > sdl.graphql: the file holds the SDL alone, and it composes as it is', async () => {
    const run = npm('npm run -s schema:print -- - > sdl.graphql');
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const sdl = readFileSync(join(run.cwd, 'sdl.graphql'), 'utf8');
    expect(sdl).toBe(await servedSubgraphSdl());
    const composed = composeServices([{ name: 'kjoretoy', url: 'http://kjoretoy.test/graphql', typeDefs: parse(sdl) }]);
    expect(composed.errors).toBeUndefined();
    expect(composed.supergraphSdl).toContain('type Vehicle');
  });

  it('npm run schema:print -- <file> writes the file and says so on stderr', async () => {
    const run = npm('npm run -s schema:print -- out.graphql');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`wrote ${join(run.cwd, 'out.graphql')}`);
    expect(readFileSync(join(run.cwd, 'out.graphql'), 'utf8')).toBe(await servedSubgraphSdl());
  });
});
