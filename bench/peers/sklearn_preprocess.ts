// Typed front of sklearn_preprocess.py: scikit-learn's StandardScaler and MinMaxScaler on the bench's data.
import type { Matrix } from '../../lib/tensor';
import { runPythonPeer, TempArrays } from './python';

export type SklearnScaler = 'standard' | 'minmax';
export type SklearnOp = 'fit' | 'transform' | 'fit_transform';

export interface SklearnPreprocessResult {
  key: string;
  scaler: SklearnScaler;
  op: SklearnOp;
  samples_ms: number[];
  /** standard: mean and scale; minmax: data_min and data_max. */
  statistics: Record<string, number[]>;
  column_sums: number[];
  first_row: number[];
}

export interface SklearnPreprocessRun {
  sklearn: string;
  numpy: string;
  python: string;
  threadpools: { internal_api: string; version: string; num_threads: number }[] | null;
  results: SklearnPreprocessResult[];
}

/** Writes each matrix once to a temporary file, then times every scaler on it in one Python process. */
export class SklearnPreprocess {
  private readonly files = new TempArrays();
  private readonly cases: object[] = [];

  add(key: string, X: Matrix, scalers: readonly SklearnScaler[], warmup: number, repeats: number): void {
    const dtype = X.data instanceof Float32Array ? 'float32' : 'float64';
    this.cases.push({ key, file: this.files.write(X.data), dtype, cols: X.cols, scalers, warmup, repeats });
  }

  run(threads: number): SklearnPreprocessRun {
    try {
      return runPythonPeer<SklearnPreprocessRun>('sklearn_preprocess.py', { threads, cases: this.cases }, threads);
    } finally {
      this.files.dispose();
    }
  }

  dispose(): void {
    this.files.dispose();
  }
}
