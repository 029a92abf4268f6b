// What every preprocessing estimator shares: fitted state and NotFittedError, input checks,
// progress over several native jobs, and the versioned JSON format of toJSON()/fromJSON().
import { rangeError, typeError } from '../errors';
import type { JobOptions } from '../job';
import { toMatrix, type FloatArray, type Matrix, type MatrixInput } from '../tensor';

/** Rejection of a call that needs a fitted estimator (transform, a fitted attribute, ...) before fit. */
export class NotFittedError extends Error {
  constructor(estimator: string) {
    super(`This ${estimator} is not fitted yet: call fit() before using it`);
    this.name = 'NotFittedError';
  }
}

/** A matrix in the input's float type: float32 in, float32 out. */
export type ResultOf<X> = X extends Matrix<infer T> ? Matrix<T> : Matrix;

/**
 * The options for step `index` of `count` native jobs that serve one call (fit then transform):
 * the progress of each maps to its slice of [0, 1], so the caller sees one rising fraction.
 */
export function step(options: JobOptions | undefined, index: number, count: number): JobOptions | undefined {
  const onProgress = options?.onProgress;
  if (typeof onProgress !== 'function') return options; // runJob reports what is wrong with it
  return { ...options, onProgress: (fraction) => onProgress((index + fraction) / count) };
}

export function checkBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw typeError('a boolean', name, value);
  return value;
}

export function checkChoice<T extends string>(value: unknown, name: string, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw typeError(choices.map((c) => `'${c}'`).join(' or '), name, value);
  if (!(choices as readonly string[]).includes(value)) throw rangeError(choices.map((c) => `'${c}'`).join(' or '), name, value);
  return value as T;
}

export function checkFinite(value: unknown, name: string): number {
  if (typeof value !== 'number') throw typeError('a number', name, value);
  if (!Number.isFinite(value)) throw rangeError('a finite number', name, value);
  return value;
}

/** A [low, high] pair of finite numbers with low < high (or low <= high when equal is allowed). */
export function checkRange(value: unknown, name: string, allowEqual: boolean): [number, number] {
  if (!Array.isArray(value) || value.length !== 2) throw typeError('an array [low, high]', name, value);
  const low = checkFinite(value[0], `${name}[0]`);
  const high = checkFinite(value[1], `${name}[1]`);
  if (allowEqual ? low > high : low >= high)
    throw rangeError(`a number ${allowEqual ? '>=' : '>'} ${name}[0] (${low})`, `${name}[1]`, high);
  return [low, high];
}

/** Matrix input whose column count must be the one seen in fit. */
export function checkedMatrix(X: unknown, nFeaturesIn: number): Matrix {
  const m = toMatrix(X, 'X');
  checkFeatures(m.cols, nFeaturesIn);
  return m;
}

export function checkFeatures(cols: number, nFeaturesIn: number): void {
  if (cols !== nFeaturesIn) throw rangeError(`${nFeaturesIn} columns (the number of features seen in fit)`, 'X.cols', cols);
}

export function filled(n: number, value: number): Float64Array {
  return new Float64Array(n).fill(value);
}

/** scikit-learn's _handle_zeros_in_scale: a scale below 10 float64 epsilons (a constant column) becomes 1. */
export function handleZerosInScale(scale: Float64Array): Float64Array {
  const tiny = 10 * Number.EPSILON;
  return scale.map((s) => (s < tiny ? 1 : s));
}

// ---- the JSON format ----------------------------------------------------------------------

export const FORMAT_VERSION = 1;

