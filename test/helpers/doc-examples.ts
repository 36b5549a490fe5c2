import MarkdownIt from 'markdown-it';

/**
 * The examples of a Markdown file: its fenced code blocks, with their language and the `docs-test` marker that may
 * stand on the line above. markdown-it finds the fences (indented ones in list items too), so the rules are
 * CommonMark's, not a regex's.
 *
 * Which blocks run (test/docs/examples.test.ts):
 *   ```graphql  each operation is sent to the dev stack (`npm run supergraph`'s subgraph on the emulator)
 *   ```sh       (or bash, shell) run by bash in a sandbox copy of the repository, with the servers it needs
 * Blocks of other languages (ts, yaml, json, promql, text, ...) are shown, not run. Every block names its language.
 *
 * Markers, an HTML comment (invisible on GitHub) on the line right above the fence:
 *   <!-- docs-test: skip: <why> -->           not run; the reason shows in the test's name. Use sparingly: for what
 *                                             CI runs anyway (npm ci, npm test, lint) or what needs what CI lacks
 *                                             (a Docker engine, Apollo's hosted registry, a real router).
 *   <!-- docs-test: expect-error <CODE> -->   the example shows this error on purpose (comma-separate several).
 */

export type RunnableLanguage = 'graphql' | 'sh';

export interface DocExample {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's first word, as written ('' when the fence names none). */
  lang: string;
  /** How the test runs it, or undefined for a block that is only shown. */
  runs?: RunnableLanguage;
  code: string;
  /** From `docs-test: skip: <why>`. */
  skip?: string;
  /** From `docs-test: expect-error <CODE>`. */
  expectErrors: string[];
}

const RUNS: Record<string, RunnableLanguage> = { graphql: 'graphql', sh: 'sh', bash: 'sh', shell: 'sh' };
const MARKER = /^<!--\s*docs-test:\s*(.*?)\s*-->$/;

export class DocExampleError extends Error {}

export function extractExamples(markdown: string, file: string): DocExample[] {
  const lines = markdown.split('\n');
  const tokens = new MarkdownIt().parse(markdown, {});
  return tokens
    .filter((t) => t.type === 'fence' && t.map)
    .map((t) => {
      const start = t.map![0];
      const lang = t.info.trim().split(/\s+/)[0] ?? '';
      const example: DocExample = { file, line: start + 1, lang, runs: RUNS[lang], code: t.content, expectErrors: [] };
      let above = start - 1;
      while (above >= 0 && lines[above].trim() === '') above--;
      const marker = above >= 0 ? MARKER.exec(lines[above].trim()) : null;
      if (marker) applyMarker(example, marker[1]);
      return example;
    });
}

function applyMarker(example: DocExample, directive: string): void {
  const where = `${example.file}:${example.line}`;
  const skip = /^skip:\s*(\S.*)$/.exec(directive);
  const expectError = /^expect-error\s+([A-Z_]+(?:\s*,\s*[A-Z_]+)*)$/.exec(directive);
  if (skip) example.skip = skip[1];
  else if (expectError) example.expectErrors = expectError[1].split(/\s*,\s*/);
  else {
    throw new DocExampleError(
      `${where}: unknown marker "docs-test: ${directive}"; use "skip: <why>" or "expect-error <CODE>"`,
    );
  }
}

/** Shell logical lines: a line ending in a backslash continues on the next. */
export function logicalLines(script: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of script.split('\n')) {
    if (line.endsWith('\\')) {
      current += `${line}\n`;
      continue;
    }
    out.push(current + line);
    current = '';
  }
  if (current) out.push(current);
  return out;
}

/** The dev servers a shell line starts and keeps running (`npm start`, `npm run supergraph`, `npm run emulator`). */
export type ServerKind = 'start' | 'supergraph' | 'emulator';

