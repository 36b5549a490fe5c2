import { configuredSecrets, datasetOwnerNames, describeFindings, runLogFile, scanLogFile } from './log-scan';
import { closeSharedDatabase } from './shared-database';

/**
 * Jest globalTeardown: stops the run's embedded database, then scans every line the test run wrote to the run log and
 * fails the run (a thrown error makes `npx jest` exit non-zero) on a fødselsnummer, an owner name from the emulator
 * dataset, a bearer token, a JWT, a private key or a configured secret.
 */
export default async function globalTeardown(): Promise<void> {
  await closeSharedDatabase();
  const file = runLogFile();
  const { lines, findings } = scanLogFile(file, { names: datasetOwnerNames(), secrets: configuredSecrets() });
  if (findings.length > 0) throw new Error(describeFindings(file, findings));
  process.stderr.write(`Log scan: ${lines} log line(s) in ${file}, no personal data or secrets found.\n`);
}