/** What toJSON() returns: plain JSON (NaN is stored as null), read back by the class's fromJSON(). */
export interface EstimatorJSON {
  /** `threadml.<class name>`, e.g. `threadml.StandardScaler`. */
  format: string;
  version: number;
  params: Record<string, unknown>;
  /** null for an estimator that was never fitted. */
  state: Record<string, unknown> | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Checks the envelope of a serialized estimator and returns its params and state. */
export function readEnvelope(json: unknown, estimator: string): { params: Record<string, unknown>; state: Record<string, unknown> | null } {
  if (!isRecord(json)) throw typeError(`an object from ${estimator}.toJSON()`, 'json', json);
  if (json.format !== `threadml.${estimator}`) throw rangeError(`the format 'threadml.${estimator}'`, 'json.format', json.format);
  if (json.version !== FORMAT_VERSION) throw rangeError(`version ${FORMAT_VERSION}`, 'json.version', json.version);
  if (!isRecord(json.params)) throw typeError('an object', 'json.params', json.params);
  if (json.state !== null && !isRecord(json.state)) throw typeError('an object or null', 'json.state', json.state);
  return { params: json.params, state: json.state };
}

/** JSON has no NaN: it is stored as null. */
export function floatsToJSON(values: FloatArray): (number | null)[] {
  return Array.from(values, (v) => (Number.isNaN(v) ? null : v));
}

export interface FloatsCheck {
  /** Default true: null (NaN) is allowed. */
  nan?: boolean;
  /** Every value must be >= this. */
  min?: number;
}

/** Reads floatsToJSON's output back: `length` finite numbers (or null for NaN) into a Float64Array. */
export function floatsFromJSON(value: unknown, name: string, length: number, check: FloatsCheck = {}): Float64Array {
  if (!Array.isArray(value)) throw typeError(`an array of ${length} numbers`, name, value);
  if (value.length !== length) throw rangeError(`an array of ${length} numbers`, name, value);
  return Float64Array.from(value, (v: unknown, i) => {
    if (v === null && check.nan !== false) return NaN;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw typeError(check.nan === false ? 'a finite number' : 'a finite number or null', `${name}[${i}]`, v);
    if (check.min !== undefined && v < check.min) throw rangeError(`a number >= ${check.min}`, `${name}[${i}]`, v);
    return v;
  });
}

/** A count stored in JSON: a non-negative safe integer (>= 1 where `positive`). */
export function countFromJSON(value: unknown, name: string, positive: boolean): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (positive ? 1 : 0))
    throw rangeError(`an integer >= ${positive ? 1 : 0}`, name, value);
  return value;
}

/** An optional statistic: null in JSON when the estimator's options leave it out. */
export function optionalFloatsFromJSON(value: unknown, name: string, length: number, present: boolean, check?: FloatsCheck): Float64Array | null {
  if (!present) {
    if (value !== null) throw typeError('null (the options leave it out)', name, value);
    return null;
  }
  return floatsFromJSON(value, name, length, check);
}

// ---- estimators ---------------------------------------------------------------------------

/** Fitted state, its JSON form, and the NotFittedError check. */
export abstract class Estimator<State> {
  /** Undefined until fitted. */
  protected state: State | undefined;

  /** The class name, as errors and the JSON format spell it. */
  protected abstract readonly estimatorName: string;
  /** The options, as toJSON() stores them and the constructor reads them back. */
  protected abstract params(): Record<string, unknown>;
  protected abstract stateToJSON(state: State): Record<string, unknown>;

  /** Whether fit (or partialFit, or fromJSON with a fitted state) has run. */
  get isFitted(): boolean {
    return this.state !== undefined;
  }

  protected fitted(): State {
    if (this.state === undefined) throw new NotFittedError(this.estimatorName);
    return this.state;
  }

  /** Options and fitted state as plain JSON; `<Class>.fromJSON(json)` restores the estimator. */
  toJSON(): EstimatorJSON {
    return {
      format: `threadml.${this.estimatorName}`,
      version: FORMAT_VERSION,
      params: this.params(),
      state: this.state === undefined ? null : this.stateToJSON(this.state),
    };
  }
}

export interface FeatureState {
  nFeaturesIn: number;
}

/** A transformer of numeric matrices: fit learns per-column state, transform applies it. */
export abstract class MatrixTransformer<State extends FeatureState> extends Estimator<State> {
  /** The number of columns seen in fit. */
  get nFeaturesIn(): number {
    return this.fitted().nFeaturesIn;
  }

  /** Learns the statistics of X's columns; resolves to this estimator. */
  async fit(X: MatrixInput, options?: JobOptions): Promise<this> {
    this.state = await this.fitMatrix(toMatrix(X, 'X'), options);
    return this;
  }

  /** A new matrix of X's shape and float type. */
  async transform<X extends MatrixInput>(X: X, options?: JobOptions): Promise<ResultOf<X>> {
    const state = this.fitted();
    return (await this.transformMatrix(checkedMatrix(X, state.nFeaturesIn), state, options)) as ResultOf<X>;
  }

  /** fit(X) then transform(X), with X converted once and one progress from 0 to 1. */
  async fitTransform<X extends MatrixInput>(X: X, options?: JobOptions): Promise<ResultOf<X>> {
    const m = toMatrix(X, 'X');
    const state = await this.fitMatrix(m, step(options, 0, 2));
    this.state = state;
    return (await this.transformMatrix(m, state, step(options, 1, 2))) as ResultOf<X>;
  }

  protected abstract fitMatrix(m: Matrix, options: JobOptions | undefined): Promise<State>;
  protected abstract transformMatrix(m: Matrix, state: State, options: JobOptions | undefined): Promise<Matrix>;
}

export function featuresFromJSON(state: Record<string, unknown>): number {
  return countFromJSON(state.nFeaturesIn, 'json.state.nFeaturesIn', true);
}