export function serverStartedBy(line: string): ServerKind | undefined {
  const command = line.replace(/#.*$/, '').trim();
  if (!command) return undefined;
  const match = /(?:^|[\s;&|])npm\s+(start|run\s+(supergraph|emulator))(?:\s+--\s.*)?\s*$/.exec(command);
  if (!match) return undefined;
  return match[1] === 'start' ? 'start' : (match[2] as ServerKind);
}

/**
 * Commands an example may show but the docs test must not run: they change the installation the test itself runs
 * from (a sandbox links to the real node_modules), run the suite again, take minutes, or need what CI lacks. A block
 * with one must carry a `docs-test: skip: <why>` marker; the test refuses to run it otherwise.
 */
const NOT_RUN_BY_THE_TEST: [RegExp, string][] = [
  [/\bnpm\s+(ci|i|install|uninstall|update|rebuild|prune)\b/, 'changes node_modules'],
  [/\bnpm\s+(test|t)\b|\bnpx\s+jest\b|\bnpm\s+run\s+test\b/, 'runs the test suite'],
  [/\bnpm\s+run\s+(build|lint|format|typecheck|codegen|bench)\b/, 'CI runs it itself, or it takes minutes'],
  [/\b(docker|podman|rover|kubectl|git)\s/, 'needs a tool or service the test does not start'],
  [/(^|[\s;&|])(rm|sudo)\s/, 'deletes files or needs root'],
];

/** Why the docs test must not run this shell line (undefined: it may). */
export function notRunnable(line: string): string | undefined {
  const command = line.replace(/(^|\s)#.*$/gm, '').trim();
  return NOT_RUN_BY_THE_TEST.find(([pattern]) => pattern.test(command))?.[1];
}

/** The ports the docs use, by what listens there. */
export const DOC_PORTS = { gateway: 4000, subgraph: 4001, parkingPermits: 4002, emulator: 4010 } as const;
export type PortMap = Record<keyof typeof DOC_PORTS, number>;

/** Points the docs' fixed ports (localhost or 127.0.0.1) at the ones a test run uses. */
export function rewritePorts(text: string, ports: PortMap): string {
  const byDocPort = new Map<number, number>(
    Object.entries(DOC_PORTS).map(([name, port]) => [port, ports[name as keyof PortMap]]),
  );
  return text.replace(/\b(?:localhost|127\.0\.0\.1):(\d{4})\b/g, (whole, port: string) => {
    const to = byDocPort.get(Number(port));
    return to === undefined ? whole : `127.0.0.1:${to}`;
  });
}

/** Which docs ports a text uses. */
export function portsUsed(text: string): Set<number> {
  return new Set([...text.matchAll(/\b(?:localhost|127\.0\.0\.1):(\d{4})\b/g)].map((m) => Number(m[1])));
}

/**
 * What is wrong with a GraphQL answer an example got ([] = fine): not JSON, or no data; an error whose code is not in
 * `allowedErrors`; a root field that came back null with no error (the example's identifier is not in the seeded
 * dataset); a non-empty `errors` list inside the data (preRegister's problems are data). `codes` lists the error codes.
 */
export function answerProblems(
  text: string,
  allowedErrors: readonly string[],
): { problems: string[]; codes: string[] } {
  let body: { data?: Record<string, unknown> | null; errors?: { message?: string; extensions?: { code?: string } }[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return { problems: [`not a JSON answer: ${text.slice(0, 200)}`], codes: [] };
  }
  const problems: string[] = [];
  const errors = body.errors ?? [];
  const codes = errors.map((e) => e.extensions?.code ?? 'NO_CODE');
  for (const e of errors) {
    const code = e.extensions?.code ?? 'NO_CODE';
    if (!allowedErrors.includes(code)) problems.push(`error ${code}: ${e.message ?? ''}`);
  }
  if (!body.data) {
    if (!errors.length) problems.push('no data and no errors');
    return { problems, codes };
  }
  if (!errors.length) {
    for (const [field, value] of Object.entries(body.data)) {
      if (value === null) problems.push(`${field} is null: is the example's identifier in the seeded dataset?`);
    }
  }
  const inner = (value: unknown, path: string): void => {
    if (Array.isArray(value)) value.forEach((v, i) => inner(v, `${path}.${i}`));
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === 'errors' && Array.isArray(v) && v.length) problems.push(`${path}.errors: ${JSON.stringify(v)}`);
        else inner(v, `${path}.${k}`);
      }
    }
  };
  inner(body.data, 'data');
  return { problems, codes };
}
