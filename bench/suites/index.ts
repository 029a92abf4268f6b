// Every runnable suite, in the order `npm run bench` runs them.
import type { Suite } from '../harness';
import { latencySuite } from './latency';
import { reduceSuite } from './reduce';

export const suites: readonly Suite[] = [reduceSuite, latencySuite];
