import { readFileSync } from 'node:fs';
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
