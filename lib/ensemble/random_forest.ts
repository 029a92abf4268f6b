// RandomForestClassifier and RandomForestRegressor: scikit-learn's estimators, with the trees grown
// in parallel on native threads (one tree per thread when there are enough trees) from one binning
// of X, seeded per tree so that a seeded forest is identical for any thread count.
import type { JobOptions } from '../job';
import type { Matrix, MatrixInput, VectorInput } from '../tensor';
import {
  checkBoolean,
  checkClassWeight,
  checkCount,
  checkInt,
  checkKnown,
  checkObject,
  checkSaved,
  checkTreeOptions,
  fitTrees,
  oneOf,
  treeOptionKeys,
  TreeEstimator,
  type ClassificationCriterion,
  type ClassPredictions,
  type ClassWeight,
  type FitOptions,
  type FitRequest,
  type Label,
  type LabelInput,
  type MaxFeatures,
  type RegressionCriterion,
  type TreeOptions,
} from '../tree/base';
import { DecisionTreeClassifier, DecisionTreeRegressor } from '../tree/decision_tree';

export interface ForestOptions extends TreeOptions {
  /** Trees in the forest. Default 100. */
  nEstimators?: number;
  /** Grow each tree on a bootstrap sample of the rows. Default true. */
  bootstrap?: boolean;
  /** Rows drawn per bootstrap: an integer, a fraction of the rows in (0, 1], or null (all). Default null. */
  maxSamples?: number | null;
  /** Compute the out-of-bag score (needs bootstrap). Default false. */
  oobScore?: boolean;
  /** Keep the fitted trees and add trees up to nEstimators on the next fit. Default false. */
  warmStart?: boolean;
}

export interface RandomForestClassifierOptions extends ForestOptions {
  /** Default 'gini'; 'log_loss' is 'entropy'. */
  criterion?: ClassificationCriterion;
  /** Default null. 'balanced_subsample' balances each tree's bootstrap sample. */
  classWeight?: ClassWeight | 'balanced_subsample' | null;
}

export interface RandomForestRegressorOptions extends ForestOptions {
  /** Default 'squared_error'. */
  criterion?: RegressionCriterion;
}

const forestKeys = ['nEstimators', 'bootstrap', 'maxSamples', 'oobScore', 'warmStart', ...treeOptionKeys];

function checkForestOptions(o: Record<string, unknown>, defaultMaxFeatures: MaxFeatures): Required<ForestOptions> {
  const bootstrap = checkBoolean(o.bootstrap ?? true, 'options.bootstrap');
  const oobScore = checkBoolean(o.oobScore ?? false, 'options.oobScore');
  if (oobScore && !bootstrap) throw new RangeError('Expected bootstrap: true for options.oobScore but received bootstrap: false');
  const maxSamples = o.maxSamples ?? null;
  return {
    ...checkTreeOptions(o, 'options', defaultMaxFeatures),
    nEstimators: checkInt(o.nEstimators ?? 100, 'options.nEstimators', 1, 2 ** 31 - 1) as number,
    bootstrap,
    maxSamples: maxSamples === null ? null : checkCount(maxSamples, 'options.maxSamples', 1, 1, false),
    oobScore,
    warmStart: checkBoolean(o.warmStart ?? false, 'options.warmStart'),
  };
}

/** What both forests add to the shared estimator: many trees, bootstrap, out-of-bag, warm start. */
abstract class BaseForest extends TreeEstimator {
  protected abstract readonly forest: Required<ForestOptions>;

  protected fitForest(X: MatrixInput, y: unknown, request: Omit<FitRequest, 'ensemble'>, options: FitOptions | undefined): Promise<this> {
    const o = this.forest;
    const warm = o.warmStart ? this.fitted : undefined;
    const have = warm?.nTrees ?? 0;
    if (have > o.nEstimators)
      return Promise.reject(new RangeError(`Expected nEstimators >= ${have} (the trees already fitted) with warmStart but received ${o.nEstimators}`));
    if (have === o.nEstimators) return Promise.resolve(this); // scikit-learn: nothing to add
    const ensemble = { nTrees: o.nEstimators - have, warmStart: warm, bootstrap: o.bootstrap, maxSamples: o.maxSamples, oob: o.oobScore };
    return fitTrees(X, y, { ...request, ensemble }, options).then((f) => this.setFitted(f));
  }

  /** Number of fitted trees. */
  get nEstimators(): number {
    return this.state.nTrees;
  }

  /** Out-of-bag score (accuracy or R^2) when fitted with oobScore: over the rows some tree left out. */
  get oobScore(): number | undefined {
    return this.fitted?.oob?.score;
  }

  /** The leaf (node id) of each tree each row ends in: rows x trees. */
  apply(X: MatrixInput, options?: JobOptions): Promise<{ data: Int32Array; rows: number; cols: number }> {
    return this.leaves(X, options);
  }

  /** Node counts, depths and leaf counts of the trees. */
  get treeSizes(): { nodeCounts: Int32Array; depths: Int32Array; leaves: Int32Array } {
    const s = this.summary;
    return { nodeCounts: s.nodeCounts.slice(), depths: s.depths.slice(), leaves: s.leaves.slice() };
  }
}

/** A random forest classifier: scikit-learn's RandomForestClassifier. */
export class RandomForestClassifier<L extends Label = Label> extends BaseForest {
  protected readonly estimatorName = 'RandomForestClassifier';
  protected readonly classify = true;
  private options: Required<RandomForestClassifierOptions>;

