// What decision trees and random forests share: option checks, fitting through the native forest
// builder (a decision tree is a forest of one tree without bootstrap), prediction, inspection and
// the saved form. The public classes (decision_tree.ts, ../ensemble/random_forest.ts) add their options.
import { rangeError, typeError } from '../errors';
import { runJob, type JobOptions } from '../job';
import { checkedLabels, encodeLabels, labelsOf, type Label, type LabelInput } from '../linear_model/labels';
import { addon, type NativeTreeExport, type NativeTreeModel, type NativeTreeParams } from '../native';
import { toMatrix, toVector, type Matrix, type MatrixInput, type VectorInput } from '../tensor';
import { decodeTrees, encodeTrees, type TreeArraysJSON } from './serialize';

export type { Label, LabelInput } from '../linear_model/labels';

export type ClassificationCriterion = 'gini' | 'entropy' | 'log_loss';
export type RegressionCriterion = 'squared_error' | 'absolute_error';
export type MaxFeatures = number | 'sqrt' | 'log2' | null;
/** What a classifier's predict resolves to for labels of type L. */
export type ClassPredictions<L extends Label> = [L] extends [number] ? Float64Array : [L] extends [string] ? string[] : Float64Array | string[];
/** 'balanced': n / (classes x count of the class); or a weight per class label (others weigh 1). */
export type ClassWeight = 'balanced' | Readonly<Record<string, number>>;

/** Options of every tree model, with scikit-learn's names (camelCase) and defaults. */
export interface TreeOptions {
  /** Deepest level below the root (root = depth 0). Default null: grow until leaves are pure. */
  maxDepth?: number | null;
  /** Rows a node needs to be split: an integer >= 2, or a fraction of the rows in (0, 1]. Default 2. */
  minSamplesSplit?: number;
  /** Rows each child must keep: an integer >= 1, or a fraction of the rows in (0, 1). Default 1. */
  minSamplesLeaf?: number;
  /** Fraction of the total sample weight each child must keep, in [0, 0.5]. Default 0. */
  minWeightFractionLeaf?: number;
  /** A split must decrease the weighted impurity by at least this much. Default 0. */
  minImpurityDecrease?: number;
  /** Features searched per split: an integer, a fraction of the features, 'sqrt', 'log2' or null (all). */
  maxFeatures?: MaxFeatures;
  /** Grow best-first to at most this many leaves (>= 2). Default null: depth-first, unlimited. */
  maxLeafNodes?: number | null;
  /** Seed (integer in [0, 2^32)) of feature draws and bootstrap samples. Default: a random seed per fit. */
  randomState?: number | null;
  /**
   * Split search: features are binned into at most maxBins quantile bins (2..255) and split between
   * bins; null searches every distinct value (exact, like scikit-learn). A feature with at most maxBins
   * distinct values splits exactly either way. Default 255: as accurate on the benchmarks, and faster.
   */
  maxBins?: number | null;
}

export interface FitOptions extends JobOptions {
  /** Per-row weights (finite, >= 0), multiplied by the class weights. */
  sampleWeight?: VectorInput;
}

export interface ScoreOptions extends JobOptions {
  sampleWeight?: VectorInput;
}

/** A tree's nodes as flat arrays (copies; node 0 is the root), like scikit-learn's `tree_`. */
export interface TreeStructure {
  nodeCount: number;
  maxDepth: number;
  nLeaves: number;
  /** The feature tested at each node; -1 at a leaf. */
  feature: Int32Array;
  /** A row goes left when x[feature] <= threshold (0 at a categorical split, which tests a set of categories). */
  threshold: Float64Array;
  /** Child ids; -1 at a leaf. */
  childrenLeft: Int32Array;
  childrenRight: Int32Array;
  /** 1 where a missing value (NaN) goes left. */
  missingGoToLeft: Uint8Array;
  /** nodeCount x outputs: class probabilities (classifiers) or the predicted value (regressors). */
  value: Matrix<Float64Array>;
  impurity: Float64Array;
  nNodeSamples: Float64Array;
  weightedNNodeSamples: Float64Array;
}

