// LogisticRegression: scikit-learn's estimator (same options, defaults, objective and fitted layout),
// trained and applied on native threads (native/linear/logistic.h).
import { rangeError, typeError } from '../errors';
import { runJob, type JobOptions } from '../job';
import { addon, type NativeLogisticModel, type NativeLogisticParams } from '../native';
import { toMatrix, toVector, type FloatArray, type Matrix, type MatrixInput, type VectorInput } from '../tensor';
import { checkedLabels, encodeLabels, labelsOf, type Label, type LabelInput } from './labels';

export type { Label, LabelInput } from './labels';

export type LogisticPenalty = 'l2' | 'l1' | 'elasticnet' | 'none';
export type LogisticSolver = 'lbfgs' | 'saga';
export type LogisticMultiClass = 'auto' | 'ovr' | 'multinomial';
/** 'balanced' (n / (classes x count) per class) or a weight per class label (a missing class weighs 1). */
export type LogisticClassWeight = 'balanced' | Readonly<Record<string, number>>;

export interface LogisticRegressionOptions {
  /** Default 'l2'. 'l1' and 'elasticnet' need solver 'saga'. */
  penalty?: LogisticPenalty;
  /** Inverse regularisation strength (> 0). Default 1. */
  C?: number;
  /** Elastic net: the l1 share of the penalty, 0..1. Required for 'elasticnet', ignored otherwise. */
  l1Ratio?: number | null;
  /** Default true. The intercept is never penalised. */
  fitIntercept?: boolean;
  /**
   * Default 1e-4. lbfgs: stop when the largest gradient component of the objective divided by the
   * total sample weight (see objective()) is <= tol; saga: when the largest change of a coefficient
   * in an epoch is <= tol x the largest coefficient.
   */
  tol?: number;
  /** Default 100: iterations of lbfgs, epochs of saga. */
  maxIter?: number;
  /** Default null (every class weighs 1). */
  classWeight?: LogisticClassWeight | null;
  /** Start the next fit from the current coefficients. Default false. */
  warmStart?: boolean;
  /** Default 'lbfgs' (multi-threaded); 'saga' (single-threaded, like scikit-learn's) supports every penalty. */
  solver?: LogisticSolver;
  /** Default 'auto': multinomial for more than two classes, one binary model for two. */
  multiClass?: LogisticMultiClass;
  /**
   * Seed of saga's sample order. Default 0, where scikit-learn's default draws a fresh seed: threadml
   * gives the same model for the same inputs unless asked otherwise.
   */
  randomState?: number;
}

type Resolved = Required<Omit<LogisticRegressionOptions, 'l1Ratio' | 'classWeight'>> & {
  l1Ratio: number | null;
  classWeight: LogisticClassWeight | null;
};

export interface LogisticFitOptions extends JobOptions {
  /** Per-row weights (finite, >= 0), multiplied by the class weights. */
  sampleWeight?: VectorInput;
}

export interface LogisticScoreOptions extends JobOptions {
  sampleWeight?: VectorInput;
}

/** The objective lbfgs minimises and its gradient, at the model's coefficients. */
export interface LogisticObjective {
  /**
   * (sum_i sw_i * logloss_i + R(W) / C) / sum_i sw_i: scikit-learn's objective divided by C times
   * the total weight (the same minimum), summed over the binary problems for one-vs-rest.
   */
  value: number;
  /** Same layout as coef; for l1 the subgradient with sign(0) = 0. */
  coefGradient: Matrix<Float64Array>;
  /** Zeros when fitIntercept is false. */
  interceptGradient: Float64Array;
}

/** What predict resolves to: a Float64Array for numeric classes, string[] for string classes. */
export type LogisticPredictions<L extends Label> = [L] extends [number] ? Float64Array : [L] extends [string] ? string[] : Float64Array | string[];

/** The name of the warning emitted (process.emitWarning) when a fit stops at maxIter, as scikit-learn's. */
export const ConvergenceWarning = 'ConvergenceWarning';

const FORMAT = 'threadml.LogisticRegression';
const VERSION = 1;

