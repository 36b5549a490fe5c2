/** Entry point of the IVI check worker threads (pool.ts): one task = one checkIvi call. */
import { checkIvi } from './check';

export default checkIvi;
