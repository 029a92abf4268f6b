// Typed front of sklearn_mlp.py: scikit-learn's MLPClassifier (adam) on the bench's data.
import type { Split } from '../data';
import { runPythonPeer, TempArrays } from './python';

export interface SklearnMlpCase {
  key: string;
  train: Split;
  test: Split;
  hidden: number[];
  batchSize: number;
  learningRateInit: number;
  alpha: number;
  maxIter: number;
  repeats: number;
  predictRepeats: number;
}

export interface SklearnMlpResult {
  key: string;
  samples_ms: number[];
  n_iter: number;
  /** The dtype of the fitted coefficients: scikit-learn trains in the dtype of X. */
  train_dtype: string;
  loss_curve: number[];
  accuracies: number[];
  predict_ms: number[];
}

export interface SklearnMlpRun {
  sklearn: string;
  numpy: string;
  python: string;
  threadpools: { internal_api: string; version: string; num_threads: number }[];
  results: SklearnMlpResult[];
}

/** Writes each case's arrays, fits them all in one Python process, and removes the files. */
export function runSklearnMlp(cases: readonly SklearnMlpCase[], threads: number): SklearnMlpRun {
  const files = new TempArrays();
  try {
    const spec = cases.map((c) => ({
      key: c.key,
      ...files.writeSplits(c.train, c.test),
      hidden: c.hidden,
      batch_size: c.batchSize,
      learning_rate_init: c.learningRateInit,
      alpha: c.alpha,
      max_iter: c.maxIter,
      repeats: c.repeats,
      predict_repeats: c.predictRepeats,
    }));
    return runPythonPeer<SklearnMlpRun>('sklearn_mlp.py', { threads, cases: spec }, threads);
  } finally {
    files.dispose();
  }
}
