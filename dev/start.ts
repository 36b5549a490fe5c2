import { startApp } from '../src/app';
import { runUntilSignal } from '../src/lifecycle';
import { createLogger } from '../src/observability/logger';
import { startAppOnEmulator } from './embedded';

/**
 * `npm start`: the subgraph on PORT over the emulator on EMULATOR_PORT (synthetic data, no credentials needed).
 * With FIKS_BASE_URL set it starts the subgraph alone on the configured upstreams, as `node dist/src/index.js` does.
 */
const logger = createLogger({ level: process.env.LOG_LEVEL });
void runUntilSignal(() => (process.env.FIKS_BASE_URL ? startApp({ logger }) : startAppOnEmulator({ logger })), logger);
