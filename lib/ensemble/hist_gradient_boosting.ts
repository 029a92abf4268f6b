// HistGradientBoostingClassifier and HistGradientBoostingRegressor: scikit-learn's estimators on the
// native booster (native/tree/gbdt.cc), which bins X once and grows every round's trees leaf-wise
// with the grower the decision trees and forests use. Saved and predicted as the same native forest.
import { rangeError, typeError } from '../errors';
import type { JobOptions } from '../job';
import { runJob } from '../job';
import { encodeLabels, labelsOf, type Label, type LabelInput } from '../linear_model/labels';
import { addon, type NativeGbdtParams } from '../native';
import { trainTestSplit } from '../preprocessing/split';
import { toMatrix, toVector, type FloatArray, type Matrix, type MatrixInput, type VectorInput } from '../tensor';
import {
  argmaxRows,
  checkBoolean,
  checkClassWeight,
  checkInt,
  checkKnown,
  checkObject,
  checkSaved,
  classWeights,
  oneOf,
  rowWeights,
  scoreOf,
  TreeEstimator,
  type ClassPredictions,
  type ClassWeight,
  type TreeModelJSON,
} from '../tree/base';

export interface HistGradientBoostingOptions {
  /** Shrinkage of every tree's values. Default 0.1. */
  learningRate?: number;
  /** Boosting rounds (one tree per round, one per class and round for more than 2 classes). Default 100. */
  maxIter?: number;
  /** Leaves per tree, grown best-first (the largest gain first). Default 31. */
  maxLeafNodes?: number | null;
  /** Deepest level below the root. Default null (limited by maxLeafNodes only). */
  maxDepth?: number | null;
  /** Rows each leaf keeps. Default 20. */
  minSamplesLeaf?: number;
  /** L2 penalty lambda on leaf values: a leaf's value is -G / (H + lambda). Default 0. */
  l2Regularization?: number;
  /** A split must gain at least this much (LightGBM's min_gain_to_split). Default 0. */
  minGainToSplit?: number;
  /** Quantile bins per feature (2..255), plus one for missing values. Default 255. */
  maxBins?: number;
  /** Fraction of the rows drawn (without replacement) for each round's trees, in (0, 1]. Default 1. */
  subsample?: number;
  /** Fraction of the features drawn (without replacement) for each tree, in (0, 1]. Default 1. */
  colsampleBytree?: number;
  /** 'auto': on when there are more than 10,000 rows (or an evalSet is given). Default 'auto'. */
  earlyStopping?: 'auto' | boolean;
  /** Rows held out to score early stopping, in (0, 1), or null to score on the training loss. Default 0.1. */
  validationFraction?: number | null;
  /** Stop when none of the last nIterNoChange rounds improved the loss by more than tol. Default 10. */
  nIterNoChange?: number;
  /** Default 1e-7. */
  tol?: number;
  /** Seed (integer in [0, 2^32)) of the validation split and row sampling. Default: random per fit. */
  randomState?: number | null;
  /**
   * Categorical features: column indices, or a boolean mask with one entry per column (scikit-learn's
   * names). Their values are category codes, integers from 0 to maxBins - 1 (NaN: missing); each code
   * gets its own bin, and a split sends a set of categories left (LightGBM's k-category split, categories
   * ordered by gradient statistics). At prediction, a category the split did not send left (one unseen
   * in training, say) goes right. Default null: every feature is numeric.
   */
  categoricalFeatures?: readonly number[] | readonly boolean[] | null;
}

export interface HistGradientBoostingClassifierOptions extends HistGradientBoostingOptions {
  /** Default 'log_loss' (binary log-loss for 2 classes, softmax otherwise). */
  loss?: 'log_loss';
  /** Default null. */
  classWeight?: ClassWeight | null;
}

export interface HistGradientBoostingRegressorOptions extends HistGradientBoostingOptions {
  /**
   * Default 'squared_error'. 'absolute_error': trees grow on the signs of the residuals and each leaf's
   * value is the (weighted) median of its rows' residuals times learningRate; the initial prediction is
   * the (weighted) median of y.
   */
  loss?: 'squared_error' | 'poisson' | 'absolute_error';
}

