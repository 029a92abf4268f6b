// Dense linear algebra through the linked OpenBLAS, split into shape-fixed tiles over the native
// thread budget. Every function returns a new result in the float type of its first operand.
import { rangeError, typeError } from '../errors';
import { runJob, type JobOptions } from '../job';
import { addon, type NativeJobOptions } from '../native';
import { matrix, toMatrix, toVector, type FloatArray, type Matrix, type MatrixInput, type VectorInput } from '../tensor';

/**
 * `batch` row-major matrices of one shape stored one after another: element (i, j) of item b is
 * data[b * rows * cols + i * cols + j].
 */
export interface MatrixBatch<T extends FloatArray = FloatArray> {
  data: T;
  batch: number;
  rows: number;
  cols: number;
}

/** A batch, or one matrix (a batch of 1, used with every item of the other operand). */
export type BatchInput<T extends FloatArray = FloatArray> = MatrixBatch<T> | MatrixInput<T>;

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

export interface GemmBatchedOptions<T extends FloatArray = FloatArray> extends Omit<GemmOptions<T>, 'C'> {
  /** Added as beta * C: one m x n matrix for every item, or a batch with one per item. */
  C?: BatchInput<T>;
}

export interface GemvOptions extends JobOptions {
  /** Use the transpose of A. Default false. */
  trans?: boolean;
  /** Scale of op(A) x. Default 1. */
  alpha?: number;
  /** Scale of y. Default 0 (y ignored). */
  beta?: number;
  /** Added as beta * y; not modified (the result is a new vector). */
  y?: VectorInput;
}

/** What an ml-matrix `Matrix` is to us: its class is used again for the result. */
interface MatrixClassLike {
  rows: number;
  columns: number;
  to1DArray(): number[];
}

type DataOf<X> = X extends { data: infer T extends FloatArray } ? T : Float64Array;
/** {data, rows, cols} in the input's float type, or the input's own class for ml-matrix instances. */
export type MatrixResult<X> = X extends Matrix<infer T> ? Matrix<T> : X extends MatrixClassLike ? X : Matrix<Float64Array>;
export type BatchResult<X> = MatrixBatch<DataOf<X>>;

function checkFlag(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw typeError('a boolean', name, value);
  return value;
}

function checkNumber(value: unknown, name: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number') throw typeError('a number', name, value);
  if (!Number.isFinite(value)) throw rangeError('a finite number', name, value);
  return value;
}

function checkSameType(x: FloatArray, like: FloatArray, name: string): void {
  if (x.constructor !== like.constructor) throw typeError(`a ${like.constructor.name} (the type of A)`, name, x);
}

function isBatch(x: unknown): x is MatrixBatch {
  return typeof x === 'object' && x !== null && 'batch' in x;
}

/** A MatrixBatch checked against its data, or any matrix input as a batch of one. */
function toBatch(x: unknown, name: string): MatrixBatch {
  if (!isBatch(x)) return { ...toMatrix(x, name), batch: 1 };
  const size = (key: 'batch' | 'rows' | 'cols'): number => {
    const v = x[key];
    if (typeof v !== 'number') throw typeError('a positive integer', `${name}.${key}`, v);
    if (!Number.isSafeInteger(v) || v < 1) throw rangeError('a positive integer', `${name}.${key}`, v);
    return v;
  };
  const [batch, rows, cols] = [size('batch'), size('rows'), size('cols')];
  if (!(x.data instanceof Float64Array || x.data instanceof Float32Array))
    throw typeError('a Float64Array or Float32Array', `${name}.data`, x.data);
  const data = toVector(x.data, `${name}.data`);
  if (data.length !== batch * rows * cols)
    throw rangeError(`an array of length batch * rows * cols = ${batch * rows * cols}`, `${name}.data`, data);
  return { data, batch, rows, cols };
}

/** Builds a batch of `batch` row-major rows x cols matrices over `data`, checking the shape. */
export function matrixBatch<T extends FloatArray>(data: T, batch: number, rows: number, cols: number): MatrixBatch<T> {
  toBatch({ data, batch, rows, cols }, 'matrixBatch');
  return { data, batch, rows, cols };
}

function shapeText(x: { rows: number; cols: number; batch?: number }): string {
  return `${x.batch === undefined || x.batch === 1 ? '' : `${x.batch} x `}${x.rows} x ${x.cols}`;
}

