// crossValScore: fits a fresh estimator per fold, several at once, within the native thread budget.
// Folds run as concurrent native jobs in this process (estimators cannot cross threads): nJobs fits
// at a time, each with getThreads() / nJobs native threads, so the total never exceeds the budget.
import { AbortError, rangeError, typeError } from '../errors';
import { checkThreads, type JobOptions } from '../job';
import { toMatrix, type Matrix, type MatrixInput } from '../tensor';
import { getThreads } from '../threads';
import { KFold, StratifiedKFold, type CrossValidator, type Split } from './split';

/** What model selection needs of an estimator: threadml's classifiers and regressors all fit. */
export interface Estimator {
  fit(X: Matrix, y: never, options?: JobOptions): Promise<unknown>;
  predict(X: Matrix, options?: JobOptions): Promise<ArrayLike<unknown>>;
  score(X: Matrix, y: never, options?: JobOptions): Promise<number>;
  predictProba?: unknown;
}

/** Scores a fitted estimator on held-out rows; higher is better. */
export type Scorer = (estimator: Estimator, X: Matrix, y: ArrayLike<unknown>, options: JobOptions) => number | Promise<number>;

export type Labels = ArrayLike<number> | readonly string[];

export interface CrossValOptions {
  /** Folds: a number (StratifiedKFold for classifiers, i.e. estimators with predictProba; else KFold) or a splitter. Default 5. */
  cv?: number | CrossValidator;
  /** Default: the estimator's own score (accuracy for classifiers, R² for regressors). */
  scoring?: Scorer;
  /** Fits running at once; each gets getThreads() / nJobs native threads. Default 1. */
  nJobs?: number;
  signal?: AbortSignal;
  /** Fraction of fits done (0..1), after each fit. */
  onProgress?: (fraction: number) => void;
}

export interface Resolved {
  X: Matrix;
  y: Labels;
  splits: Split[];
  scoring: Scorer;
  nJobs: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

const defaultScoring: Scorer = (estimator, X, y, options) => estimator.score(X, y as never, options);

export function resolveCrossVal(probe: Estimator, X: MatrixInput, y: Labels, options: CrossValOptions | undefined): Resolved {
  const o = options ?? {};
  if (o === null || typeof o !== 'object') throw typeError('an options object', 'options', o);
  const m = toMatrix(X, 'X');
  if (y === null || typeof y !== 'object' || typeof y.length !== 'number') throw typeError('an array of labels', 'y', y);
  if (y.length !== m.rows) throw rangeError(`labels of length X.rows = ${m.rows}`, 'y', y);
  const cv = o.cv ?? 5;
  let splitter: CrossValidator;
  if (typeof cv === 'number') splitter = typeof probe.predictProba === 'function' ? new StratifiedKFold({ nSplits: cv }) : new KFold({ nSplits: cv });
  else if (cv !== null && typeof cv === 'object' && typeof cv.split === 'function') splitter = cv;
  else throw typeError('a number of folds or a splitter', 'options.cv', cv);
  if (o.scoring !== undefined && typeof o.scoring !== 'function') throw typeError('a scoring function', 'options.scoring', o.scoring);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw typeError('an AbortSignal', 'options.signal', o.signal);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw typeError('a function', 'options.onProgress', o.onProgress);
  return {
    X: m,
    y,
    splits: splitter.split(m.rows, y),
    scoring: o.scoring ?? defaultScoring,
    nJobs: checkThreads(o.nJobs ?? 1, 'options.nJobs'),
    signal: o.signal,
    onProgress: o.onProgress,
  };
}

export function takeRows(m: Matrix, rows: Int32Array): Matrix {
  const out = new (m.data.constructor as new (n: number) => Matrix['data'])(rows.length * m.cols);
  rows.forEach((r, i) => out.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols));
  return { data: out, rows: rows.length, cols: m.cols };
}

export function takeLabels(y: Labels, rows: Int32Array): Labels {
  if (ArrayBuffer.isView(y)) {
    const typed = y as unknown as Float64Array;
    return (typed.constructor as Float64ArrayConstructor).from(rows, (r) => typed[r]);
  }
  return Array.from(rows, (r) => (y as ArrayLike<number | string>)[r]) as Labels;
}

/** Runs job(0..n-1) with at most nJobs at once; results in index order; the first failure stops the rest. */
export async function runLimited<T>(n: number, nJobs: number, signal: AbortSignal | undefined, onProgress: ((f: number) => void) | undefined,
  job: (i: number, options: JobOptions) => Promise<T>): Promise<T[]> {
  if (signal?.aborted) throw new AbortError('The operation was aborted', { cause: signal.reason });
  const threads = Math.max(1, Math.floor(getThreads() / nJobs));
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const results = new Array<T>(n);
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < n) {
      if (stop.signal.aborted) throw new AbortError('The operation was aborted', { cause: stop.signal.reason });
      const i = next++;
      results[i] = await job(i, { threads, signal: stop.signal });
      onProgress?.(++done / n);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(nJobs, n) }, () => lane().catch((error) => {
      stop.abort(error);
      throw error;
    })));
    return results;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Fits `estimator` on the train rows of `split` and scores it on its test rows. */
export async function fitAndScore(make: () => Estimator, r: Resolved, split: Split, options: JobOptions): Promise<number> {
  const estimator = make();
  await estimator.fit(takeRows(r.X, split.train), takeLabels(r.y, split.train) as never, options);
  return r.scoring(estimator, takeRows(r.X, split.test), takeLabels(r.y, split.test), options);
}

/**
 * scikit-learn's cross_val_score: one score per fold. `make` builds a fresh, unfitted estimator (an
 * estimator cannot be cloned from its options in JS, so the caller supplies the constructor call).
 */
export async function crossValScore(make: () => Estimator, X: MatrixInput, y: Labels, options?: CrossValOptions): Promise<Float64Array> {
  if (typeof make !== 'function') throw typeError('a function returning a new estimator', 'make', make);
  const r = resolveCrossVal(make(), X, y, options);
  const scores = await runLimited(r.splits.length, r.nJobs, r.signal, r.onProgress, (k, jobOptions) => fitAndScore(make, r, r.splits[k], jobOptions));
  return Float64Array.from(scores);
}