export interface BoostFitOptions extends JobOptions {
  /** Per-row weights (finite, >= 0), multiplied by the class weights. */
  sampleWeight?: VectorInput;
  /** Scores early stopping on these rows instead of a split of X (turns early stopping on with 'auto'). */
  evalSet?: { X: MatrixInput; y: unknown; sampleWeight?: VectorInput };
}

export interface BoostPredictOptions extends JobOptions {
  /** Use only the first `iterations` rounds (stagewise prediction). Default: all. */
  iterations?: number;
}

const optionKeys = [
  'learningRate', 'maxIter', 'maxLeafNodes', 'maxDepth', 'minSamplesLeaf', 'l2Regularization', 'minGainToSplit', 'maxBins',
  'subsample', 'colsampleBytree', 'earlyStopping', 'validationFraction', 'nIterNoChange', 'tol', 'randomState', 'categoricalFeatures',
];

function checkPositive(value: unknown, name: string, lo: number, hi: number, loOpen: boolean): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw typeError('a number', name, value);
  if (!((loOpen ? value > lo : value >= lo) && value <= hi)) throw rangeError(`a number in ${loOpen ? '(' : '['}${lo}, ${hi}]`, name, value);
  return value;
}

function checkCategorical(value: unknown, name: string): readonly number[] | readonly boolean[] | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value)) throw typeError('an array of column indices, a boolean mask or null', name, value);
  if (value.every((v) => typeof v === 'boolean')) return [...value] as boolean[];
  value.forEach((v: unknown, i: number) => checkInt(v, `${name}[${i}]`, 0, 2 ** 31 - 1));
  return [...value] as number[];
}

/** The categorical columns as one flag per column (empty: none), checked against X. */
function categoricalMask(features: readonly number[] | readonly boolean[] | null, cols: number): Uint8Array {
  const name = 'options.categoricalFeatures';
  if (features === null) return new Uint8Array(0);
  if (features.length > 0 && typeof features[0] === 'boolean') {
    if (features.length !== cols) throw rangeError(`a boolean mask of length ${cols} (the columns of X)`, name, features);
    return Uint8Array.from(features as boolean[], (f) => (f ? 1 : 0));
  }
  const mask = new Uint8Array(cols);
  (features as number[]).forEach((j, i) => {
    if (j >= cols) throw rangeError(`a column index below ${cols} (the columns of X)`, `${name}[${i}]`, j);
    mask[j] = 1;
  });
  return mask;
}

/** Category codes of the categorical columns: integers in [0, maxBins) or NaN. */
function checkCategories(x: Matrix, mask: Uint8Array, maxBins: number, name: string): void {
  for (let j = 0; j < mask.length; j++) {
    if (mask[j] === 0) continue;
    for (let r = 0; r < x.rows; r++) {
      const v = x.data[r * x.cols + j];
      if (!(Number.isInteger(v) && v >= 0 && v < maxBins) && !Number.isNaN(v))
        throw rangeError(`a category code (an integer from 0 to ${maxBins - 1}, or NaN) in categorical column ${j}`, `${name}[${r}][${j}]`, v);
    }
  }
}

function checkBoostOptions(o: Record<string, unknown>): Required<HistGradientBoostingOptions> {
  const earlyStopping = o.earlyStopping ?? 'auto';
  if (earlyStopping !== 'auto') checkBoolean(earlyStopping, 'options.earlyStopping');
  const validationFraction = o.validationFraction === undefined ? 0.1 : o.validationFraction;
  if (validationFraction !== null) checkPositive(validationFraction, 'options.validationFraction', 0, 1, true);
  if (validationFraction === 1) throw rangeError('a number in (0, 1) or null', 'options.validationFraction', 1);
  return {
    learningRate: checkPositive(o.learningRate ?? 0.1, 'options.learningRate', 0, Infinity, true),
    maxIter: checkInt(o.maxIter ?? 100, 'options.maxIter', 1, 2 ** 31 - 1) as number,
    maxLeafNodes: checkInt(o.maxLeafNodes === undefined ? 31 : o.maxLeafNodes, 'options.maxLeafNodes', 2, 2 ** 31 - 1, true),
    maxDepth: checkInt(o.maxDepth ?? null, 'options.maxDepth', 1, 2 ** 31 - 1, true),
    minSamplesLeaf: checkInt(o.minSamplesLeaf ?? 20, 'options.minSamplesLeaf', 1, 2 ** 31 - 1) as number,
    l2Regularization: checkPositive(o.l2Regularization ?? 0, 'options.l2Regularization', 0, Infinity, false),
    minGainToSplit: checkPositive(o.minGainToSplit ?? 0, 'options.minGainToSplit', 0, Infinity, false),
    maxBins: checkInt(o.maxBins ?? 255, 'options.maxBins', 2, 255) as number,
    subsample: checkPositive(o.subsample ?? 1, 'options.subsample', 0, 1, true),
    colsampleBytree: checkPositive(o.colsampleBytree ?? 1, 'options.colsampleBytree', 0, 1, true),
    earlyStopping: earlyStopping as 'auto' | boolean,
    validationFraction: validationFraction as number | null,
    nIterNoChange: checkInt(o.nIterNoChange ?? 10, 'options.nIterNoChange', 1, 2 ** 31 - 1) as number,
    tol: checkPositive(o.tol ?? 1e-7, 'options.tol', 0, Infinity, false),
    randomState: checkInt(o.randomState ?? null, 'options.randomState', 0, 2 ** 32 - 1, true),
    categoricalFeatures: checkCategorical(o.categoricalFeatures, 'options.categoricalFeatures'),
  };
}