// ---- option checks --------------------------------------------------------------------------

export function checkObject(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw typeError('an options object', name, value);
  return value as Record<string, unknown>;
}

export function checkKnown(o: Record<string, unknown>, known: readonly string[], name: string): void {
  for (const key of Object.keys(o)) if (!known.includes(key)) throw rangeError(`one of ${known.join(', ')}`, `${name} key`, key);
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T {
  if (typeof value !== 'string' || !allowed.includes(value as T))
    throw (typeof value === 'string' ? rangeError : typeError)(`one of ${allowed.map((a) => `'${a}'`).join(', ')}`, name, value);
  return value as T;
}

export function checkBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw typeError('a boolean', name, value);
  return value;
}

function checkNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw typeError('a number', name, value);
  return value;
}

/** An integer in [lo, hi], or null when allowed. */
export function checkInt(value: unknown, name: string, lo: number, hi = 2 ** 32 - 1, nullable = false): number | null {
  if (value === null && nullable) return null;
  const v = checkNumber(value, name);
  if (!Number.isInteger(v) || v < lo || v > hi)
    throw rangeError(`an integer from ${lo} to ${hi}${nullable ? ' or null' : ''}`, name, v);
  return v;
}

/** An integer >= intLo, or a fraction in (0, fracHi] (exclusive when fracHiOpen): scikit-learn's int-or-float. */
export function checkCount(value: unknown, name: string, intLo: number, fracHi: number, fracHiOpen: boolean): number {
  const v = checkNumber(value, name);
  if (Number.isInteger(v) ? v >= intLo : v > 0 && (fracHiOpen ? v < fracHi : v <= fracHi)) return v;
  throw rangeError(`an integer >= ${intLo} or a fraction in (0, ${fracHi}${fracHiOpen ? ')' : ']'}`, name, v);
}

export function checkTreeOptions(o: Record<string, unknown>, name: string, defaultMaxFeatures: MaxFeatures): Required<TreeOptions> {
  const maxFeatures = o.maxFeatures === undefined ? defaultMaxFeatures : o.maxFeatures;
  if (maxFeatures !== null && maxFeatures !== 'sqrt' && maxFeatures !== 'log2') {
    if (typeof maxFeatures === 'string') oneOf(maxFeatures, ['sqrt', 'log2'], `${name}.maxFeatures`);
    checkCount(maxFeatures, `${name}.maxFeatures`, 1, 1, false);
  }
  const minWeightFractionLeaf = checkNumber(o.minWeightFractionLeaf ?? 0, `${name}.minWeightFractionLeaf`);
  if (!(minWeightFractionLeaf >= 0 && minWeightFractionLeaf <= 0.5))
    throw rangeError('a number in [0, 0.5]', `${name}.minWeightFractionLeaf`, minWeightFractionLeaf);
  const minImpurityDecrease = checkNumber(o.minImpurityDecrease ?? 0, `${name}.minImpurityDecrease`);
  if (!(minImpurityDecrease >= 0 && Number.isFinite(minImpurityDecrease)))
    throw rangeError('a finite number >= 0', `${name}.minImpurityDecrease`, minImpurityDecrease);
  return {
    maxDepth: checkInt(o.maxDepth ?? null, `${name}.maxDepth`, 1, 2 ** 31 - 1, true),
    minSamplesSplit: checkCount(o.minSamplesSplit ?? 2, `${name}.minSamplesSplit`, 2, 1, false),
    minSamplesLeaf: checkCount(o.minSamplesLeaf ?? 1, `${name}.minSamplesLeaf`, 1, 1, true),
    minWeightFractionLeaf,
    minImpurityDecrease,
    maxFeatures: maxFeatures as MaxFeatures,
    maxLeafNodes: checkInt(o.maxLeafNodes ?? null, `${name}.maxLeafNodes`, 2, 2 ** 31 - 1, true),
    randomState: checkInt(o.randomState ?? null, `${name}.randomState`, 0, 2 ** 32 - 1, true),
    maxBins: checkInt(o.maxBins === undefined ? 255 : o.maxBins, `${name}.maxBins`, 2, 255, true),
  };
}

