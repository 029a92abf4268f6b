// DecisionTreeClassifier and DecisionTreeRegressor: scikit-learn's estimators (options, defaults and
// fitted attributes), grown on native threads (native/tree/grow.h) and predicted off the JS thread.
import type { JobOptions } from '../job';
import type { Matrix, MatrixInput, VectorInput } from '../tensor';
import {
  checkClassWeight,
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
  type Label,
  type LabelInput,
  type RegressionCriterion,
  type TreeOptions,
  type TreeStructure,
} from './base';

export interface DecisionTreeClassifierOptions extends TreeOptions {
  /** Default 'gini'; 'log_loss' is 'entropy'. */
  criterion?: ClassificationCriterion;
  /** Default null (every class weighs 1). */
  classWeight?: ClassWeight | null;
}

export interface DecisionTreeRegressorOptions extends TreeOptions {
  /** Default 'squared_error'. */
  criterion?: RegressionCriterion;
}

/** What both single trees add to the shared estimator: one tree, no bootstrap, inspection. */
abstract class BaseDecisionTree extends TreeEstimator {
  /** The fitted tree's nodes (copies): feature, threshold, children, values, impurities, sample counts. */
  get tree(): TreeStructure {
    return this.structure(0);
  }

  getDepth(): number {
    return this.summary.depths[0];
  }

  getNLeaves(): number {
    return this.summary.leaves[0];
  }

  /** The leaf (node id) each row ends in. */
  apply(X: MatrixInput, options?: JobOptions): Promise<Int32Array> {
    return this.leaves(X, options).then((m) => m.data);
  }

  protected fitOne(X: MatrixInput, y: unknown, criterion: ClassificationCriterion | RegressionCriterion, tree: Required<TreeOptions>, classWeight: ClassWeight | null, options: FitOptions | undefined): Promise<this> {
    const ensemble = { nTrees: 1, warmStart: undefined, bootstrap: false, maxSamples: null, oob: false };
    return fitTrees(X, y, { criterion, tree, classWeight, ensemble }, options).then((f) => this.setFitted(f));
  }
}

/** A decision tree classifier (CART): scikit-learn's DecisionTreeClassifier. */
export class DecisionTreeClassifier<L extends Label = Label> extends BaseDecisionTree {
  protected readonly estimatorName = 'DecisionTreeClassifier';
  protected readonly classify = true;
  private readonly options: Required<DecisionTreeClassifierOptions>;

  constructor(options?: DecisionTreeClassifierOptions) {
    super();
    const o = checkObject(options, 'options');
    checkKnown(o, ['criterion', 'classWeight', ...treeOptionKeys], 'options');
    this.options = {
      ...checkTreeOptions(o, 'options', null),
      criterion: oneOf(o.criterion ?? 'gini', ['gini', 'entropy', 'log_loss'], 'options.criterion'),
      classWeight: checkClassWeight(o.classWeight, 'options.classWeight', false) as ClassWeight | null,
    };
  }

  protected savedOptions(): Record<string, unknown> {
    return { ...this.options };
  }

  /** Grows the tree on X (rows x features; NaN allowed) and labels y (numbers or strings). */
  fit(X: MatrixInput, y: LabelInput, options?: FitOptions): Promise<this> {
    return this.fitOne(X, y, this.options.criterion, this.options, this.options.classWeight, options);
  }

  /** The sorted distinct labels seen by fit. */
  get classes(): L[] {
    return [...this.labels] as L[];
  }

  /** The most likely class of each row. */
  predict(X: MatrixInput, options?: JobOptions): Promise<ClassPredictions<L>> {
    return super.predict(X, options) as Promise<ClassPredictions<L>>;
  }

  /** Class probabilities, rows x classes (columns in the order of `classes`); each row sums to 1. */
  predictProba(X: MatrixInput, options?: JobOptions): Promise<Matrix<Float64Array>> {
    return this.probabilities(X, options);
  }

  static fromJSON(json: unknown): DecisionTreeClassifier {
    const j = checkSaved(json, 'DecisionTreeClassifier');
    return new DecisionTreeClassifier(j.options as DecisionTreeClassifierOptions).restore(j);
  }
}

/** A decision tree regressor (CART): scikit-learn's DecisionTreeRegressor. */
export class DecisionTreeRegressor extends BaseDecisionTree {
  protected readonly estimatorName = 'DecisionTreeRegressor';
  protected readonly classify = false;
  private readonly options: Required<DecisionTreeRegressorOptions>;

  constructor(options?: DecisionTreeRegressorOptions) {
    super();
    const o = checkObject(options, 'options');
    checkKnown(o, ['criterion', ...treeOptionKeys], 'options');
    this.options = {
      ...checkTreeOptions(o, 'options', null),
      criterion: oneOf(o.criterion ?? 'squared_error', ['squared_error', 'absolute_error'], 'options.criterion'),
    };
  }

  protected savedOptions(): Record<string, unknown> {
    return { ...this.options };
  }

  /** Grows the tree on X (rows x features; NaN allowed) and finite targets y. */
  fit(X: MatrixInput, y: VectorInput, options?: FitOptions): Promise<this> {
    return this.fitOne(X, y, this.options.criterion, this.options, null, options);
  }

  /** Predicted values: the mean (squared error) or median (absolute error) of each row's leaf. */
  predict(X: MatrixInput, options?: JobOptions): Promise<Float64Array> {
    return super.predict(X, options) as Promise<Float64Array>;
  }

  static fromJSON(json: unknown): DecisionTreeRegressor {
    const j = checkSaved(json, 'DecisionTreeRegressor');
    return new DecisionTreeRegressor(j.options as DecisionTreeRegressorOptions).restore(j);
  }
}
