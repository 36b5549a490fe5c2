import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The emulator stands in for SVV and Fiks, so it must not share the subgraph's code: a bug in `src/` would then be
 * mirrored by the "upstream" and no test could see it. `npm run build:emulator` proves it with tsc (rootDir emulator/);
 * this test says which import is wrong without a build, and that src/ does not load the emulator either.
 */
const ROOT = resolve(__dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'dist' || entry.name === '__generated__' ? [] : sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative module specifiers of `import … from`, `export … from`, `import()` and `require()`. */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)];
  return found.map((m) => m[1]);
}

describe('the emulator is apart from the product', () => {
  it('imports nothing outside emulator/', () => {
    const outside = sources(join(ROOT, 'emulator')).flatMap((file) =>
      relativeImports(file)
        .map((spec) => relative(join(ROOT, 'emulator'), resolve(dirname(file), spec)))
        .filter((target) => target.startsWith('..'))
        .map((target) => `${relative(ROOT, file)} → ${target}`),
    );
    expect(outside).toEqual([]);
  });

  it('src/ never loads the emulator', () => {
    const intoEmulator = sources(join(ROOT, 'src')).flatMap((file) =>
      relativeImports(file)
        .map((spec) => relative(ROOT, resolve(dirname(file), spec)))
        .filter((target) => target === 'emulator' || target.startsWith('emulator/'))
        .map((target) => `${relative(ROOT, file)} → ${target}`),
    );
    expect(intoEmulator).toEqual([]);
  });

  it('builds on its own: emulator/tsconfig.json has rootDir emulator/ and npm run build:emulator uses it', () => {
    const tsconfig = JSON.parse(readFileSync(join(ROOT, 'emulator/tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions).toMatchObject({ rootDir: '.', outDir: 'dist' });
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts['build:emulator']).toBe('tsc -p emulator/tsconfig.json');
  });
});