  constructor(options?: RandomForestClassifierOptions) {
    super();
    const o = checkObject(options, 'options');
    checkKnown(o, ['criterion', 'classWeight', ...forestKeys], 'options');
    this.options = {
      ...checkForestOptions(o, 'sqrt'),
      criterion: oneOf(o.criterion ?? 'gini', ['gini', 'entropy', 'log_loss'], 'options.criterion'),
      classWeight: checkClassWeight(o.classWeight, 'options.classWeight', true),
    };
  }

  protected get forest(): Required<ForestOptions> {
    return this.options;
  }

  protected savedOptions(): Record<string, unknown> {
    return { ...this.options };
  }

  /** Grows the trees on X (rows x features; NaN allowed) and labels y (numbers or strings). */
  fit(X: MatrixInput, y: LabelInput, options?: FitOptions): Promise<this> {
    return this.fitForest(X, y, { criterion: this.options.criterion, tree: this.options, classWeight: this.options.classWeight }, options);
  }

  get classes(): L[] {
    return [...this.labels] as L[];
  }

  /** The most likely class of each row. */
  predict(X: MatrixInput, options?: JobOptions): Promise<ClassPredictions<L>> {
    return super.predict(X, options) as Promise<ClassPredictions<L>>;
  }

  /** Mean class probabilities of the trees, rows x classes; each row sums to 1. */
  predictProba(X: MatrixInput, options?: JobOptions): Promise<Matrix<Float64Array>> {
    return this.probabilities(X, options);
  }

  /** Out-of-bag class probabilities (rows x classes; NaN rows were in every bootstrap), with oobScore. */
  get oobDecisionFunction(): Matrix<Float64Array> | undefined {
    return this.fitted?.oob?.decision;
  }

  /** The fitted trees as DecisionTreeClassifiers (sharing the native trees). */
  get estimators(): DecisionTreeClassifier[] {
    const { criterion, classWeight } = this.options;
    const options = { ...treeOptionsOf(this.options), criterion, classWeight: classWeight === 'balanced_subsample' ? null : classWeight };
    return Array.from({ length: this.nEstimators }, (_, i) => this.treeAt(i, new DecisionTreeClassifier(options)));
  }

  /** Changes options (checked as in the constructor), e.g. a larger nEstimators before a warm-start fit. */
  setParams(options: RandomForestClassifierOptions): this {
    this.options = new RandomForestClassifier({ ...this.options, ...options }).options;
    return this;
  }

  static fromJSON(json: unknown): RandomForestClassifier {
    const j = checkSaved(json, 'RandomForestClassifier');
    return new RandomForestClassifier(j.options as RandomForestClassifierOptions).restore(j);
  }
}

/** A random forest regressor: scikit-learn's RandomForestRegressor (maxFeatures default 1.0: all). */
export class RandomForestRegressor extends BaseForest {
  protected readonly estimatorName = 'RandomForestRegressor';
  protected readonly classify = false;
  private options: Required<RandomForestRegressorOptions>;

  constructor(options?: RandomForestRegressorOptions) {
    super();
    const o = checkObject(options, 'options');
    checkKnown(o, ['criterion', ...forestKeys], 'options');
    this.options = {
      ...checkForestOptions(o, null),
      criterion: oneOf(o.criterion ?? 'squared_error', ['squared_error', 'absolute_error'], 'options.criterion'),
    };
  }

  protected get forest(): Required<ForestOptions> {
    return this.options;
  }

  protected savedOptions(): Record<string, unknown> {
    return { ...this.options };
  }

  /** Grows the trees on X (rows x features; NaN allowed) and finite targets y. */
  fit(X: MatrixInput, y: VectorInput, options?: FitOptions): Promise<this> {
    return this.fitForest(X, y, { criterion: this.options.criterion, tree: this.options, classWeight: null }, options);
  }

  /** The mean of the trees' predictions. */
  predict(X: MatrixInput, options?: JobOptions): Promise<Float64Array> {
    return super.predict(X, options) as Promise<Float64Array>;
  }

  /** Out-of-bag predictions (NaN for rows in every bootstrap), with oobScore. */
  get oobPrediction(): Float64Array | undefined {
    return this.fitted?.oob?.decision.data;
  }

  /** The fitted trees as DecisionTreeRegressors (sharing the native trees). */
  get estimators(): DecisionTreeRegressor[] {
    const options = { ...treeOptionsOf(this.options), criterion: this.options.criterion };
    return Array.from({ length: this.nEstimators }, (_, i) => this.treeAt(i, new DecisionTreeRegressor(options)));
  }

  /** Changes options (checked as in the constructor), e.g. a larger nEstimators before a warm-start fit. */
  setParams(options: RandomForestRegressorOptions): this {
    this.options = new RandomForestRegressor({ ...this.options, ...options }).options;
    return this;
  }

  static fromJSON(json: unknown): RandomForestRegressor {
    const j = checkSaved(json, 'RandomForestRegressor');
    return new RandomForestRegressor(j.options as RandomForestRegressorOptions).restore(j);
  }
}

/** The single-tree options of a forest's options. */
function treeOptionsOf(o: Required<ForestOptions>): Required<TreeOptions> {
  const { nEstimators: _n, bootstrap: _b, maxSamples: _m, oobScore: _o, warmStart: _w, ...tree } = o;
  return tree;
}
