// Matrix products through the linked OpenBLAS, split into panels over the native thread budget.
import { typeError } from '../errors';
import { runJob, type JobOptions } from '../job';
import { addon } from '../native';
import { toMatrix, type FloatArray, type Matrix, type MatrixInput } from '../tensor';

export interface GemmOptions<T extends FloatArray = FloatArray> extends JobOptions {
  /** Use the transpose of A. Default false. */
  transA?: boolean;
  /** Use the transpose of B. Default false. */
  transB?: boolean;
  /** Scale of op(A) op(B). Default 1. */
  alpha?: number;
  /** Scale of C. Default 0 (C ignored). */
  beta?: number;
  /** Added as beta * C; not modified (the result is a new matrix). */
  C?: MatrixInput<T>;
}

type ResultOf<X> = X extends Matrix<infer T> ? Matrix<T> : Matrix;

function checkFlag(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw typeError('a boolean', name, value);
  return value;
}

function checkNumber(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw typeError('a finite number', name, value);
  return value;
}

/** alpha * op(A) op(B) + beta * C for float32 or float64 row-major matrices (A and B of one type). */
export function gemm<X extends MatrixInput>(A: X, B: MatrixInput, options?: GemmOptions): Promise<ResultOf<X>> {
  try {
    const a = toMatrix(A, 'A');
    const b = toMatrix(B, 'B');
    if (a.data.constructor !== b.data.constructor) throw typeError(`a ${a.data.constructor.name} (the type of A)`, 'B.data', b.data);
    const transA = checkFlag(options?.transA, 'options.transA');
    const transB = checkFlag(options?.transB, 'options.transB');
    const params = {
      transA,
      transB,
      alpha: checkNumber(options?.alpha, 'options.alpha', 1),
      beta: checkNumber(options?.beta, 'options.beta', 0),
      C: options?.C === undefined ? undefined : toMatrix(options.C, 'options.C').data,
    };
    const k = transA ? a.rows : a.cols;
    const bk = transB ? b.cols : b.rows;
    if (k !== bk)
      throw new RangeError(
        `Expected op(B) with ${k} rows (the columns of op(A)) but received ${bk} rows for B (A is ${a.rows} x ${a.cols}, B is ${b.rows} x ${b.cols})`,
      );
    const rows = transA ? a.cols : a.rows;
    const cols = transB ? b.rows : b.cols;
    if (params.C !== undefined && params.C.length !== rows * cols)
      throw new RangeError(`Expected options.C of shape ${rows} x ${cols} but received length ${params.C.length}`);
    return runJob(options, (native) => addon.gemm(a.data, a.rows, a.cols, b.data, b.rows, b.cols, params, native)).then(
      (data) => ({ data, rows, cols }) as ResultOf<X>,
    );
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The matrix product A B. */
export function matmul<X extends MatrixInput>(A: X, B: MatrixInput, options?: JobOptions): Promise<ResultOf<X>> {
  return gemm(A, B, { signal: options?.signal, threads: options?.threads, onProgress: options?.onProgress });
}