export function checkClassWeight(value: unknown, name: string, subsample: boolean): ClassWeight | 'balanced_subsample' | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return oneOf<'balanced' | 'balanced_subsample'>(value, subsample ? ['balanced', 'balanced_subsample'] : ['balanced'], name);
  const o = checkObject(value, name);
  for (const [key, w] of Object.entries(o))
    if (typeof w !== 'number' || !(w >= 0 && Number.isFinite(w))) throw rangeError('a finite weight >= 0', `${name}[${JSON.stringify(key)}]`, w);
  return o as Record<string, number>;
}

// ---- fitting --------------------------------------------------------------------------------

const criterionCode: Record<ClassificationCriterion | RegressionCriterion, number> = {
  gini: 0,
  entropy: 1,
  log_loss: 1, // scikit-learn: the same criterion as entropy
  squared_error: 2,
  absolute_error: 3,
};

/** What differs between a single tree and a forest at fit time. */
export interface EnsembleSettings {
  nTrees: number;
  /** Trees already fitted (warm start): new trees continue their seeds. */
  warmStart: FittedTrees | undefined;
  bootstrap: boolean;
  /** Bootstrap draws: an integer, a fraction of the rows, or null (all rows). */
  maxSamples: number | null;
  oob: boolean;
}

export interface FittedTrees {
  model: NativeTreeModel;
  nFeatures: number;
  nTrees: number;
  /** Class labels (classifiers) or undefined (regressors). */
  classes: Label[] | undefined;
  /** The seed the trees were drawn with (warm start continues it). */
  seed: number;
  oob?: OutOfBag;
}

export interface OutOfBag {
  score: number;
  /** rows x outputs: mean out-of-bag probabilities or predictions (NaN for a row no tree left out). */
  decision: Matrix<Float64Array>;
}

function resolveMaxFeatures(m: MaxFeatures, cols: number): number {
  let k: number;
  if (m === null) k = cols;
  else if (m === 'sqrt') k = Math.floor(Math.sqrt(cols));
  else if (m === 'log2') k = Math.floor(Math.log2(cols));
  else if (Number.isInteger(m)) {
    if (m > cols) throw rangeError(`at most ${cols} (the columns of X)`, 'options.maxFeatures', m);
    k = m;
  } else k = Math.floor(m * cols);
  k = Math.max(1, k);
  return k >= cols ? 0 : k; // 0: every feature at every node (enables histogram subtraction)
}

function resolveFraction(v: number, rows: number, ceil: boolean): number {
  return Number.isInteger(v) ? v : ceil ? Math.ceil(v * rows) : Math.max(1, Math.round(v * rows));
}

export function classWeights(classWeight: ClassWeight | 'balanced_subsample' | null, classes: readonly Label[], y: Int32Array): Float64Array | null {
  if (classWeight === null || classWeight === 'balanced_subsample') return null;
  const perClass = new Float64Array(classes.length).fill(1);
  if (classWeight === 'balanced') {
    const counts = new Float64Array(classes.length);
    for (let i = 0; i < y.length; i++) counts[y[i]]++;
    for (let k = 0; k < classes.length; k++) perClass[k] = y.length / (classes.length * counts[k]);
  } else {
    const byLabel = new Map(classes.map((c, i) => [String(c), i]));
    for (const [key, w] of Object.entries(classWeight)) {
      const index = byLabel.get(key);
      if (index === undefined) throw rangeError(`class labels found in y (${classes.slice(0, 10).join(', ')})`, 'options.classWeight', key);
      perClass[index] = w;
    }
  }
  return perClass;
}

