import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

// Every log line of the test run goes to one file, which the global teardown scans for personal data and secrets.
const dir = join(__dirname, '..', '..', 'test-logs');
mkdirSync(dir, { recursive: true });
process.env.LOG_FILE ??= join(dir, 'run.log');
