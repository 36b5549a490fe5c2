import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { runLogFile } from './log-scan';

/**
 * Jest globalSetup (runs once, before any worker starts; workers inherit this process's environment):
 * - empties the run log, so the global teardown scans exactly the lines written during this run;
 * - sets a random Fiks integration password that every test stack's embedded emulator uses, so the scan can prove
 *   that the configured password never reaches a log line.
 */
export default function globalSetup(): void {
  const file = runLogFile();
  process.env.LOG_FILE = file;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, '');
  process.env.FIKS_INTEGRATION_PASSWORD ??= `pw-${randomBytes(18).toString('base64url')}`;
}
