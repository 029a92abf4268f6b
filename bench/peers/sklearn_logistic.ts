// Typed front of sklearn_logistic.py: scikit-learn's lbfgs LogisticRegression on the bench's data.
import type { Matrix } from '../../lib/tensor';
import { runPythonPeer, TempArrays } from './python';

export interface SklearnCase {
  key: string;
  train: { X: Matrix; y: Int32Array };
  test: { X: Matrix; y: Int32Array };
  C: number;
  maxIter: number;
  repeats: number;
}

export interface SklearnResult {
  key: string;
  samples_ms: number[];
  accuracy: number;
  auc?: number;
  n_iter: number[];
  coef: number[];
  intercept: number[];
}

export interface SklearnRun {
  sklearn: string;
  numpy: string;
  python: string;
  threadpools: { internal_api: string; version: string; num_threads: number }[];
  results: SklearnResult[];
}

/** Writes every case's arrays once, then fits them all in one Python process. */
export class SklearnLogistic {
  private readonly files = new TempArrays();
  private readonly cases: object[] = [];

  add({ key, train, test, C, maxIter, repeats }: SklearnCase): void {
    this.cases.push({
      key,
      ...this.files.writeSplits(train, test),
      C,
      max_iter: maxIter,
      repeats,
    });
  }

  run(threads: number): SklearnRun {
    try {
      return runPythonPeer<SklearnRun>('sklearn_logistic.py', { threads, cases: this.cases }, threads);
    } finally {
      this.files.dispose();
    }
  }

  dispose(): void {
    this.files.dispose();
  }
}

/** "OpenBLAS 0.3.21 x2" from the pools threadpoolctl reports. */
export function describeSklearnPools(run: SklearnRun): string {
  return run.threadpools.map((p) => `${p.internal_api} ${p.version} x${p.num_threads}`).join(', ') || 'no BLAS pool loaded';
}
