// Every runnable suite, in the order `npm run bench` runs them.
import type { Suite } from '../harness';
import { gbdtSuite } from './gbdt';
import { ioSuite } from './io';
import { latencySuite } from './latency';
import { linalgSuite } from './linalg';
import { logisticSuite } from './logistic';
import { mlpSuite } from './mlp';
import { parallelSuite } from './parallel';
import { preprocessSuite } from './preprocess';
import { reduceSuite } from './reduce';
import { treesSuite } from './trees';

export const suites: readonly Suite[] = [reduceSuite, latencySuite, linalgSuite, ioSuite, preprocessSuite, logisticSuite, treesSuite, gbdtSuite, mlpSuite, parallelSuite];
