import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isValidFodselsnummer } from '../../src/domain/identifiers';
import { Dataset } from '../../emulator/dataset';
import { createLogger, type Logger } from '../../src/observability/logger';

/**
 * The privacy scan of the test run's logs (issue #5): every line written during `npx jest` must be free of
 * fødselsnummer, owner names from the emulator dataset, bearer tokens, JWTs and configured secrets. Used by
 * test/helpers/global-teardown.ts, and by unit tests of the scan itself.
 */

/** Where the test run's logs go (test/helpers/setup-env.ts points LOG_FILE here for every worker). */
export function runLogFile(): string {
  return process.env.LOG_FILE ?? join(__dirname, '..', '..', 'test-logs', 'run.log');
}

/**
 * A router secret the security tests use, known to the scan: it must never appear in a log line. (A constant, not
 * random: the tests and the global teardown run in different processes.)
 */
export const TEST_ROUTER_SECRET = 'test-router-secret-6b1d0c2e9f';

export type FindingKind = 'fodselsnummer' | 'owner-name' | 'bearer' | 'jwt' | 'secret' | 'private-key';

export interface Finding {
  /** 1-based line number in the log file. */
  line: number;
  kind: FindingKind;
  /** The match, masked (first characters only), so the failure report does not repeat what it found. */
  hint: string;
  /** The log line's `msg`, when it is JSON, to find the code that wrote it. */
  msg?: string;
}

export interface ScanOptions {
  /** Owner names (any case); matched as whole words, case-insensitively. */
  names?: Iterable<string>;
  /** Secret values that must not appear verbatim (passwords, router secret). */
  secrets?: Iterable<string | undefined>;
}

const ELEVEN_DIGITS = /(?<!\d)\d{11}(?!\d)/g;
/**
 * Random hex identifiers (correlation UUIDs, trace and span ids): one group can hold eleven decimal digits with valid
 * check digits by chance (about 3.5e-5 per UUID: some 900 UUIDs per suite made it about one CI run in sixteen), so
 * their digits are not scanned.
 */
const HEX_IDENTIFIERS =
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<![0-9a-z])[0-9a-f]{16,}(?![0-9a-z])/gi;
const BEARER = /Bearer /gi;
const JWT = /eyJ[A-Za-z0-9_-]{5,}/g;
const PRIVATE_KEY = /PRIVATE KEY-----/g;
const WORD = /\p{L}+/gu;

function mask(text: string): string {
  return text.length <= 4 ? '*'.repeat(text.length) : `${text.slice(0, 3)}…(${text.length} chars)`;
}

function msgOf(line: string): string | undefined {
  try {
    const parsed = JSON.parse(line) as { msg?: unknown };
    return typeof parsed.msg === 'string' ? parsed.msg : undefined;
  } catch {
    return undefined;
  }
}

/** Names are indexed as word sequences (lower case), so a line is checked in one pass over its words. */
function nameIndex(names: Iterable<string>): { set: Set<string>; lengths: number[] } {
  const set = new Set<string>();
  const lengths = new Set<number>();
  for (const name of names) {
    const words = name.toLowerCase().match(WORD);
    if (!words || words.length < 2) continue; // a single word is no full name, and too easily a false alarm
    set.add(words.join(' '));
    lengths.add(words.length);
  }
  return { set, lengths: [...lengths].sort((a, b) => a - b) };
}

export function scanLogText(text: string, options: ScanOptions = {}): Finding[] {
  const names = nameIndex(options.names ?? []);
  const secrets = [...(options.secrets ?? [])].filter((s): s is string => typeof s === 'string' && s.length >= 6);
  const findings: Finding[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line === '') return;
    const add = (kind: FindingKind, match: string) =>
      findings.push({ line: i + 1, kind, hint: mask(match), msg: msgOf(line) });

    const withoutHexIdentifiers = line.replace(HEX_IDENTIFIERS, '#');
    for (const m of withoutHexIdentifiers.matchAll(ELEVEN_DIGITS)) {
      if (isValidFodselsnummer(m[0])) add('fodselsnummer', m[0]);
    }
    for (const m of line.matchAll(BEARER)) add('bearer', m[0]);
    for (const m of line.matchAll(JWT)) add('jwt', m[0]);
    for (const m of line.matchAll(PRIVATE_KEY)) add('private-key', m[0]);
    for (const secret of secrets) if (line.includes(secret)) add('secret', secret);

    if (names.set.size > 0) {
      const words = (line.toLowerCase().match(WORD) ?? []) as string[];
      for (let w = 0; w < words.length; w++) {
        for (const n of names.lengths) {
          if (w + n > words.length) break;
          const candidate = words.slice(w, w + n).join(' ');
          if (names.set.has(candidate)) add('owner-name', candidate);
        }
      }
    }
  });
  return findings;
}

/**
 * Full names of every person in the emulator's default dataset (seed and size the test stacks use): "FORNAVN
 * [MELLOMNAVN] ETTERNAVN" and, with a middle name, also "FORNAVN ETTERNAVN".
 */
export function datasetOwnerNames(options: { seed?: number; vehicles?: number } = {}): Set<string> {
  const dataset = new Dataset(options);
  const names = new Set<string>();
  for (let p = 0; p < dataset.personCount; p++) {
    const person = dataset.person(p);
    names.add(person.fullName);
    if (person.mellomnavn) names.add(`${person.fornavn} ${person.etternavn}`);
  }
  return names;
}

/** The secrets the test run configures, read from the environment the global setup prepared. */
export function configuredSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  return [
    env.FIKS_INTEGRATION_PASSWORD,
    env.MASKINPORTEN_P12_PASSWORD,
    env.ROUTER_SECRET,
    TEST_ROUTER_SECRET,
    env.TEST_DATABASE_PASSWORD,
  ].filter((s): s is string => typeof s === 'string' && s !== '');
}

export function scanLogFile(file: string, options: ScanOptions): { lines: number; findings: Finding[] } {
  if (!existsSync(file)) return { lines: 0, findings: [] };
  const text = readFileSync(file, 'utf8');
  return { lines: text.split('\n').filter(Boolean).length, findings: scanLogText(text, options) };
}

export function describeFindings(file: string, findings: Finding[], limit = 20): string {
  const shown = findings
    .slice(0, limit)
    .map((f) => `  line ${f.line}: ${f.kind} ${f.hint}${f.msg ? ` (msg: "${f.msg}")` : ''}`)
    .join('\n');
  const more = findings.length > limit ? `\n  … and ${findings.length - limit} more` : '';
  return `Log scan of ${file}: ${findings.length} finding(s) of personal data or secrets:\n${shown}${more}`;
}

/** A parsed log line; tests read nested fields (`err.message`), so it is loosely typed on purpose. */
export type LogEntry = Record<string, any>;

export interface CapturedLog {
  logger: Logger;
  /** Every line written so far, parsed. */
  entries(): LogEntry[];
  /** Every line written so far, raw. */
  text(): string;
}

/**
 * A real pino logger (the project's redaction config) whose lines are kept for assertions and also appended to the
 * run log, so the global scan sees them too.
 */
export function captureLogger(level = 'debug'): CapturedLog {
  const chunks: string[] = [];
  const file = runLogFile();
  const logger = createLogger(
    { level },
    {
      write(chunk: string) {
        chunks.push(chunk);
        appendFileSync(file, chunk);
      },
    },
  );
  const text = () => chunks.join('');
  return {
    logger,
    text,
    entries: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as LogEntry),
  };
}