const enum Mode {
  Decision = 0,
  Proba = 1,
  LogProba = 2,
  Class = 3,
}

const penaltyCode: Record<LogisticPenalty, number> = { none: 0, l2: 1, l1: 2, elasticnet: 3 };

function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T {
  if (typeof value !== 'string') throw typeError(`one of ${allowed.map((a) => `'${a}'`).join(', ')}`, name, value);
  if (!allowed.includes(value as T)) throw rangeError(`one of ${allowed.map((a) => `'${a}'`).join(', ')}`, name, value);
  return value as T;
}

function checkNumber(value: unknown, name: string, ok: (v: number) => boolean, what: string): number {
  if (typeof value !== 'number') throw typeError('a number', name, value);
  if (!ok(value)) throw rangeError(what, name, value);
  return value;
}

function checkBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw typeError('a boolean', name, value);
  return value;
}

function checkClassWeight(value: unknown, name: string): LogisticClassWeight | null {
  if (value === null || value === 'balanced') return value;
  if (typeof value !== 'object' || Array.isArray(value)) throw typeError("'balanced', null or an object {label: weight}", name, value);
  for (const [key, w] of Object.entries(value)) checkNumber(w, `${name}[${JSON.stringify(key)}]`, (v) => Number.isFinite(v) && v >= 0, 'a finite number >= 0');
  return { ...(value as Record<string, number>) };
}

/** Options with scikit-learn's defaults, every value checked; `name` prefixes error messages. */
function resolveOptions(options: unknown, name: string): Resolved {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') throw typeError('an options object', name, options);
  const o = options as LogisticRegressionOptions;
  const known = ['penalty', 'C', 'l1Ratio', 'fitIntercept', 'tol', 'maxIter', 'classWeight', 'warmStart', 'solver', 'multiClass', 'randomState'];
  for (const key of Object.keys(o)) if (!known.includes(key)) throw rangeError(`one of the options ${known.join(', ')}`, `${name}.${key}`, key);
  const r: Resolved = {
    penalty: oneOf(o.penalty ?? 'l2', ['l2', 'l1', 'elasticnet', 'none'], `${name}.penalty`),
    C: checkNumber(o.C ?? 1, `${name}.C`, (v) => Number.isFinite(v) && v > 0, 'a finite number > 0'),
    l1Ratio: o.l1Ratio === undefined || o.l1Ratio === null ? null : checkNumber(o.l1Ratio, `${name}.l1Ratio`, (v) => v >= 0 && v <= 1, 'a number from 0 to 1'),
    fitIntercept: checkBoolean(o.fitIntercept ?? true, `${name}.fitIntercept`),
    tol: checkNumber(o.tol ?? 1e-4, `${name}.tol`, (v) => Number.isFinite(v) && v >= 0, 'a finite number >= 0'),
    maxIter: checkNumber(o.maxIter ?? 100, `${name}.maxIter`, (v) => Number.isInteger(v) && v >= 0 && v <= 2 ** 30, 'an integer from 0 to 2^30'),
    classWeight: checkClassWeight(o.classWeight ?? null, `${name}.classWeight`),
    warmStart: checkBoolean(o.warmStart ?? false, `${name}.warmStart`),
    solver: oneOf(o.solver ?? 'lbfgs', ['lbfgs', 'saga'], `${name}.solver`),
    multiClass: oneOf(o.multiClass ?? 'auto', ['auto', 'ovr', 'multinomial'], `${name}.multiClass`),
    randomState: checkNumber(o.randomState ?? 0, `${name}.randomState`, (v) => Number.isInteger(v) && v >= 0 && v <= 2 ** 32 - 1, 'an integer from 0 to 2^32 - 1'),
  };
  if (r.solver === 'lbfgs' && (r.penalty === 'l1' || r.penalty === 'elasticnet'))
    throw rangeError("'l2' or 'none' with solver 'lbfgs' (use solver 'saga' for 'l1' and 'elasticnet')", `${name}.penalty`, r.penalty);
  if (r.penalty === 'elasticnet' && r.l1Ratio === null) throw typeError("a number from 0 to 1 with penalty 'elasticnet'", `${name}.l1Ratio`, o.l1Ratio);
  return r;
}