const lossCode = { squared_error: 0, log_loss: 1, softmax: 2, poisson: 3, absolute_error: 4 } as const;

/** What a fitted booster keeps beside the native trees. */
interface BoostState {
  /** Initial raw score per output. */
  baseline: Float64Array;
  nIter: number;
  trainScore: Float64Array;
  validationScore: Float64Array;
}

/** Targets and weights of a row set in the native form: y as Float64Array (class indices for classifiers). */
interface Rows {
  x: Matrix;
  y: Float64Array;
  w: Float64Array | null;
}

function takeVector(v: Float64Array, index: Int32Array): Float64Array {
  return Float64Array.from(index, (i) => v[i]);
}

abstract class BaseHistGradientBoosting extends TreeEstimator {
  protected abstract readonly boost: Required<HistGradientBoostingOptions>;
  protected abstract readonly lossName: keyof typeof lossCode;
  private booster: BoostState | undefined;

  /** Encoded targets, row weights and (classifiers) labels; y is checked against the classes of fit. */
  protected abstract targets(y: unknown, rows: number, sampleWeight: VectorInput | undefined, classes?: Label[]): { y: Float64Array; w: Float64Array | null; classes?: Label[] };

  protected outputCount(classes: Label[] | undefined): number {
    return classes === undefined || classes.length <= 2 ? 1 : classes.length;
  }

  protected async fitBoosted(X: MatrixInput, y: unknown, options: BoostFitOptions | undefined): Promise<this> {
    const o = this.boost;
    const x = toMatrix(X, 'X');
    const categorical = categoricalMask(o.categoricalFeatures, x.cols);
    checkCategories(x, categorical, o.maxBins, 'X');
    const t = this.targets(y, x.rows, options?.sampleWeight);
    const classes = t.classes;
    const outputs = this.outputCount(classes);
    const seed = o.randomState ?? Math.floor(Math.random() * 2 ** 32);
    const stop = o.earlyStopping === 'auto' ? x.rows > 10000 || options?.evalSet !== undefined : o.earlyStopping;
    let train: Rows = { x, y: t.y, w: t.w };
    let held: Rows | null = null;
    if (stop && options?.evalSet !== undefined) {
      const e = checkObject(options.evalSet, 'options.evalSet');
      const ex = toMatrix(e.X, 'options.evalSet.X');
      if (ex.cols !== x.cols) throw rangeError(`a matrix with ${x.cols} columns (as X)`, 'options.evalSet.X', ex);
      const et = this.targets(e.y, ex.rows, e.sampleWeight as VectorInput | undefined, classes);
      held = { x: ex, y: et.y, w: et.w };
    } else if (stop && o.validationFraction !== null) {
      // scikit-learn's split: stratified for classifiers, seeded by randomState.
      const split = await trainTestSplit(x, t.y, { testSize: o.validationFraction, stratify: classes === undefined ? undefined : t.y, randomState: seed });
      train = { x: split.XTrain as Matrix, y: takeVector(t.y, split.trainIndex), w: t.w && takeVector(t.w, split.trainIndex) };
      held = { x: split.XTest as Matrix, y: takeVector(t.y, split.testIndex), w: t.w && takeVector(t.w, split.testIndex) };
    }
    if (held !== null && held.x.data.constructor !== train.x.data.constructor)
      held.x = { ...held.x, data: (train.x.data instanceof Float32Array ? Float32Array : Float64Array).from(held.x.data) };
    const params: NativeGbdtParams = {
      loss: outputs > 1 ? lossCode.softmax : lossCode[this.lossName],
      nOutputs: outputs,
      maxDepth: o.maxDepth ?? 0,
      minSamplesLeaf: o.minSamplesLeaf,
      minHessianLeaf: 1e-3, // scikit-learn's min_hessian_to_split
      maxLeafNodes: o.maxLeafNodes ?? 2 ** 31 - 1,
      maxBins: o.maxBins,
      learningRate: o.learningRate,
      l2Regularization: o.l2Regularization,
      minGainToSplit: o.minGainToSplit,
      maxIter: o.maxIter,
      subsample: o.subsample,
      colsampleBytree: o.colsampleBytree,
      nIterNoChange: stop ? o.nIterNoChange : 0,
      tol: o.tol,
      seed,
      categorical,
    };
    const r = await runJob(options, (native) =>
      addon.gbdtFit(train.x.data, train.x.rows, train.x.cols, train.y, train.w, held?.x.data ?? null, held?.x.rows ?? 0, held?.x.cols ?? 0, held?.y ?? null, held?.w ?? null, params, native),
    );
    this.setFitted({ model: r.model, nFeatures: x.cols, nTrees: r.nIter * outputs, classes, seed });
    // scikit-learn's scores are negated losses (higher is better).
    this.booster = { baseline: r.baseline, nIter: r.nIter, trainScore: r.trainLoss.map((v) => -v), validationScore: r.validationLoss.map((v) => -v) };
    return this;
  }

