// The plain JS peer: the loop a JS developer writes, one accumulator, no tricks. The same kernels run
// on the main thread and, over slices of a SharedArrayBuffer, in the worker_threads peer.
import type { FloatArray } from '../../lib/tensor';

export type ReduceOp = 'sum' | 'mean' | 'var';
export const reduceOps: readonly ReduceOp[] = ['sum', 'mean', 'var'];

export function sumRange(x: FloatArray, begin: number, end: number): number {
  let s = 0;
  for (let i = begin; i < end; i++) s += x[i];
  return s;
}

/** Sum of squared deviations from `mean`: the second pass of a two-pass variance. */
export function sqDevRange(x: FloatArray, mean: number, begin: number, end: number): number {
  let s = 0;
  for (let i = begin; i < end; i++) {
    const d = x[i] - mean;
    s += d * d;
  }
  return s;
}

/** sum, mean or (population, two-pass) variance on the calling thread. */
export function jsReduce(op: ReduceOp, x: FloatArray): number {
  const n = x.length;
  const sum = sumRange(x, 0, n);
  if (op === 'sum') return sum;
  if (op === 'mean') return sum / n;
  return sqDevRange(x, sum / n, 0, n) / n;
}