export function rowWeights(sampleWeight: VectorInput | undefined, perClass: Float64Array | null, y: Int32Array | null, rows: number): Float64Array | null {
  if (sampleWeight === undefined && perClass === null) return null;
  const out = new Float64Array(rows).fill(1);
  if (sampleWeight !== undefined) {
    const sw = toVector(sampleWeight, 'options.sampleWeight');
    if (sw.length !== rows) throw rangeError(`an array of length ${rows} (the rows of X)`, 'options.sampleWeight', sw);
    for (let i = 0; i < rows; i++) {
      if (!(sw[i] >= 0 && Number.isFinite(sw[i]))) throw rangeError('a finite number >= 0', `options.sampleWeight[${i}]`, sw[i]);
      out[i] = sw[i];
    }
  }
  if (perClass !== null && y !== null) for (let i = 0; i < rows; i++) out[i] *= perClass[y[i]];
  return out;
}

/** A classifier's or a regressor's targets, checked. */
function encodeTargets(y: unknown, rows: number, classify: boolean): { target: Int32Array | Float64Array; classes: Label[] | undefined } {
  if (classify) {
    const { classes, indices } = encodeLabels(y, 'y', rows);
    return { target: indices, classes };
  }
  const v = toVector(y as VectorInput, 'y');
  if (v.length !== rows) throw rangeError(`an array of length ${rows} (the rows of X)`, 'y', v);
  const target = Float64Array.from(v);
  for (let i = 0; i < rows; i++) if (!Number.isFinite(target[i])) throw rangeError('a finite number', `y[${i}]`, target[i]);
  return { target, classes: undefined };
}

/** Out-of-bag score: accuracy or R^2 over the rows that at least one tree left out of its bootstrap. */
function outOfBag(sum: Float64Array, count: Float64Array, target: Int32Array | Float64Array, outputs: number, classify: boolean): OutOfBag {
  const rows = count.length;
  const decision = new Float64Array(rows * outputs);
  const kept: number[] = [];
  for (let r = 0; r < rows; r++) {
    const c = count[r];
    for (let k = 0; k < outputs; k++) decision[r * outputs + k] = c > 0 ? sum[r * outputs + k] / c : NaN;
    if (c > 0) kept.push(r);
  }
  const seen = new Float64Array(kept.length * outputs);
  const truth = new (target.constructor as new (n: number) => Int32Array | Float64Array)(kept.length);
  kept.forEach((r, i) => {
    seen.set(decision.subarray(r * outputs, (r + 1) * outputs), i * outputs);
    truth[i] = target[r];
  });
  const predicted = classify ? argmaxRows(seen, kept.length, outputs) : seen;
  return { score: kept.length === 0 ? NaN : scoreOf(predicted, truth, undefined, classify), decision: { data: decision, rows, cols: outputs } };
}

export interface FitRequest {
  criterion: ClassificationCriterion | RegressionCriterion;
  tree: Required<TreeOptions>;
  classWeight: ClassWeight | 'balanced_subsample' | null;
  ensemble: EnsembleSettings;
}

