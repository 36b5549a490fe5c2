import { startApp } from './app';
import { runUntilSignal } from './lifecycle';
import { createLogger } from './observability/logger';

/** The production entry point (`node dist/src/index.js`): upstreams and caller auth from the environment. */
const logger = createLogger({ level: process.env.LOG_LEVEL });
void runUntilSignal(() => startApp({ logger }), logger);
