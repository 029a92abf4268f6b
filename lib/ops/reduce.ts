// Parallel reductions: the NumPy semantics (NaN propagates, nan* variants through skipNaN, ddof),
// compensated summation, and results identical for any thread count.
import { rangeError, typeError } from '../errors';
import { runJob, type JobOptions } from '../job';
import { addon, type NativeReduceParams } from '../native';
import { isMatrixInput, toMatrix, toVector, type FloatArray, type Matrix, type MatrixInput, type VectorInput } from '../tensor';

/** Codes shared with native/kernels/reduce.h. */
const enum Op {
  Sum = 0,
  Mean = 1,
  Var = 2,
  Std = 3,
  Min = 4,
  Max = 5,
  ArgMin = 6,
  ArgMax = 7,
  Norm1 = 8,
  Norm2 = 9,
  NormInf = 10,
}

export type ReduceInput = VectorInput | MatrixInput;

export interface ReduceOptions extends JobOptions {
  /** Ignore NaN like NumPy's nansum/nanmean/nanmin/...; default false (NaN propagates). */
  skipNaN?: boolean;
}

export interface AxisOption {
  /** Reduce a row-major matrix along an axis: 0 gives one value per column, 1 one value per row. */
  axis: 0 | 1;
}

export interface VarianceOptions extends ReduceOptions {
  /** Delta degrees of freedom: the divisor is n - ddof (0: population, 1: sample). Default 0. */
  ddof?: number;
}

export interface NormOptions extends JobOptions {
  /**
   * 1 (sum of magnitudes), 2 (Euclidean; Frobenius for a whole matrix) or Infinity (largest
   * magnitude). Default 2. Typed as number because TypeScript has no literal type for Infinity.
   */
  ord?: number;
}

type AxisResult<X> = X extends Matrix<infer T> ? T : FloatArray;

function reduceParams(options: VarianceOptions | undefined, allowSkipNaN: boolean): NativeReduceParams {
  const params: NativeReduceParams = {};
  if (options === undefined || options === null || typeof options !== 'object') return params;
  if (options.skipNaN !== undefined) {
    if (!allowSkipNaN) throw typeError('no skipNaN option', 'options.skipNaN', options.skipNaN);
    if (typeof options.skipNaN !== 'boolean') throw typeError('a boolean', 'options.skipNaN', options.skipNaN);
    params.skipNaN = options.skipNaN;
  }
  if (options.ddof !== undefined) {
    if (typeof options.ddof !== 'number') throw typeError('a number', 'options.ddof', options.ddof);
    if (!(options.ddof >= 0) || !Number.isFinite(options.ddof)) throw rangeError('a finite number >= 0', 'options.ddof', options.ddof);
    params.ddof = options.ddof;
  }
  return params;
}

function run(op: Op, x: unknown, options: (JobOptions & { axis?: unknown }) | undefined, params: NativeReduceParams): Promise<any> {
  const axis = options?.axis;
  if (axis === undefined) {
    const data = isMatrixInput(x) ? toMatrix(x, 'x').data : toVector(x, 'x');
    return runJob(options, (native) => addon.reduce(op, data, params, native));
  }
  if (axis !== 0 && axis !== 1) throw rangeError('0 or 1', 'options.axis', axis);
  if (!isMatrixInput(x)) throw typeError('a matrix ({data, rows, cols} or number[][]) when axis is given', 'x', x);
  const m = toMatrix(x, 'x');
  return runJob(options, (native) => addon.reduceAxis(op, m.data, m.rows, m.cols, axis, params, native));
}

type AnyReduceOptions = VarianceOptions & { axis?: unknown };

function call(op: Op, x: unknown, options: AnyReduceOptions | undefined, allowSkipNaN = true): Promise<any> {
  try {
    return run(op, x, options, reduceParams(options, allowSkipNaN));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** A reduction over all elements, or along `axis` of a matrix (one value per column or row). */
export interface Reducer<O extends JobOptions> {
  (x: ReduceInput, options?: O): Promise<number>;
  <X extends MatrixInput>(x: X, options: O & AxisOption): Promise<AxisResult<X>>;
}

/** An index-valued reduction: a number, or an Int32Array along `axis`. */
export interface ArgReducer {
  (x: ReduceInput, options?: ReduceOptions): Promise<number>;
  (x: MatrixInput, options: ReduceOptions & AxisOption): Promise<Int32Array>;
}

function reducer<R>(op: Op): R {
  return ((x: ReduceInput, options?: AnyReduceOptions) => call(op, x, options)) as R;
}

/** Sum of all elements (or along `axis`), compensated: exact to about one rounding. */
export const sum: Reducer<ReduceOptions> = reducer(Op.Sum);

/** Arithmetic mean: "the mean of 100 million numbers", split across native threads. */
export const mean: Reducer<ReduceOptions> = reducer(Op.Mean);

/** Variance, sum((x - mean)^2) / (n - ddof); NaN when n - ddof <= 0, like NumPy. */
export const variance: Reducer<VarianceOptions> = reducer(Op.Var);

/** Standard deviation, the square root of `variance` with the same `ddof`. */
export const std: Reducer<VarianceOptions> = reducer(Op.Std);

/** Smallest element; NaN if any element is NaN unless skipNaN. */
export const min: Reducer<ReduceOptions> = reducer(Op.Min);

/** Largest element; NaN if any element is NaN unless skipNaN. */
export const max: Reducer<ReduceOptions> = reducer(Op.Max);

/** Index of the first smallest element (of the first NaN unless skipNaN). */
export const argmin: ArgReducer = reducer(Op.ArgMin);

/** Index of the first largest element (of the first NaN unless skipNaN). */
export const argmax: ArgReducer = reducer(Op.ArgMax);

const normOps = new Map<unknown, Op>([
  [1, Op.Norm1],
  [2, Op.Norm2],
  [Infinity, Op.NormInf],
]);

/** Vector norm of all elements (or along `axis`); ord 2 rescales so huge or tiny values do not overflow. */
export const norm: Reducer<NormOptions> = ((x: ReduceInput, options?: NormOptions) => {
  const ord = options?.ord ?? 2;
  const op = normOps.get(ord);
  if (op === undefined) return Promise.reject(rangeError('1, 2 or Infinity', 'options.ord', ord));
  return call(op, x, options, false);
}) as Reducer<NormOptions>;

/** Inner product of two equally long vectors of the same float type (float32 accumulates in float64). */
export function dot(x: VectorInput, y: VectorInput, options?: JobOptions): Promise<number> {
  try {
    const a = toVector(x, 'x');
    const b = toVector(y, 'y');
    if (a.length !== b.length) throw rangeError(`an array of length ${a.length} (the length of x)`, 'y', b);
    if (a.constructor !== b.constructor)
      throw typeError(`a ${a.constructor.name} (the type of x)`, 'y', b);
    return runJob(options, (native) => addon.dot(a, b, native));
  } catch (error) {
    return Promise.reject(error);
  }
}