/** Inner dimensions and the result shape of op(A) op(B). */
function productShape(a: MatrixBatch, b: MatrixBatch, transA: boolean, transB: boolean): { rows: number; cols: number } {
  const k = transA ? a.rows : a.cols;
  const bk = transB ? b.cols : b.rows;
  if (k !== bk)
    throw new RangeError(
      `Expected ${k} rows (the columns of op(A), A is ${shapeText(a)}) for op(B) but received ${bk} (B is ${shapeText(b)})`,
    );
  return { rows: transA ? a.cols : a.rows, cols: transB ? b.rows : b.cols };
}

function isMatrixClass(x: unknown): x is MatrixClassLike {
  if (typeof x !== 'object' || x === null || 'cols' in x) return false;
  const ctor = x.constructor;
  return typeof ctor === 'function' && ctor !== Object && typeof (x as MatrixClassLike).to1DArray === 'function';
}

interface MatrixClass {
  new (rows: number, cols: number): { rows: number; columns: number; set(i: number, j: number, v: number): unknown; data?: unknown };
  from1DArray?: (rows: number, cols: number, data: ArrayLike<number>) => unknown;
}

/**
 * The result as an instance of the input's class (ml-matrix drop-in): `new Class(rows, cols)`
 * filled row by row when that constructor builds a matrix of that shape (ml-matrix's Matrix and
 * its subclasses), else `Class.from1DArray` (ml-matrix views give a plain Matrix), else unchanged.
 */
function likeInput(input: unknown, result: Matrix): unknown {
  if (!isMatrixClass(input)) return result;
  const Class = input.constructor as MatrixClass;
  const { data, rows, cols } = result;
  try {
    const out = new Class(rows, cols);
    if (out.rows === rows && out.columns === cols && typeof out.set === 'function') {
      const rowArrays = out.data;
      if (Array.isArray(rowArrays) && rowArrays.length === rows && rowArrays.every((r) => r instanceof Float64Array && r.length === cols))
        rowArrays.forEach((r: Float64Array, i) => r.set(data.subarray(i * cols, (i + 1) * cols)));
      else for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out.set(i, j, data[i * cols + j]);
      return out;
    }
  } catch {
    // not constructible as (rows, cols): try from1DArray
  }
  return typeof Class.from1DArray === 'function' ? Class.from1DArray(rows, cols, data) : result;
}

/** Runs a native call that resolves to a new array; errors thrown while checking become rejections. */
function call<R>(options: JobOptions | undefined, start: () => (native: NativeJobOptions) => Promise<R>): Promise<R> {
  try {
    return runJob(options, start());
  } catch (error) {
    return Promise.reject(error);
  }
}

function jobOptions(options: JobOptions | undefined): JobOptions | undefined {
  return options === undefined ? undefined : { signal: options.signal, threads: options.threads, onProgress: options.onProgress };
}

/** Checked operands and parameters of a (batched) GEMM. */
interface GemmCall {
  a: MatrixBatch;
  b: MatrixBatch;
  batch: number;
  rows: number;
  cols: number;
  params: { transA: boolean; transB: boolean; alpha: number; beta: number; C?: FloatArray };
}

function gemmCall(A: unknown, B: unknown, options: GemmBatchedOptions | undefined, batched: boolean): GemmCall {
  const read = batched ? toBatch : (x: unknown, name: string): MatrixBatch => ({ ...toMatrix(x, name), batch: 1 });
  const a = read(A, 'A');
  const b = read(B, 'B');
  checkSameType(b.data, a.data, 'B.data');
  if (a.batch !== b.batch && a.batch !== 1 && b.batch !== 1)
    throw new RangeError(`Expected a batch of ${a.batch} or 1 (the batch of A) for B but received ${b.batch}`);
  const transA = checkFlag(options?.transA, 'options.transA');
  const transB = checkFlag(options?.transB, 'options.transB');
  const { rows, cols } = productShape(a, b, transA, transB);
  const batch = Math.max(a.batch, b.batch);
  const alpha = checkNumber(options?.alpha, 'options.alpha', 1);
  const beta = checkNumber(options?.beta, 'options.beta', 0);
  let C: FloatArray | undefined;
  if (options?.C !== undefined) {
    const c = read(options.C, 'options.C');
    checkSameType(c.data, a.data, 'options.C.data');
    if (c.rows !== rows || c.cols !== cols || (c.batch !== 1 && c.batch !== batch))
      throw new RangeError(
        `Expected a ${rows} x ${cols} matrix${batched ? ` or a batch of ${batch} of them` : ''} for options.C but received ${shapeText(c)}`,
      );
    C = c.data;
  }
  return { a, b, batch, rows, cols, params: { transA, transB, alpha, beta, C } };
}

