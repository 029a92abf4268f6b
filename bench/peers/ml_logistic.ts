// The JS peer: ml-logistic-regression (full-batch gradient descent on ml-matrix, one-vs-all for
// every class, no intercept, no regularisation), run on the main thread.
import fs from 'node:fs';
import path from 'node:path';
import { Matrix as MlMatrix } from 'ml-matrix';
import type { Matrix } from '../../lib/tensor';

interface MlLogisticRegression {
  train(X: MlMatrix, Y: MlMatrix): void;
  predict(X: MlMatrix): number[];
}

type MlLogisticConstructor = new (options: { numSteps: number; learningRate: number }) => MlLogisticRegression;

// The package ships CommonJS without type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const MlLogistic = require('ml-logistic-regression') as MlLogisticConstructor;

export function mlLogisticVersion(): string {
  const manifest = path.join(path.dirname(require.resolve('ml-logistic-regression')), '..', 'package.json');
  return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
}

function toMl(X: Matrix, rows: number): MlMatrix {
  const out = new MlMatrix(rows, X.cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < X.cols; j++) out.set(i, j, X.data[i * X.cols + j]);
  return out;
}

export interface MlLogisticResult {
  fitMs: number;
  accuracy: number;
}

/** Trains on the first `rows` training rows (numSteps gradient steps per class), then scores the test set. */
export function runMlLogistic(
  train: { X: Matrix; y: Int32Array },
  test: { X: Matrix; y: Int32Array },
  rows: number,
  numSteps: number,
  learningRate: number,
): MlLogisticResult {
  const X = toMl(train.X, rows);
  const Y = MlMatrix.columnVector(Array.from(train.y.subarray(0, rows)));
  const model = new MlLogistic({ numSteps, learningRate });
  const start = performance.now();
  model.train(X, Y);
  const fitMs = performance.now() - start;
  const predicted = model.predict(toMl(test.X, test.X.rows));
  let right = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === test.y[i]) right++;
  return { fitMs, accuracy: right / predicted.length };
}
