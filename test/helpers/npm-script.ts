import { mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

/**
 * The command line package.json gives an npm script, as argv with this Node first: tests run exactly what `npm run`
 * runs (same loader flags, same entry point) without npm's own start-up in between, e.g. to send the process a signal.
 */
export function npmScriptArgv(name: string): string[] {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  const [command, ...args] = (scripts[name] ?? '').split(/\s+/).filter(Boolean);
  if (command !== 'node') throw new Error(`npm script "${name}" does not start with node: ${scripts[name]}`);
  return [process.execPath, ...args];
}

/**
 * A temporary directory that npm takes for the repository (links to each of its top-level entries), so `npm run ...`
 * runs there and what a command writes (`.dev-auth/`, an SDL file) lands in it, not in the working tree.
 */
export function repoSandbox(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kjoretoy-sandbox-'));
  // What dev commands write or lock (the ledger's PGlite folder, the composed supergraph, keys): each sandbox its own.
  const writtenByCommands = new Set([
    '.git',
    '.dev-auth',
    '.emulator',
    '.data',
    '.supergraph',
    'test-logs',
    'test-artifacts',
    'schema.generated.graphql',
  ]);
  for (const name of readdirSync(ROOT))
    if (!writtenByCommands.has(name)) symlinkSync(join(ROOT, name), join(dir, name));
  return dir;
}
