// Typed front of numpy_reduce.py: np.sum / np.mean / np.var timed inside Python on the bench's data.
import type { FloatArray } from '../../lib/tensor';
import type { ReduceOp } from './js_reduce';
import { runPythonPeer, TempArrays } from './python';

export interface NumpyCase {
  key: string;
  x: FloatArray;
  ops: readonly ReduceOp[];
  warmup: number;
  repeats: number;
}

export interface NumpyResult {
  key: string;
  op: ReduceOp;
  samples_ms: number[];
  value: number;
}

export interface NumpyRun {
  numpy: string;
  python: string;
  threadpools: { internal_api: string; version: string; num_threads: number; threading_layer?: string }[] | null;
  results: NumpyResult[];
}

/**
 * Queues arrays as they are generated (each is written to a temporary file at once, so the JS side
 * can drop it), then times them all in one Python process.
 */
export class NumpyReduce {
  private readonly files = new TempArrays();
  private readonly cases: object[] = [];

  add({ key, x, ops, warmup, repeats }: NumpyCase): void {
    const dtype = x instanceof Float32Array ? 'float32' : 'float64';
    this.cases.push({ key, file: this.files.write(x), dtype, ops, warmup, repeats });
  }

  run(threads: number): NumpyRun {
    try {
      return runPythonPeer<NumpyRun>('numpy_reduce.py', { threads, cases: this.cases }, threads);
    } finally {
      this.files.dispose();
    }
  }

  /** Removes the temporary files without running (e.g. after an error). */
  dispose(): void {
    this.files.dispose();
  }
}

/** "OpenBLAS 0.3.21 x2" from the thread pools threadpoolctl reports. */
export function describePools(run: NumpyRun): string {
  if (run.threadpools === null) return 'threadpoolctl not installed';
  return run.threadpools.map((p) => `${p.internal_api} ${p.version} x${p.num_threads}`).join(', ') || 'no BLAS pool loaded';
}