export function fitTrees(X: MatrixInput, y: unknown, request: FitRequest, options: FitOptions | undefined): Promise<FittedTrees> {
  try {
    const x = toMatrix(X, 'X');
    const classify = request.criterion !== 'squared_error' && request.criterion !== 'absolute_error';
    const { target, classes } = encodeTargets(y, x.rows, classify);
    const warm = request.ensemble.warmStart;
    if (warm !== undefined) {
      if (warm.nFeatures !== x.cols) throw rangeError(`X with ${warm.nFeatures} columns (as in the first fit) for a warm start`, 'X', x);
      if (classify && JSON.stringify(warm.classes) !== JSON.stringify(classes))
        throw rangeError(`the classes of the first fit (${(warm.classes ?? []).slice(0, 10).join(', ')}) for a warm start`, 'y', y);
    }
    const perClass = classify ? classWeights(request.classWeight as ClassWeight | null, classes as Label[], target as Int32Array) : null;
    const weights = rowWeights(options?.sampleWeight, perClass, classify ? (target as Int32Array) : null, x.rows);
    const t = request.tree;
    const e = request.ensemble;
    const seed = warm?.seed ?? t.randomState ?? Math.floor(Math.random() * 2 ** 32);
    const params: NativeTreeParams = {
      criterion: criterionCode[request.criterion],
      nClasses: classes?.length ?? 0,
      maxDepth: t.maxDepth ?? 0,
      minSamplesSplit: Math.max(2, resolveFraction(t.minSamplesSplit, x.rows, true)),
      minSamplesLeaf: resolveFraction(t.minSamplesLeaf, x.rows, true),
      minWeightFractionLeaf: t.minWeightFractionLeaf,
      minImpurityDecrease: t.minImpurityDecrease,
      maxFeatures: resolveMaxFeatures(t.maxFeatures, x.cols),
      maxLeafNodes: t.maxLeafNodes ?? 0,
      maxBins: t.maxBins ?? 0,
      nTrees: e.nTrees,
      firstTree: warm?.nTrees ?? 0,
      bootstrap: e.bootstrap,
      maxSamples: e.bootstrap ? (e.maxSamples === null ? x.rows : resolveFraction(e.maxSamples, x.rows, false)) : 0,
      balancedSubsample: request.classWeight === 'balanced_subsample',
      oob: e.oob,
      seed,
    };
    if (e.bootstrap && e.maxSamples !== null && Number.isInteger(e.maxSamples) && e.maxSamples > x.rows)
      throw rangeError(`at most ${x.rows} (the rows of X)`, 'options.maxSamples', e.maxSamples);
    return runJob(options, (native) => addon.treeFit(x.data, x.rows, x.cols, target, weights, params, warm?.model ?? null, native)).then(
      (r) => ({
        model: r.model,
        nFeatures: x.cols,
        nTrees: (warm?.nTrees ?? 0) + e.nTrees,
        classes,
        seed,
        oob: r.oobSum === undefined ? undefined : outOfBag(r.oobSum, r.oobCount as Float64Array, target, classes?.length ?? 1, classify),
      }),
    );
  } catch (error) {
    return Promise.reject(error);
  }
}

// ---- the estimator base ---------------------------------------------------------------------

/** The saved form of every tree model. */
export interface TreeModelJSON {
  format: 'threadml.tree';
  version: 1;
  estimator: string;
  options: Record<string, unknown>;
  classes: Label[] | null;
  nFeatures: number;
  seed: number;
  trees: TreeArraysJSON[];
}

const FORMAT = 'threadml.tree';
const VERSION = 1;

/** The option names every tree model accepts. */
export const treeOptionKeys = ['maxDepth', 'minSamplesSplit', 'minSamplesLeaf', 'minWeightFractionLeaf', 'minImpurityDecrease', 'maxFeatures', 'maxLeafNodes', 'randomState', 'maxBins'];

/** The header of a saved model: format, version and estimator; returns the object for restore(). */
export function checkSaved(json: unknown, estimator: string): Record<string, unknown> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw typeError(`an object from ${estimator}.toJSON()`, 'json', json);
  const j = json as Record<string, unknown>;
  if (j.format !== FORMAT) throw typeError(`the format "${FORMAT}"`, 'json.format', j.format);
  if (j.version !== VERSION) throw rangeError(`version ${VERSION}`, 'json.version', j.version);
  if (j.estimator !== estimator) throw rangeError(`a saved ${estimator}`, 'json.estimator', j.estimator);
  checkObject(j.options, 'json.options');
  return j;
}

/** Mean accuracy (classifiers) or R^2 (regressors), weighted by `weights`. */
export function scoreOf(predicted: Int32Array | Float64Array, truth: Int32Array | Float64Array, weights: ArrayLike<number> | undefined, classify: boolean): number {
  const n = truth.length;
  const w = (i: number) => (weights === undefined ? 1 : weights[i]);
  if (classify) {
    let right = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      total += w(i);
      if (predicted[i] === truth[i]) right += w(i);
    }
    return right / total;
  }
  let wsum = 0;
  let mean = 0;
  for (let i = 0; i < n; i++) {
    wsum += w(i);
    mean += w(i) * truth[i];
  }
  mean /= wsum;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    ssRes += w(i) * (truth[i] - predicted[i]) ** 2;
    ssTot += w(i) * (truth[i] - mean) ** 2;
  }
  if (ssTot === 0) return ssRes === 0 ? 1 : 0; // scikit-learn's r2_score for a constant target
  return 1 - ssRes / ssTot;
}