  private get fittedBooster(): BoostState {
    if (this.booster === undefined) throw new Error(`This ${this.estimatorName} is not fitted yet: call fit(X, y) first`);
    return this.booster;
  }

  /** Rounds fitted (fewer than maxIter after early stopping). */
  get nIter(): number {
    return this.fittedBooster.nIter;
  }

  /** Negated training loss before the first round and after each round (empty without early stopping). */
  get trainScore(): Float64Array {
    return this.fittedBooster.trainScore.slice();
  }

  /** Negated validation loss per round (empty without early stopping on held-out rows). */
  get validationScore(): Float64Array {
    return this.fittedBooster.validationScore.slice();
  }

  /** Raw scores: baseline + the sum of the trees of the first `iterations` rounds, rows x outputs. */
  protected raw(X: MatrixInput, options: BoostPredictOptions | undefined): Promise<Matrix<Float64Array>> {
    try {
      const f = this.state;
      const b = this.fittedBooster;
      const x = toMatrix(X, 'X');
      if (x.cols !== f.nFeatures) throw rangeError(`a matrix with ${f.nFeatures} columns (as in fit)`, 'X', x);
      const outputs = b.baseline.length;
      const rounds = options?.iterations === undefined ? b.nIter : (checkInt(options.iterations, 'options.iterations', 1, b.nIter) as number);
      const model = rounds === b.nIter ? f.model : addon.treeSlice(f.model, 0, rounds * outputs);
      const { iterations: _i, ...job } = options ?? {};
      return runJob(job, (native) => addon.treePredict(model, x.data, x.rows, x.cols, 1, native)).then((data) => {
        for (let i = 0; i < data.length; i++) data[i] += b.baseline[i % outputs];
        return { data, rows: x.rows, cols: outputs };
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  toJSON(): TreeModelJSON & { booster: { baseline: number[]; nIter: number; trainScore: number[]; validationScore: number[] } } {
    const b = this.fittedBooster;
    return { ...super.toJSON(), booster: { baseline: [...b.baseline], nIter: b.nIter, trainScore: [...b.trainScore], validationScore: [...b.validationScore] } };
  }

  protected restore(j: Record<string, unknown>): this {
    super.restore(j);
    const s = checkObject(j.booster, 'json.booster');
    const numbers = (v: unknown, name: string): Float64Array => {
      if (!Array.isArray(v) || !v.every((e) => typeof e === 'number' && Number.isFinite(e))) throw typeError('an array of finite numbers', name, v);
      return Float64Array.from(v as number[]);
    };
    const baseline = numbers(s.baseline, 'json.booster.baseline');
    const outputs = this.outputCount(this.state.classes);
    if (baseline.length !== outputs) throw rangeError(`${outputs} baseline scores`, 'json.booster.baseline', s.baseline);
    const nIter = checkInt(s.nIter, 'json.booster.nIter', 1, 2 ** 31 - 1) as number;
    if (nIter * outputs !== this.state.nTrees) throw rangeError(`${this.state.nTrees / outputs} (the saved trees per output)`, 'json.booster.nIter', nIter);
    this.booster = { baseline, nIter, trainScore: numbers(s.trainScore, 'json.booster.trainScore'), validationScore: numbers(s.validationScore, 'json.booster.validationScore') };
    return this;
  }
}

/** Softmax (or the logistic function for one output) of raw scores, in place, as class probabilities. */
function probabilities(raw: Matrix<Float64Array>): Matrix<Float64Array> {
  if (raw.cols === 1) {
    const out = new Float64Array(raw.rows * 2);
    for (let r = 0; r < raw.rows; r++) {
      const p = 1 / (1 + Math.exp(-raw.data[r]));
      out[2 * r] = 1 - p;
      out[2 * r + 1] = p;
    }
    return { data: out, rows: raw.rows, cols: 2 };
  }
  const { data, rows, cols } = raw;
  for (let r = 0; r < rows; r++) {
    const row = data.subarray(r * cols, (r + 1) * cols);
    const top = Math.max(...row);
    let sum = 0;
    for (let k = 0; k < cols; k++) sum += row[k] = Math.exp(row[k] - top);
    for (let k = 0; k < cols; k++) row[k] /= sum;
  }
  return raw;
}

/** Gradient-boosted trees for classification: scikit-learn's HistGradientBoostingClassifier. */
export class HistGradientBoostingClassifier<L extends Label = Label> extends BaseHistGradientBoosting {
  protected readonly estimatorName = 'HistGradientBoostingClassifier';
  protected readonly classify = true;
  protected readonly lossName = 'log_loss';
  private options: Required<HistGradientBoostingClassifierOptions>;

  constructor(options?: HistGradientBoostingClassifierOptions) {
    super();
    const o = checkObject(options, 'options');
    checkKnown(o, ['loss', 'classWeight', ...optionKeys], 'options');
    this.options = {
      ...checkBoostOptions(o),
      loss: oneOf(o.loss ?? 'log_loss', ['log_loss'], 'options.loss'),
      classWeight: checkClassWeight(o.classWeight, 'options.classWeight', false) as ClassWeight | null,
    };
  }

  protected get boost(): Required<HistGradientBoostingOptions> {
    return this.options;
  }

  protected savedOptions(): Record<string, unknown> {
    return { ...this.options };
  }

  protected targets(y: unknown, rows: number, sampleWeight: VectorInput | undefined, known?: Label[]) {
    const { classes, indices } = encodeLabels(y, known === undefined ? 'y' : 'options.evalSet.y', rows);
    let codes = indices;
    if (known !== undefined) {
      // Held-out labels index the classes of the training labels.
      const at = new Map(known.map((c, i) => [String(c), i]));
      codes = Int32Array.from(indices, (i) => {
        const k = at.get(String(classes[i]));
        if (k === undefined) throw rangeError(`labels seen in y (${known.slice(0, 10).join(', ')})`, 'options.evalSet.y', classes[i]);
        return k;
      });
    } else if (classes.length < 2) throw rangeError('at least 2 classes', 'y', y);
    const all = known ?? classes;
    const w = rowWeights(sampleWeight, classWeights(this.options.classWeight, all, codes), codes, rows);
    return { y: Float64Array.from(codes), w, classes: all };
  }

  /** Boosts trees on X (rows x features; NaN allowed) and labels y (numbers or strings). */
  fit(X: MatrixInput, y: LabelInput, options?: BoostFitOptions): Promise<this> {
    return this.fitBoosted(X, y, options);
  }

  get classes(): L[] {
    return [...this.labels] as L[];
  }

  /** Raw scores: rows x 1 (the log-odds of the second class) for 2 classes, rows x classes otherwise. */
  decisionFunction(X: MatrixInput, options?: BoostPredictOptions): Promise<Matrix<Float64Array>> {
    return this.raw(X, options);
  }

  /** Class probabilities, rows x classes. */
  predictProba(X: MatrixInput, options?: BoostPredictOptions): Promise<Matrix<Float64Array>> {
    return this.raw(X, options).then(probabilities);
  }

  /** The most likely class of each row. */
  predict(X: MatrixInput, options?: BoostPredictOptions): Promise<ClassPredictions<L>> {
    return this.predictProba(X, options).then((p) => labelsOf(argmaxRows(p.data, p.rows, p.cols), this.labels) as ClassPredictions<L>);
  }

  /** Mean accuracy. */
  score(X: MatrixInput, y: LabelInput, options?: JobOptions & { sampleWeight?: VectorInput }): Promise<number> {
    try {
      const x = toMatrix(X, 'X');
      const truth = this.targets(y, x.rows, undefined, this.labels).y;
      const w = options?.sampleWeight === undefined ? undefined : toVector(options.sampleWeight, 'options.sampleWeight');
      return this.predictProba(x, options).then((p) => scoreOf(argmaxRows(p.data, p.rows, p.cols), truth, w, true));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  static fromJSON(json: unknown): HistGradientBoostingClassifier {
    const j = checkSaved(json, 'HistGradientBoostingClassifier');
    return new HistGradientBoostingClassifier(j.options as HistGradientBoostingClassifierOptions).restore(j);
  }
}

/** Gradient-boosted trees for regression: scikit-learn's HistGradientBoostingRegressor. */
export class HistGradientBoostingRegressor extends BaseHistGradientBoosting {
  protected readonly estimatorName = 'HistGradientBoostingRegressor';
  protected readonly classify = false;
  private options: Required<HistGradientBoostingRegressorOptions>;

  constructor(options?: HistGradientBoostingRegressorOptions) {
    super();
    const o = checkObject(options, 'options');
    checkKnown(o, ['loss', ...optionKeys], 'options');
    this.options = { ...checkBoostOptions(o), loss: oneOf(o.loss ?? 'squared_error', ['squared_error', 'poisson', 'absolute_error'], 'options.loss') };
  }

  protected get lossName(): 'squared_error' | 'poisson' | 'absolute_error' {
    return this.options.loss;
  }

  protected get boost(): Required<HistGradientBoostingOptions> {
    return this.options;
  }

  protected savedOptions(): Record<string, unknown> {
    return { ...this.options };
  }

  protected targets(y: unknown, rows: number, sampleWeight: VectorInput | undefined, _known?: Label[]) {
    const v: FloatArray = toVector(y, 'y');
    if (v.length !== rows) throw rangeError(`an array of length ${rows} (the rows of X)`, 'y', v);
    const target = Float64Array.from(v);
    for (let i = 0; i < rows; i++) {
      if (!Number.isFinite(target[i])) throw rangeError('a finite number', `y[${i}]`, target[i]);
      if (this.options.loss === 'poisson' && target[i] < 0) throw rangeError('a number >= 0 (Poisson loss)', `y[${i}]`, target[i]);
    }
    return { y: target, w: rowWeights(sampleWeight, null, null, rows) };
  }

  /** Boosts trees on X (rows x features; NaN allowed) and finite targets y. */
  fit(X: MatrixInput, y: VectorInput, options?: BoostFitOptions): Promise<this> {
    return this.fitBoosted(X, y, options);
  }

  /** Predicted values (exp of the raw score for the Poisson loss). */
  predict(X: MatrixInput, options?: BoostPredictOptions): Promise<Float64Array> {
    return this.raw(X, options).then((r) => (this.options.loss === 'poisson' ? r.data.map(Math.exp) : r.data));
  }

  /** R^2 of the predictions. */
  score(X: MatrixInput, y: VectorInput, options?: JobOptions & { sampleWeight?: VectorInput }): Promise<number> {
    try {
      const x = toMatrix(X, 'X');
      const truth = this.targets(y, x.rows, undefined).y;
      const w = options?.sampleWeight === undefined ? undefined : toVector(options.sampleWeight, 'options.sampleWeight');
      return this.predict(x, options).then((p) => scoreOf(p, truth, w, false));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  static fromJSON(json: unknown): HistGradientBoostingRegressor {
    const j = checkSaved(json, 'HistGradientBoostingRegressor');
    return new HistGradientBoostingRegressor(j.options as HistGradientBoostingRegressorOptions).restore(j);
  }
}
