// The JS peers of the trees suite: ml-cart's DecisionTreeClassifier and ml-random-forest's
// RandomForestClassifier (plain JS on the main thread, number[][] input).
import fs from 'node:fs';
import path from 'node:path';
import type { Matrix } from '../../lib/tensor';

interface MlModel {
  train(X: number[][], y: number[]): void;
  predict(X: number[][]): number[];
}

// Both packages ship CommonJS; their declarations do not cover these constructors' options.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DecisionTreeClassifier: MlCart } = require('ml-cart') as { DecisionTreeClassifier: new (options: object) => MlModel };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { RandomForestClassifier: MlForest } = require('ml-random-forest') as { RandomForestClassifier: new (options: object) => MlModel };

export function mlPackageVersion(name: 'ml-cart' | 'ml-random-forest'): string {
  let dir = path.dirname(require.resolve(name));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

function rowsOf(X: Matrix, rows: number): number[][] {
  return Array.from({ length: rows }, (_, i) => Array.from(X.data.subarray(i * X.cols, (i + 1) * X.cols)));
}

export interface MlTreeResult {
  fitMs: number;
  predictMs: number;
  accuracy: number;
}

/**
 * Trains on the first `rows` training rows and scores the test set. The forest draws `maxFeatures`
 * features per tree (ml-random-forest's feature bagging is per tree, not per split) and bootstraps rows.
 */
export function runMlTrees(
  kind: 'tree' | 'forest',
  train: { X: Matrix; y: Int32Array },
  test: { X: Matrix; y: Int32Array },
  rows: number,
  forest: { nEstimators: number; maxFeatures: number; seed: number },
): MlTreeResult {
  const X = rowsOf(train.X, rows);
  const y = Array.from(train.y.subarray(0, rows));
  const model =
    kind === 'tree'
      ? new MlCart({ gainFunction: 'gini' })
      : new MlForest({ ...forest, replacement: false, useSampleBagging: true, noOOB: true, treeOptions: { gainFunction: 'gini' } });
  let start = performance.now();
  model.train(X, y);
  const fitMs = performance.now() - start;
  const Xt = rowsOf(test.X, test.X.rows);
  start = performance.now();
  const predicted = model.predict(Xt);
  const predictMs = performance.now() - start;
  let right = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === test.y[i]) right++;
  return { fitMs, predictMs, accuracy: right / predicted.length };
}
