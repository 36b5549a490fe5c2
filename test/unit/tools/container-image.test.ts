import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ignore from '@balena/dockerignore';

/**
 * The Dockerfile and its build context, offline. `npm run container:smoke` builds and runs the image for real; these
 * checks are the fast part: what each stage does, and what the context lets in.
 */

const ROOT = join(__dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Dockerfile → stages of instructions (comments dropped, `\` continuations joined). */
function parseDockerfile(text: string): { args: Instruction[]; stages: Stage[] } {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const args: Instruction[] = [];
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, op, rest] = /^(\S+)\s*(.*)$/.exec(line)!;
    const instruction = { op: op.toUpperCase(), args: rest };
    if (instruction.op === 'FROM') {
      const [, from, name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest)!;
      stages.push({ from, name, instructions: [] });
    } else if (stages.length === 0) {
      args.push(instruction);
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { args, stages };
}

const { args, stages } = parseDockerfile(read('Dockerfile'));
const stage = (name: string) => stages.find((s) => s.name === name)!;
const runs = (s: Stage) => s.instructions.filter((i) => i.op === 'RUN').map((i) => i.args);
const copies = (s: Stage) => s.instructions.filter((i) => i.op === 'COPY').map((i) => i.args);
const last = (s: Stage, op: string) => [...s.instructions].reverse().find((i) => i.op === op)?.args;

describe('Dockerfile', () => {
  const runtime = stages[stages.length - 1];

  it('builds on Node 22 LTS; the product (`runtime`) is the last stage, so a plain `docker build` makes it', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', 'emulator', 'runtime']);
    const image = args.find((a) => a.op === 'ARG' && a.args.startsWith('NODE_IMAGE='))?.args.split('=')[1];
    expect(image).toBe('node:22-bookworm-slim');
    for (const name of ['build', 'deps', 'runtime']) expect(stage(name).from).toBe('${NODE_IMAGE}');
    expect(stage('emulator').from).toBe('build');
  });

  it('every npm ci is followed by `npm ls` over the same tree, so an install that left packages out fails the build', () => {
    for (const name of ['build', 'deps']) {
      const r = runs(stage(name));
      const ci = r.findIndex((x) => /^npm ci\b/.test(x));
      expect(ci).toBeGreaterThanOrEqual(0);
      const omitDev = r[ci].includes('--omit=dev');
      expect(r[ci + 1]).toBe(omitDev ? 'npm ls --omit=dev --all > /dev/null' : 'npm ls --all > /dev/null');
    }
    expect(runs(stage('deps'))[0]).toMatch(/^npm ci --omit=dev --ignore-scripts\b/);
  });

  it('that `npm ls` really fails when npm ci exited 0 having installed nothing (the npm 10.8 bug)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'npm-ls-guard-'));
    try {
      copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
      copyFileSync(join(ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
      for (const name of ['build', 'deps']) {
        const guard = runs(stage(name)).find((x) => x.startsWith('npm ls'))!;
        const result = spawnSync('sh', ['-c', guard], { cwd: dir, encoding: 'utf8' });
        expect({ guard, status: result.status }).toEqual({ guard, status: 1 });
        expect(result.stderr).toMatch(/missing: @apollo\/server/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runtime holds the product only: production node_modules, dist/src, schema/, migrations/, package files', () => {
    expect(copies(runtime).sort()).toEqual(
      [
        'package.json package-lock.json ./',
        '--from=deps /app/node_modules ./node_modules',
        '--from=build /app/dist/src ./dist/src',
        'schema ./schema',
        'migrations ./migrations',
      ].sort(),
    );
    // It installs nothing itself, so no npm run (or failure of one) happens in the image that ships.
    expect(runs(runtime)).toEqual([]);
    const env = runtime.instructions
      .filter((i) => i.op === 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/NODE_ENV=production/);
    // tsconfig.build.json compiles src/ alone: nothing else can end up in dist/src.
    expect(JSON.parse(read('tsconfig.build.json')).include).toEqual(['src']);
  });

  it('runs as the numeric user 1000:1000, exposes 4001, starts node dist/src/index.js in exec form', () => {
    for (const s of [runtime, stage('emulator')]) {
      expect(last(s, 'USER')).toBe('1000:1000');
      const ops = s.instructions.map((i) => i.op);
      expect(ops.lastIndexOf('USER')).toBeLessThan(ops.lastIndexOf('CMD'));
    }
    expect(last(runtime, 'EXPOSE')).toBe('4001');
    expect(JSON.parse(last(runtime, 'CMD')!)).toEqual(['node', 'dist/src/index.js']);
    expect(last(runtime, 'HEALTHCHECK')).toContain('/health/live');
  });

  it('the emulator stage runs emulator/main.ts and is never a source of the runtime stage', () => {
    expect(JSON.parse(last(stage('emulator'), 'CMD')!)).toEqual(['node', '--import', 'tsx', 'emulator/main.ts']);
    expect(copies(stage('emulator'))).toEqual(['emulator ./emulator']);
    expect(copies(runtime).some((c) => c.includes('--from=emulator'))).toBe(false);
  });

  it('every path copied from the build context exists and passes .dockerignore', () => {
    const ig = ignore().add(read('.dockerignore'));
    for (const s of stages) {
      for (const copy of copies(s).filter((c) => !c.startsWith('--from'))) {
        for (const source of copy.split(/\s+/).slice(0, -1)) {
          expect(existsSync(join(ROOT, source))).toBe(true);
          expect({ source, ignored: ig.ignores(source) }).toEqual({ source, ignored: false });
        }
      }
    }
  });
});

describe('.dockerignore (Docker’s own matching rules, @balena/dockerignore)', () => {
  const ig = ignore().add(read('.dockerignore'));

  it('keeps keys, credentials and the dev tools’ local state out of the context at any depth', () => {
    const secret = [
      '.dev-auth/private-key.pem',
      '.dev-auth/jwks.json',
      '.emulator/env',
      '.emulator/client-key.pem',
      'emulator/.emulator/env',
      'src/deep/er/maskinporten.pem',
      'key.pem',
      'cert/client.p12',
      'a/b/.env',
      '.env',
      '.env.production',
      'sub/.npmrc',
      '.data/pglite/base/1',
      'test-logs/run.log',
      'emulator/test-logs/run.log',
      'npm-debug.log',
    ];
    expect(secret.filter((p) => !ig.ignores(p))).toEqual([]);
  });

  it('keeps dependencies, build output and everything no stage copies out', () => {
    const notCopied = [
      'node_modules/jose/package.json',
      'emulator/node_modules/x/index.js',
      'dist/src/index.js',
      'emulator/dist/main.js',
      'src/__generated__/resolvers-types.ts',
      'test/unit/x.test.ts',
      'dev/start.ts',
      'bench/run.ts',
      'examples/supergraph.ts',
      'deploy/kustomization.yaml',
      'scripts/container-smoke.ts',
      '.git/HEAD',
      'README.md',
    ];
    expect(notCopied.filter((p) => !ig.ignores(p))).toEqual([]);
  });

  it('no key, env file or dev credential present in this checkout would be sent to the builder', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.name === 'node_modules' || entry.name === '.git') continue;
        if (entry.isDirectory()) walk(path);
        else files.push(relative(ROOT, path));
      }
    };
    walk(ROOT);
    const sent = ig.filter(files);
    expect(sent.filter((f) => /\.(pem|p12|pfx|key)$|(^|\/)\.env|(^|\/)\.(dev-auth|emulator|data)\//.test(f))).toEqual(
      [],
    );
    expect(sent).toContain('src/index.ts');
  });
});