/** Row-wise argmax (the first maximum, as NumPy). */
export function argmaxRows(p: Float64Array, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let k = 1; k < cols; k++) if (p[r * cols + k] > p[r * cols + best]) best = k;
    out[r] = best;
  }
  return out;
}

export abstract class TreeEstimator {
  protected fitted: FittedTrees | undefined;
  private summaryCache: ReturnType<typeof addon.treeSummary> | undefined;

  /** The scikit-learn class name (saved in toJSON). */
  protected abstract readonly estimatorName: string;
  protected abstract readonly classify: boolean;
  /** The options as given (checked), for toJSON. */
  protected abstract savedOptions(): Record<string, unknown>;

  protected get state(): FittedTrees {
    if (this.fitted === undefined) throw new Error(`This ${this.estimatorName} is not fitted yet: call fit(X, y) first`);
    return this.fitted;
  }

  protected setFitted(f: FittedTrees): this {
    this.fitted = f;
    this.summaryCache = undefined;
    return this;
  }

  protected get summary(): ReturnType<typeof addon.treeSummary> {
    this.summaryCache ??= addon.treeSummary(this.state.model);
    return this.summaryCache;
  }

  /** Features seen by fit. */
  get nFeaturesIn(): number {
    return this.state.nFeatures;
  }

  /** Impurity-based importances (mean decrease in impurity), summing to 1 (all 0 for a single leaf). */
  get featureImportances(): Float64Array {
    return this.summary.featureImportances.slice();
  }

  /** How many splits of all the trees test each feature (LightGBM's 'split' importance). */
  get featureSplitCounts(): Float64Array {
    return this.summary.featureSplitCounts.slice();
  }

