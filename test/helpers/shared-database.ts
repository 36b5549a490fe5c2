import type { EmbeddedDatabase } from '../../dev/embedded-database';

/** The run's embedded database, handed from the global setup to the global teardown (same process). */
const KEY = Symbol.for('kjoretoy-subgraph.test.sharedDatabase');
type Holder = { [KEY]?: EmbeddedDatabase };

export function setSharedDatabase(database: EmbeddedDatabase): void {
  (globalThis as Holder)[KEY] = database;
}

export async function closeSharedDatabase(): Promise<void> {
  const database = (globalThis as Holder)[KEY];
  (globalThis as Holder)[KEY] = undefined;
  await database?.close();
}