/** The fitted state: scikit-learn's layout (one coefficient row for two classes). */
interface Fitted {
  coef: Matrix;
  intercept: FloatArray;
  classes: Label[];
  nIter: Int32Array;
  converged: boolean;
  multinomial: boolean;
}

function weightsFor(
  sampleWeight: VectorInput | undefined,
  classWeight: LogisticClassWeight | null,
  classes: readonly Label[],
  y: Int32Array,
  balancedHere: boolean,
): Float64Array | null {
  const n = y.length;
  let perClass: Float64Array | null = null;
  if (classWeight === 'balanced' && balancedHere) {
    const counts = new Float64Array(classes.length);
    for (let i = 0; i < n; i++) counts[y[i]]++;
    perClass = counts.map((c) => n / (classes.length * c));
  } else if (classWeight !== null && classWeight !== 'balanced') {
    const byLabel = new Map(classes.map((c, i) => [String(c), i]));
    perClass = new Float64Array(classes.length).fill(1);
    for (const [key, w] of Object.entries(classWeight)) {
      const index = byLabel.get(key);
      if (index === undefined) throw rangeError(`class labels found in y (${classes.slice(0, 10).join(', ')})`, 'options.classWeight', key);
      perClass[index] = w;
    }
  }
  if (sampleWeight === undefined && perClass === null) return null;
  const out = new Float64Array(n).fill(1);
  if (sampleWeight !== undefined) {
    const sw = toVector(sampleWeight, 'options.sampleWeight');
    if (sw.length !== n) throw rangeError(`an array of length ${n} (the rows of X)`, 'options.sampleWeight', sw);
    for (let i = 0; i < n; i++) {
      if (!(sw[i] >= 0 && Number.isFinite(sw[i]))) throw rangeError('a finite number >= 0', `options.sampleWeight[${i}]`, sw[i]);
      out[i] = sw[i];
    }
  }
  if (perClass !== null) for (let i = 0; i < n; i++) out[i] *= perClass[y[i]];
  return out;
}

function isOvr(classes: number, multinomial: boolean): boolean {
  return !multinomial && classes > 2;
}

function nativeParams(o: Resolved, classes: number, multinomial: boolean): NativeLogisticParams {
  return {
    classes,
    multinomial,
    penalty: penaltyCode[o.penalty],
    C: o.C,
    l1Ratio: o.l1Ratio ?? 0,
    fitIntercept: o.fitIntercept,
    tol: o.tol,
    maxIter: o.maxIter,
    solver: o.solver === 'saga' ? 1 : 0,
    seed: o.randomState,
    balancedOvr: isOvr(classes, multinomial) && o.classWeight === 'balanced',
  };
}

function sameType<T extends FloatArray>(values: FloatArray, like: T): T {
  return (values.constructor === like.constructor ? values : new (like.constructor as new (v: FloatArray) => T)(values)) as T;
}

function warn(solver: LogisticSolver, maxIter: number): void {
  const what = solver === 'saga' ? 'epochs' : 'iterations';
  process.emitWarning(
    `LogisticRegression (solver '${solver}') did not converge in maxIter = ${maxIter} ${what}: increase maxIter or scale the features`,
    { type: ConvergenceWarning, code: 'THREADML_CONVERGENCE' },
  );
}

/**
 * Logistic regression (binary, multinomial or one-vs-rest) with scikit-learn's options, defaults and
 * objective: C * sum_i sw_i * logloss_i + R(W), where R is 0.5 ||W||^2 (l2), ||W||_1 (l1),
 * l1Ratio ||W||_1 + (1 - l1Ratio) / 2 ||W||^2 (elasticnet) or 0 (none), intercepts unpenalised.
 * Float32 data trains and predicts in float32 (float64 sums); results do not depend on the threads.
 */