  /** Averaged leaf values of the trees: class probabilities or regression values, rows x outputs. */
  protected raw(X: MatrixInput, options: JobOptions | undefined): Promise<Matrix<Float64Array>> {
    try {
      const f = this.state;
      const x = toMatrix(X, 'X');
      if (x.cols !== f.nFeatures) throw rangeError(`a matrix with ${f.nFeatures} columns (as in fit)`, 'X', x);
      const outputs = f.classes?.length ?? 1;
      return runJob(options, (native) => addon.treePredict(f.model, x.data, x.rows, x.cols, 1 / f.nTrees, native)).then((data) => ({
        data,
        rows: x.rows,
        cols: outputs,
      }));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Class probabilities (classifiers): the mean of the trees' leaf class fractions. */
  protected probabilities(X: MatrixInput, options?: JobOptions): Promise<Matrix<Float64Array>> {
    return this.raw(X, options);
  }

  protected get labels(): Label[] {
    return this.state.classes as Label[];
  }

  /** Predicted labels (classifiers: a Float64Array of numeric labels, or string[]) or values (regressors). */
  predict(X: MatrixInput, options?: JobOptions): Promise<Float64Array | string[]> {
    return this.raw(X, options).then((p) => (this.classify ? labelsOf(argmaxRows(p.data, p.rows, p.cols), this.labels) : p.data));
  }

  /** Leaf ids, rows x trees. */
  protected leaves(X: MatrixInput, options: JobOptions | undefined): Promise<{ data: Int32Array; rows: number; cols: number }> {
    try {
      const f = this.state;
      const x = toMatrix(X, 'X');
      if (x.cols !== f.nFeatures) throw rangeError(`a matrix with ${f.nFeatures} columns (as in fit)`, 'X', x);
      return runJob(options, (native) => addon.treeApply(f.model, x.data, x.rows, x.cols, native)).then((data) => ({ data, rows: x.rows, cols: f.nTrees }));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Mean accuracy (classifiers; labels outside the classes count as wrong) or R^2 (regressors). */
  score(X: MatrixInput, y: LabelInput | VectorInput, options?: ScoreOptions): Promise<number> {
    try {
      const x = toMatrix(X, 'X');
      const truth = this.classify ? checkedLabels(y, this.labels, 'y', x.rows, false) : encodeTargets(y, x.rows, false).target;
      const weights = options?.sampleWeight === undefined ? undefined : toVector(options.sampleWeight, 'options.sampleWeight');
      if (weights !== undefined && weights.length !== x.rows) throw rangeError(`an array of length ${x.rows} (the rows of X)`, 'options.sampleWeight', weights);
      return this.raw(x, options).then((p) =>
        scoreOf(this.classify ? argmaxRows(p.data, p.rows, p.cols) : p.data, truth, weights, this.classify),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Tree i of this model as the single-tree estimator `into` (sharing the native tree, no copy). */
  protected treeAt<T extends TreeEstimator>(i: number, into: T): T {
    const f = this.state;
    into.setFitted({ model: addon.treeSlice(f.model, i, i + 1), nFeatures: f.nFeatures, nTrees: 1, classes: f.classes, seed: f.seed });
    return into;
  }

  /** A tree's nodes (copies). */
  protected structure(index: number): TreeStructure {
    const exported = addon.treeExport(addon.treeSlice(this.state.model, index, index + 1));
    const t = exported.trees[0];
    const nodeCount = t.feature.length;
    return {
      nodeCount,
      maxDepth: this.summary.depths[index],
      nLeaves: this.summary.leaves[index],
      feature: t.feature,
      threshold: t.threshold,
      childrenLeft: t.left,
      childrenRight: t.right,
      missingGoToLeft: t.missingLeft,
      value: { data: t.value, rows: nodeCount, cols: t.nOutputs },
      impurity: t.impurity,
      nNodeSamples: t.nNodeSamples,
      weightedNNodeSamples: t.weightedNNodeSamples,
    };
  }

  /** A plain, versioned object for JSON.stringify (node arrays as base64 of their little-endian bytes). */
  toJSON(): TreeModelJSON {
    const f = this.state;
    return {
      format: FORMAT,
      version: VERSION,
      estimator: this.estimatorName,
      options: this.savedOptions(),
      classes: f.classes === undefined ? null : [...f.classes],
      nFeatures: f.nFeatures,
      seed: f.seed,
      trees: encodeTrees(addon.treeExport(f.model)),
    };
  }

  /** Prediction columns of the native model: one per class, or one for a regressor. */
  protected outputCount(classes: Label[] | undefined): number {
    return classes?.length ?? 1;
  }

  /** Restores the fitted state from a checked toJSON() object (see checkSaved); a corrupted model is a TypeError or RangeError. */
  protected restore(j: Record<string, unknown>): this {
    const nFeatures = checkInt(j.nFeatures, 'json.nFeatures', 1, 2 ** 31 - 1) as number;
    const seed = checkInt(j.seed, 'json.seed', 0, 2 ** 32 - 1) as number;
    let classes: Label[] | undefined;
    if (this.classify) {
      if (!Array.isArray(j.classes) || j.classes.length === 0) throw typeError('a non-empty array of class labels', 'json.classes', j.classes);
      const kind = typeof j.classes[0];
      j.classes.forEach((c: unknown, i: number) => {
        if (typeof c !== kind || (typeof c !== 'string' && !(typeof c === 'number' && Number.isFinite(c))))
          throw typeError('finite numbers or strings, all of one kind', `json.classes[${i}]`, c);
      });
      if (new Set(j.classes).size !== j.classes.length) throw rangeError('distinct class labels', 'json.classes', j.classes);
      classes = j.classes as Label[];
    } else if (j.classes !== null) throw typeError('null (a regressor has no classes)', 'json.classes', j.classes);
    const outputs = this.outputCount(classes);
    const exported: NativeTreeExport = { nFeatures, nOutputs: outputs, trees: decodeTrees(j.trees, 'json.trees') };
    return this.setFitted({ model: addon.treeImport(exported), nFeatures, nTrees: exported.trees.length, classes, seed });
  }
}
