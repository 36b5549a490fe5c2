import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { graphql } from 'graphql';
import { buildSchema } from '../schema';

/**
 * `npm run schema:print [-- <file> | -]`: writes this subgraph's SDL for `rover subgraph check` / `rover subgraph
 * publish` in a user's pipeline. Needs no environment, no emulator and no network.
 */

export const DEFAULT_SCHEMA_FILE = 'schema.generated.graphql';

/**
 * Exactly what the running server answers to `{ _service { sdl } }`. It is taken from that field rather than from
 * `printSubgraphSchema()`: `@apollo/subgraph` serves federation-internals' printer, and the two printers differ in
 * details (directive definitions, ordering), so only this is guaranteed to be what a router fetches.
 */
export async function servedSubgraphSdl(): Promise<string> {
  const result = await graphql({ schema: buildSchema(), source: '{ _service { sdl } }', contextValue: {} });
  const sdl = (result.data?._service as { sdl?: unknown } | undefined)?.sdl;
  if (result.errors?.length || typeof sdl !== 'string') {
    throw new Error(`could not read _service.sdl: ${result.errors?.map((e) => e.message).join('; ') ?? 'no sdl'}`);
  }
  return sdl;
}

/** Writes the SDL to `target` (relative to the working directory), or to stdout for `-`. */
export async function printSchema(target: string = DEFAULT_SCHEMA_FILE): Promise<{ path: string; bytes: number }> {
  const sdl = await servedSubgraphSdl();
  if (target === '-') {
    process.stdout.write(sdl);
    return { path: '-', bytes: Buffer.byteLength(sdl) };
  }
  const path = resolve(target);
  writeFileSync(path, sdl, 'utf8');
  return { path, bytes: Buffer.byteLength(sdl) };
}

async function main(argv: string[]): Promise<void> {
  const target = argv[0] ?? DEFAULT_SCHEMA_FILE;
  const { path, bytes } = await printSchema(target);
  // stderr, so `npm run -s schema:print -- - > file` leaves only the SDL on stdout.
  if (path !== '-')
    process.stderr.write(
      `wrote ${path} (${bytes} bytes); e.g. rover subgraph check <graph-ref> --name kjoretoy --schema ${target}\n`,
    );
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`schema:print failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
