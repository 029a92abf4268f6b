// Typed front of sklearn_trees.py: scikit-learn's DecisionTreeClassifier and RandomForestClassifier
// (n_jobs = the bench's threads) on the bench's data, timed inside Python.
import type { Matrix } from '../../lib/tensor';
import { runPythonPeer, TempArrays } from './python';

export interface SklearnTreeCase {
  key: string;
  model: 'tree' | 'forest';
  /** scikit-learn keyword arguments. */
  params: Record<string, unknown>;
  /** Train on the first `rows` rows (default all). */
  rows?: number;
  repeats: number;
}

export interface SklearnTreeResult {
  key: string;
  fit_ms: number[];
  predict_ms: number[];
  accuracy: number;
  sizes: { nodes: number; depth: number };
}

export interface SklearnTreeRun {
  sklearn: string;
  numpy: string;
  python: string;
  threadpools: { internal_api: string; version: string; num_threads: number }[] | null;
  results: SklearnTreeResult[];
}

/** Writes the data once, then runs every case in one Python process. */
export function runSklearnTrees(
  train: { X: Matrix; y: Int32Array },
  test: { X: Matrix; y: Int32Array },
  cases: readonly SklearnTreeCase[],
  threads: number,
): SklearnTreeRun {
  const files = new TempArrays();
  try {
    const spec = {
      threads,
      ...files.writeSplits(train, test),
      cases,
    };
    return runPythonPeer<SklearnTreeRun>('sklearn_trees.py', spec, threads);
  } finally {
    files.dispose();
  }
}