/**
 * alpha * op(A) op(B) + beta * C for float32 or float64 row-major matrices (A and B of one type).
 * An ml-matrix Matrix as A gives a Matrix of the same class back.
 */
export function gemm<X extends MatrixInput>(A: X, B: MatrixInput, options?: GemmOptions): Promise<MatrixResult<X>> {
  return call(options, () => {
    const { a, b, rows, cols, params } = gemmCall(A, B, options, false);
    return (native) =>
      addon
        .gemm(a.data, a.rows, a.cols, b.data, b.rows, b.cols, params, native)
        .then((data) => likeInput(A, { data, rows, cols }) as MatrixResult<X>);
  });
}

/** The matrix product A B (an ml-matrix Matrix as A gives a Matrix of the same class back). */
export function matmul<X extends MatrixInput>(A: X, B: MatrixInput, options?: JobOptions): Promise<MatrixResult<X>> {
  return gemm(A, B, jobOptions(options));
}

/**
 * alpha * op(A_i) op(B_i) + beta * C_i for every item i of a batch, in parallel over the batch
 * (each product on one thread). A matrix or a batch of 1 is used with every item of the other.
 */
export function gemmBatched<X extends BatchInput>(A: X, B: BatchInput, options?: GemmBatchedOptions): Promise<BatchResult<X>> {
  return call(options, () => {
    const { a, b, batch, rows, cols, params } = gemmCall(A, B, options, true);
    return (native) =>
      addon
        .gemmBatched(a.data, a.batch, a.rows, a.cols, b.data, b.batch, b.rows, b.cols, params, native)
        .then((data) => ({ data, batch, rows, cols }) as BatchResult<X>);
  });
}

/** The products A_i B_i of a batch (see gemmBatched). */
export function matmulBatched<X extends BatchInput>(A: X, B: BatchInput, options?: JobOptions): Promise<BatchResult<X>> {
  return gemmBatched(A, B, jobOptions(options));
}

/** alpha * op(A) x + beta * y as a new vector in A's float type (x and y of the same type). */
export function gemv<X extends MatrixInput>(A: X, x: VectorInput, options?: GemvOptions): Promise<DataOf<X>> {
  return call(options, () => {
    const a = toMatrix(A, 'A');
    const v = toVector(x, 'x');
    checkSameType(v, a.data, 'x');
    const trans = checkFlag(options?.trans, 'options.trans');
    const [inner, outer] = trans ? [a.rows, a.cols] : [a.cols, a.rows];
    if (v.length !== inner)
      throw rangeError(`an array of length ${inner} (the columns of op(A), A is ${shapeText(a)})`, 'x', v);
    const alpha = checkNumber(options?.alpha, 'options.alpha', 1);
    const beta = checkNumber(options?.beta, 'options.beta', 0);
    let y: FloatArray | undefined;
    if (options?.y !== undefined) {
      y = toVector(options.y, 'options.y');
      checkSameType(y, a.data, 'options.y');
      if (y.length !== outer) throw rangeError(`an array of length ${outer} (the rows of op(A))`, 'options.y', y);
    }
    return (native) => addon.gemv(a.data, a.rows, a.cols, v, { trans, alpha, beta, y }, native) as Promise<DataOf<X>>;
  });
}

/** alpha * x + y as a new array (x and y are not modified; BLAS's axpy would overwrite y). */
export function axpy<V extends VectorInput>(alpha: number, x: V, y: VectorInput, options?: JobOptions): Promise<V extends Float32Array ? Float32Array : Float64Array> {
  return call(options, () => {
    const a = checkNumber(alpha, 'alpha');
    const u = toVector(x, 'x');
    const v = toVector(y, 'y');
    if (v.constructor !== u.constructor) throw typeError(`a ${u.constructor.name} (the type of x)`, 'y', v);
    if (v.length !== u.length) throw rangeError(`an array of length ${u.length} (the length of x)`, 'y', v);
    return (native) => addon.axpy(a, u, v, native) as Promise<V extends Float32Array ? Float32Array : Float64Array>;
  });
}

/** The transpose of A as a new row-major matrix (cache-blocked, parallel). */
export function transpose<X extends MatrixInput>(A: X, options?: JobOptions): Promise<MatrixResult<X>> {
  return call(options, () => {
    const a = toMatrix(A, 'A');
    return (native) =>
      addon.transpose(a.data, a.rows, a.cols, native).then((data) => likeInput(A, matrix(data, a.cols, a.rows)) as MatrixResult<X>);
  });
}