export class LogisticRegression<L extends Label = Label> {
  readonly options: Readonly<Resolved>;
  private fitted: Fitted | undefined;

  constructor(options?: LogisticRegressionOptions) {
    this.options = Object.freeze(resolveOptions(options, 'options'));
  }

  private get state(): Fitted {
    if (this.fitted === undefined) throw new Error('This LogisticRegression is not fitted yet: call fit(X, y) first');
    return this.fitted;
  }

  /** Coefficients: one row per class, or one row for two classes (the second class's). */
  get coef(): Matrix {
    return this.state.coef;
  }
  /** One intercept per coefficient row (zeros when fitIntercept is false). */
  get intercept(): FloatArray {
    return this.state.intercept;
  }
  /** The distinct labels seen by fit, sorted. */
  get classes(): L[] {
    return this.state.classes as L[];
  }
  /** Iterations (lbfgs) or epochs (saga) run: one value, or one per class for one-vs-rest. */
  get nIter(): Int32Array {
    return this.state.nIter;
  }
  /** False when fit stopped at maxIter (a ConvergenceWarning was emitted). */
  get converged(): boolean {
    return this.state.converged;
  }
  get nFeatures(): number {
    return this.state.coef.cols;
  }

  fit(X: MatrixInput, y: readonly string[], options?: LogisticFitOptions): Promise<LogisticRegression<string>>;
  fit(X: MatrixInput, y: ArrayLike<number>, options?: LogisticFitOptions): Promise<LogisticRegression<number>>;
  fit(X: MatrixInput, y: LabelInput, options?: LogisticFitOptions): Promise<LogisticRegression<Label>> {
    try {
      const x = toMatrix(X, 'X');
      const { classes, indices } = encodeLabels(y, 'y', x.rows);
      if (classes.length < 2) throw rangeError('labels of at least two classes', 'y', `only ${JSON.stringify(classes[0])}`);
      const o = this.options;
      const multinomial = o.multiClass === 'multinomial' || (o.multiClass === 'auto' && classes.length > 2);
      const sampleWeight = weightsFor(options?.sampleWeight, o.classWeight, classes, indices, !isOvr(classes.length, multinomial));
      const params = nativeParams(o, classes.length, multinomial);
      const start = o.warmStart ? this.warmStart(classes, x.cols, multinomial) : undefined;
      // saga visits one row at a time: unless told otherwise, it leases one thread of the budget.
      const jobOptions = o.solver === 'saga' && options?.threads === undefined ? { ...options, threads: 1 } : options;
      return runJob(jobOptions, (native) =>
        addon.logisticFit(x.data, x.rows, x.cols, indices, sampleWeight, params, start, native),
      ).then((result) => {
        this.fitted = {
          coef: { data: result.coef, rows: result.intercept.length, cols: x.cols },
          intercept: result.intercept,
          classes,
          nIter: result.nIter,
          converged: result.converged,
          multinomial,
        };
        if (!result.converged) warn(o.solver, o.maxIter);
        return this as unknown as LogisticRegression<Label>;
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The current coefficients when they fit the new problem; otherwise the fit starts from zero. */
  private warmStart(classes: Label[], cols: number, multinomial: boolean): NativeLogisticModel | undefined {
    const f = this.fitted;
    if (f === undefined || f.coef.cols !== cols || f.multinomial !== multinomial || f.classes.length !== classes.length) return undefined;
    if (!f.classes.every((c, i) => c === classes[i])) return undefined;
    return { coef: Float64Array.from(f.coef.data), intercept: Float64Array.from(f.intercept) };
  }

  private predictJob(X: MatrixInput, mode: Mode, options: JobOptions | undefined): Promise<{ out: FloatArray | Int32Array; rows: number }> {
    try {
      const f = this.state;
      const x = toMatrix(X, 'X');
      if (x.cols !== f.coef.cols) throw rangeError(`a matrix with ${f.coef.cols} columns (the features seen by fit)`, 'X', `${x.rows} x ${x.cols}`);
      const coef = sameType(f.coef.data, x.data);
      const intercept = sameType(f.intercept, x.data);
      const params = { classes: f.classes.length, multinomial: f.multinomial, mode };
      return runJob(options, (native) => addon.logisticPredict(x.data, x.rows, x.cols, coef, intercept, params, native)).then((out) => ({ out, rows: x.rows }));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private matrixJob<T extends FloatArray>(X: MatrixInput, mode: Mode, cols: number, options: JobOptions | undefined): Promise<Matrix<T>> {
    return this.predictJob(X, mode, options).then(({ out, rows }) => ({ data: out as T, rows, cols }));
  }

  /** Scores x . coef + intercept: n x 1 for two classes (the second class's score), else n x classes. */
  decisionFunction<T extends FloatArray = FloatArray>(X: MatrixInput<T>, options?: JobOptions): Promise<Matrix<T>> {
    return this.matrixJob(X, Mode.Decision, this.fitted?.coef.rows ?? 0, options);
  }

  /** Class probabilities, n x classes (softmax for multinomial, normalised sigmoids for one-vs-rest). */
  predictProba<T extends FloatArray = FloatArray>(X: MatrixInput<T>, options?: JobOptions): Promise<Matrix<T>> {
    return this.matrixJob(X, Mode.Proba, this.fitted?.classes.length ?? 0, options);
  }

  /** Natural logarithms of predictProba, computed without rounding small probabilities to 0. */
  predictLogProba<T extends FloatArray = FloatArray>(X: MatrixInput<T>, options?: JobOptions): Promise<Matrix<T>> {
    return this.matrixJob(X, Mode.LogProba, this.fitted?.classes.length ?? 0, options);
  }

  /** The most likely class of each row. */
  predict(X: MatrixInput, options?: JobOptions): Promise<LogisticPredictions<L>> {
    return this.predictJob(X, Mode.Class, options).then(({ out }) => labelsOf(out as Int32Array, this.state.classes) as LogisticPredictions<L>);
  }

  /** Mean accuracy on (X, y), weighted by options.sampleWeight; labels outside classes count as wrong. */
  score(X: MatrixInput, y: LabelInput, options?: LogisticScoreOptions): Promise<number> {
    try {
      const x = toMatrix(X, 'X');
      const truth = checkedLabels(y, this.state.classes, 'y', x.rows, false);
      const weights = options?.sampleWeight === undefined ? undefined : toVector(options.sampleWeight, 'options.sampleWeight');
      if (weights !== undefined && weights.length !== x.rows) throw rangeError(`an array of length ${x.rows} (the rows of X)`, 'options.sampleWeight', weights);
      return this.predictJob(x, Mode.Class, options).then(({ out }) => {
        let right = 0;
        let total = 0;
        for (let i = 0; i < truth.length; i++) {
          const w = weights === undefined ? 1 : weights[i];
          total += w;
          if (out[i] === truth[i]) right += w;
        }
        return right / total;
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The objective fit minimises (with this model's options, class weights and sampleWeight) and its
   * gradient, at the current coefficients: for checking convergence, or a model from elsewhere.
   */
  objective(X: MatrixInput, y: LabelInput, options?: LogisticFitOptions): Promise<LogisticObjective> {
    try {
      const f = this.state;
      const x = toMatrix(X, 'X');
      if (x.cols !== f.coef.cols) throw rangeError(`a matrix with ${f.coef.cols} columns (the features seen by fit)`, 'X', `${x.rows} x ${x.cols}`);
      const indices = checkedLabels(y, f.classes, 'y', x.rows, true);
      const o = this.options;
      const sampleWeight = weightsFor(options?.sampleWeight, o.classWeight, f.classes, indices, !isOvr(f.classes.length, f.multinomial));
      const params = nativeParams(o, f.classes.length, f.multinomial);
      const model = { coef: Float64Array.from(f.coef.data), intercept: Float64Array.from(f.intercept) };
      return runJob(options, (native) => addon.logisticObjective(x.data, x.rows, x.cols, indices, sampleWeight, params, model, native)).then((r) => ({
        value: r.value,
        coefGradient: { data: r.coefGradient, rows: f.coef.rows, cols: f.coef.cols },
        interceptGradient: r.interceptGradient,
      }));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A plain, versioned object for JSON.stringify; LogisticRegression.fromJSON restores the model. */
  toJSON(): LogisticRegressionJSON {
    const f = this.state;
    return {
      format: FORMAT,
      version: VERSION,
      options: { ...this.options },
      dtype: f.coef.data instanceof Float32Array ? 'float32' : 'float64',
      classes: [...f.classes],
      nFeatures: f.coef.cols,
      multinomial: f.multinomial,
      coef: Array.from(f.coef.data),
      intercept: Array.from(f.intercept),
      nIter: Array.from(f.nIter),
      converged: f.converged,
    };
  }

  /** Restores a model saved by toJSON (also after JSON.parse); anything malformed is a TypeError or RangeError. */
  static fromJSON(json: unknown): LogisticRegression {
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw typeError('an object from LogisticRegression.toJSON()', 'json', json);
    const j = json as Record<string, unknown>;
    if (j.format !== FORMAT) throw typeError(`the format "${FORMAT}"`, 'json.format', j.format);
    if (j.version !== VERSION) throw rangeError(`version ${VERSION}`, 'json.version', j.version);
    const model = new LogisticRegression(resolveOptions(j.options, 'json.options'));
    const dtype = oneOf(j.dtype, ['float64', 'float32'], 'json.dtype');
    if (!Array.isArray(j.classes)) throw typeError('an array of labels', 'json.classes', j.classes);
    const classes = j.classes as unknown[];
    const kind = typeof classes[0];
    if (classes.length < 2 || new Set(classes).size !== classes.length) throw rangeError('at least two distinct labels', 'json.classes', classes);
    classes.forEach((c, i) => {
      if (typeof c !== kind || (kind !== 'string' && !(typeof c === 'number' && Number.isFinite(c))))
        throw typeError('finite numbers or strings, all of one kind', `json.classes[${i}]`, c);
    });
    const nFeatures = checkNumber(j.nFeatures, 'json.nFeatures', (v) => Number.isSafeInteger(v) && v > 0, 'a positive integer');
    const multinomial = checkBoolean(j.multinomial, 'json.multinomial');
    const rows = classes.length === 2 ? 1 : classes.length;
    const Float = dtype === 'float32' ? Float32Array : Float64Array;
    const numbers = (value: unknown, name: string, length: number): number[] => {
      if (!Array.isArray(value)) throw typeError('an array of numbers', name, value);
      if (value.length !== length) throw rangeError(`an array of length ${length}`, name, value);
      value.forEach((v, i) => checkNumber(v, `${name}[${i}]`, Number.isFinite, 'a finite number'));
      return value as number[];
    };
    const coef = Float.from(numbers(j.coef, 'json.coef', rows * nFeatures));
    const intercept = Float.from(numbers(j.intercept, 'json.intercept', rows));
    if (!Array.isArray(j.nIter)) throw typeError('an array of iteration counts', 'json.nIter', j.nIter);
    const nIter = Int32Array.from(numbers(j.nIter, 'json.nIter', j.nIter.length), (v, i) =>
      checkNumber(v, `json.nIter[${i}]`, (x) => Number.isInteger(x) && x >= 0 && x < 2 ** 31, 'a non-negative integer'),
    );
    model.fitted = {
      coef: { data: coef, rows, cols: nFeatures },
      intercept,
      classes: classes as Label[],
      nIter,
      converged: checkBoolean(j.converged, 'json.converged'),
      multinomial,
    };
    return model;
  }
}

/** The saved form of a fitted LogisticRegression. */
export interface LogisticRegressionJSON {
  format: typeof FORMAT;
  version: typeof VERSION;
  options: Resolved;
  dtype: 'float64' | 'float32';
  classes: Label[];
  nFeatures: number;
  multinomial: boolean;
  coef: number[];
  intercept: number[];
  nIter: number[];
  converged: boolean;
}
