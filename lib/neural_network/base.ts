// What MLPClassifier and MLPRegressor share: scikit-learn's options (camelCase, same defaults),
// training through the native minibatch trainer (native/nn/mlp.h), the state that warm starts and
// partialFit carry over, inference, fitted attributes and the checked JSON format.
import { rangeError, typeError } from '../errors';
import { runJob, type JobOptions } from '../job';
import { ConvergenceWarning } from '../linear_model/logistic';
import { toMatrix, type FloatArray, type Matrix, type MatrixInput } from '../tensor';
import { checkBoolean, checkInt, checkKnown, checkObject, oneOf } from '../tree/base';
import { nn, type NativeMlpNetwork, type NativeMlpResult, type NativeMlpState, type NativeOptimizerState } from './native';

export type MLPActivation = 'identity' | 'logistic' | 'tanh' | 'relu';
export type MLPSolver = 'adam' | 'sgd';
export type MLPLearningRate = 'constant' | 'invscaling' | 'adaptive';
/** The output activation, chosen by the task as scikit-learn's out_activation_. */
export type MLPOutActivation = 'identity' | 'logistic' | 'softmax';

export interface MLPOptions {
  /** Units of each hidden layer. Default [100]. */
  hiddenLayerSizes?: readonly number[];
  /** Hidden-layer activation. Default 'relu'. */
  activation?: MLPActivation;
  /** Default 'adam'. scikit-learn's 'lbfgs' is not offered: it is not a minibatch solver. */
  solver?: MLPSolver;
  /** L2 penalty: alpha / 2 ||W||^2 / batch rows added to each batch's loss. Default 1e-4. */
  alpha?: number;
  /** Rows per minibatch; 'auto' is min(200, rows); larger than the rows means all rows. Default 'auto'. */
  batchSize?: number | 'auto';
  /** Learning-rate schedule of solver 'sgd' (adam keeps learningRateInit). Default 'constant'. */
  learningRate?: MLPLearningRate;
  /** Default 1e-3. */
  learningRateInit?: number;
  /** Exponent of 'invscaling': rate = learningRateInit / (samples seen + 1)^powerT. Default 0.5. */
  powerT?: number;
  /** Epochs (passes over the data) at most. Default 200. */
  maxIter?: number;
  /** Shuffle the rows before each epoch. Default true. */
  shuffle?: boolean;
  /**
   * Seed of the initial weights, the validation split and the shuffles. Default 0, where scikit-learn's
   * default draws a fresh seed: threadml gives the same model for the same inputs unless asked otherwise.
   */
  randomState?: number;
  /** Improvement the stopping rule asks for (loss, or validation score with earlyStopping). Default 1e-4. */
  tol?: number;
  /** Continue from the current weights and counters on the next fit. Default false. */
  warmStart?: boolean;
  /** Momentum of solver 'sgd', 0..1. Default 0.9. */
  momentum?: number;
  /** Nesterov's momentum for solver 'sgd'. Default true. */
  nesterovsMomentum?: boolean;
  /** Hold out validationFraction of the rows and stop when their score stops improving. Default false. */
  earlyStopping?: boolean;
  /** Default 0.1. */
  validationFraction?: number;
  /** Adam's decay rates, in [0, 1). Defaults 0.9 and 0.999. */
  beta1?: number;
  beta2?: number;
  /** Adam's denominator term. Default 1e-8. */
  epsilon?: number;
  /** Epochs without improvement by tol before stopping (or, with 'adaptive', dividing the rate by 5). Default 10. */
  nIterNoChange?: number;
  /**
   * Float type of the weights and of training. Default 'float32' (twice the GEMM speed; scikit-learn
   * trains in the dtype of X, which is usually float64). X of either type is accepted and converted
   * row block by row block, never copied whole.
   */
  dtype?: 'float32' | 'float64';
}

export type ResolvedMLPOptions = Required<Omit<MLPOptions, 'hiddenLayerSizes'>> & { hiddenLayerSizes: number[] };

const KNOWN: readonly (keyof MLPOptions)[] = [
  'hiddenLayerSizes', 'activation', 'solver', 'alpha', 'batchSize', 'learningRate', 'learningRateInit', 'powerT', 'maxIter',
  'shuffle', 'randomState', 'tol', 'warmStart', 'momentum', 'nesterovsMomentum', 'earlyStopping', 'validationFraction',
  'beta1', 'beta2', 'epsilon', 'nIterNoChange', 'dtype',
];

/** A number with `ok(value)`, described by `what` when it is not. */
function checkReal(value: unknown, name: string, ok: (v: number) => boolean, what: string): number {
  if (typeof value !== 'number') throw typeError('a number', name, value);
  if (!ok(value)) throw rangeError(what, name, value);
  return value;
}

const positive = (v: number) => Number.isFinite(v) && v > 0;
const nonNegative = (v: number) => Number.isFinite(v) && v >= 0;
const unitOpen = (v: number) => v >= 0 && v < 1;

/** Options with scikit-learn's defaults, every value checked; `name` prefixes error messages. */
export function resolveOptions(options: unknown, name: string): ResolvedMLPOptions {
  const o = checkObject(options, name) as MLPOptions;
  checkKnown(o as Record<string, unknown>, KNOWN, name);
  const sizes = o.hiddenLayerSizes ?? [100];
  if (!Array.isArray(sizes)) throw typeError('an array of layer sizes', `${name}.hiddenLayerSizes`, sizes);
  sizes.forEach((s, i) => checkInt(s, `${name}.hiddenLayerSizes[${i}]`, 1, 2 ** 24));
  const batchSize = o.batchSize ?? 'auto';
  return {
    hiddenLayerSizes: [...sizes],
    activation: oneOf(o.activation ?? 'relu', ['identity', 'logistic', 'tanh', 'relu'], `${name}.activation`),
    solver: oneOf(o.solver ?? 'adam', ['adam', 'sgd'], `${name}.solver`),
    alpha: checkReal(o.alpha ?? 1e-4, `${name}.alpha`, nonNegative, 'a finite number >= 0'),
    batchSize: batchSize === 'auto' ? 'auto' : (checkInt(batchSize, `${name}.batchSize`, 1, 2 ** 30) as number),
    learningRate: oneOf(o.learningRate ?? 'constant', ['constant', 'invscaling', 'adaptive'], `${name}.learningRate`),
    learningRateInit: checkReal(o.learningRateInit ?? 1e-3, `${name}.learningRateInit`, positive, 'a finite number > 0'),
    powerT: checkReal(o.powerT ?? 0.5, `${name}.powerT`, nonNegative, 'a finite number >= 0'),
    maxIter: checkInt(o.maxIter ?? 200, `${name}.maxIter`, 1, 2 ** 30) as number,
    shuffle: checkBoolean(o.shuffle ?? true, `${name}.shuffle`),
    randomState: checkInt(o.randomState ?? 0, `${name}.randomState`, 0) as number,
    tol: checkReal(o.tol ?? 1e-4, `${name}.tol`, nonNegative, 'a finite number >= 0'),
    warmStart: checkBoolean(o.warmStart ?? false, `${name}.warmStart`),
    momentum: checkReal(o.momentum ?? 0.9, `${name}.momentum`, (v) => v >= 0 && v <= 1, 'a number from 0 to 1'),
    nesterovsMomentum: checkBoolean(o.nesterovsMomentum ?? true, `${name}.nesterovsMomentum`),
    earlyStopping: checkBoolean(o.earlyStopping ?? false, `${name}.earlyStopping`),
    validationFraction: checkReal(o.validationFraction ?? 0.1, `${name}.validationFraction`, (v) => v > 0 && v < 1, 'a number in (0, 1)'),
    beta1: checkReal(o.beta1 ?? 0.9, `${name}.beta1`, unitOpen, 'a number in [0, 1)'),
    beta2: checkReal(o.beta2 ?? 0.999, `${name}.beta2`, unitOpen, 'a number in [0, 1)'),
    epsilon: checkReal(o.epsilon ?? 1e-8, `${name}.epsilon`, positive, 'a finite number > 0'),
    nIterNoChange: checkInt(o.nIterNoChange ?? 10, `${name}.nIterNoChange`, 1, 2 ** 30) as number,
    dtype: oneOf(o.dtype ?? 'float32', ['float32', 'float64'], `${name}.dtype`),
  };
}

const activationCode: Record<MLPActivation, number> = { identity: 0, relu: 1, tanh: 2, logistic: 3 };
const lossCode: Record<MLPOutActivation, number> = { identity: 0, logistic: 1, softmax: 2 };
const scheduleCode: Record<MLPLearningRate, number> = { constant: 0, invscaling: 1, adaptive: 2 };

/** The fitted network and the counters that warm starts and partialFit carry on. */
export interface MLPState {
  widths: number[];
  outActivation: MLPOutActivation;
  params: FloatArray;
  optimizer: NativeOptimizerState | null;
  nIter: number;
  samplesSeen: number;
  lossCurve: number[];
  bestLoss: number;
  validationScores: number[];
  bestValidationScore: number;
  noImprovement: number;
}

/** Training targets as the native trainer takes them, and the output layer they call for. */
export interface Targets {
  y: Int32Array | Float64Array;
  outputs: number;
  outActivation: MLPOutActivation;
}

export abstract class BaseMLP {
  readonly options: Readonly<ResolvedMLPOptions>;
  protected fitted: MLPState | undefined;
  protected abstract readonly kind: string;

  constructor(options?: MLPOptions) {
    this.options = Object.freeze(resolveOptions(options, 'options'));
  }

  protected get state(): MLPState {
    if (this.fitted === undefined) throw new Error(`This ${this.kind} is not fitted yet: call fit(X, y) first`);
    return this.fitted;
  }

  /** Weight matrices, layer by layer: coefs[i] is widths[i] x widths[i + 1] (scikit-learn's coefs_). */
  get coefs(): Matrix[] {
    return this.layerViews().map((v) => v.coef);
  }
  /** Bias vectors, layer by layer (scikit-learn's intercepts_). */
  get intercepts(): FloatArray[] {
    return this.layerViews().map((v) => v.intercept);
  }
  /** Epochs run, over every fit since the last fresh start. */
  get nIter(): number {
    return this.state.nIter;
  }
  /** Training rows seen by the optimizer (scikit-learn's t_). */
  get t(): number {
    return this.state.samplesSeen;
  }
  /** Mean training loss (with the L2 term) of each epoch. */
  get lossCurve(): number[] {
    return [...this.state.lossCurve];
  }
  /** The last epoch's loss. */
  get loss(): number {
    const curve = this.state.lossCurve;
    return curve[curve.length - 1];
  }
  /** The lowest epoch loss (null with earlyStopping, as in scikit-learn). */
  get bestLoss(): number | null {
    return this.options.earlyStopping ? null : this.state.bestLoss;
  }
  /** Validation score of each epoch with earlyStopping (accuracy or R^2), else null. */
  get validationScores(): number[] | null {
    return this.options.earlyStopping ? [...this.state.validationScores] : null;
  }
  get bestValidationScore(): number | null {
    return this.options.earlyStopping ? this.state.bestValidationScore : null;
  }
  get nFeatures(): number {
    return this.state.widths[0];
  }
  get nOutputs(): number {
    const w = this.state.widths;
    return w[w.length - 1];
  }
  get nLayers(): number {
    return this.state.widths.length;
  }
  get outActivation(): MLPOutActivation {
    return this.state.outActivation;
  }

  private layerViews(): { coef: Matrix; intercept: FloatArray }[] {
    const { widths, params } = this.state;
    const out: { coef: Matrix; intercept: FloatArray }[] = [];
    for (let l = 0, at = 0; l + 1 < widths.length; l++) {
      const size = widths[l] * widths[l + 1];
      out.push({ coef: { data: params.subarray(at, at + size), rows: widths[l], cols: widths[l + 1] }, intercept: params.subarray(at + size, at + size + widths[l + 1]) });
      at += size + widths[l + 1];
    }
    return out;
  }

  /**
   * One fit call: fresh weights unless warm (warmStart or partialFit on a fitted model); `incremental`
   * runs one epoch as partialFit. Resolves when the model holds the result; on error or abort the
   * model is unchanged.
   */
  protected train(x: Matrix, targets: Targets, incremental: boolean, classifier: boolean, options: JobOptions | undefined): Promise<void> {
    const o = this.options;
    const prior = this.fitted;
    const warm = prior !== undefined && (o.warmStart || incremental);
    if (warm && prior.widths[0] !== x.cols)
      throw rangeError(`a matrix with ${prior.widths[0]} columns (the features seen by fit)`, 'X', `${x.rows} x ${x.cols}`);
    const widths = warm ? prior.widths : [x.cols, ...o.hiddenLayerSizes, targets.outputs];
    if (warm && (widths[widths.length - 1] !== targets.outputs || prior.outActivation !== targets.outActivation))
      throw rangeError(`targets for the fitted ${prior.outActivation} output of ${widths[widths.length - 1]} units`, 'y', targets.y);
    const float64 = warm ? prior.params instanceof Float64Array : o.dtype === 'float64';
    const start: NativeMlpState | null = warm
      ? {
          params: prior.params,
          // scikit-learn keeps the optimizer for partial_fit and starts a new one for each fit.
          optimizer: incremental ? prior.optimizer : null,
          nIter: prior.nIter,
          samplesSeen: prior.samplesSeen,
          bestLoss: prior.bestLoss,
          bestValidationScore: prior.bestValidationScore,
          noImprovement: prior.noImprovement,
        }
      : null;
    const params = {
      widths: Int32Array.from(widths),
      activation: activationCode[o.activation],
      loss: lossCode[targets.outActivation],
      adam: o.solver === 'adam',
      learningRateInit: o.learningRateInit,
      schedule: scheduleCode[o.learningRate],
      powerT: o.powerT,
      momentum: o.momentum,
      nesterov: o.nesterovsMomentum,
      beta1: o.beta1,
      beta2: o.beta2,
      epsilon: o.epsilon,
      alpha: o.alpha,
      batchSize: o.batchSize === 'auto' ? Math.min(200, x.rows) : Math.min(o.batchSize, x.rows),
      maxIter: o.maxIter,
      shuffle: o.shuffle,
      seed: o.randomState,
      tol: o.tol,
      nIterNoChange: o.nIterNoChange,
      earlyStopping: o.earlyStopping,
      validationFraction: o.validationFraction,
      incremental,
      classifier,
      float64,
    };
    return runJob(options, (native) => nn.mlpFit(x.data, x.rows, x.cols, targets.y, params, start, native)).then((r: NativeMlpResult) => {
      this.fitted = {
        widths,
        outActivation: targets.outActivation,
        params: r.params,
        optimizer: r.optimizer,
        nIter: r.nIter,
        samplesSeen: r.samplesSeen,
        lossCurve: [...(warm ? prior.lossCurve : []), ...r.lossCurve],
        bestLoss: r.bestLoss,
        validationScores: [...(warm ? prior.validationScores : []), ...r.validationScores],
        bestValidationScore: r.bestValidationScore,
        noImprovement: r.noImprovement,
      };
      if (!incremental && !r.stopped && r.lossCurve.length === o.maxIter)
        process.emitWarning(`${this.kind}: maximum iterations (${o.maxIter}) reached and the optimization hasn't converged yet`, {
          type: ConvergenceWarning,
          code: 'THREADML_CONVERGENCE',
        });
    });
  }

  /** Output activations (probabilities or values), rows x outputs, in the model's float type. */
  protected forward(X: MatrixInput, options: JobOptions | undefined): Promise<Matrix> {
    try {
      const f = this.state;
      const x = toMatrix(X, 'X');
      if (x.cols !== f.widths[0]) throw rangeError(`a matrix with ${f.widths[0]} columns (the features seen by fit)`, 'X', `${x.rows} x ${x.cols}`);
      const network: NativeMlpNetwork = { widths: Int32Array.from(f.widths), activation: activationCode[this.options.activation], loss: lossCode[f.outActivation] };
      const cols = f.widths[f.widths.length - 1];
      return runJob(options, (native) => nn.mlpPredict(x.data, x.rows, x.cols, f.params, network, native)).then((data) => ({ data, rows: x.rows, cols }));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The saved form of the network: everything but the optimizer's moments. */
  protected stateJSON(): MLPStateJSON {
    const f = this.state;
    return {
      options: { ...this.options, hiddenLayerSizes: [...this.options.hiddenLayerSizes] },
      dtype: f.params instanceof Float32Array ? 'float32' : 'float64',
      widths: [...f.widths],
      outActivation: f.outActivation,
      params: Array.from(f.params),
      nIter: f.nIter,
      samplesSeen: f.samplesSeen,
      lossCurve: [...f.lossCurve],
      bestLoss: Number.isFinite(f.bestLoss) ? f.bestLoss : null,
      validationScores: [...f.validationScores],
      bestValidationScore: Number.isFinite(f.bestValidationScore) ? f.bestValidationScore : null,
      noImprovement: f.noImprovement,
    };
  }

  /** Restores what stateJSON saved; every field is checked, anything malformed is a TypeError or RangeError. */
  protected restore(j: Record<string, unknown>, outActivations: readonly MLPOutActivation[]): void {
    const numbers = (value: unknown, name: string, length?: number): number[] => {
      if (!Array.isArray(value)) throw typeError('an array of numbers', name, value);
      if (length !== undefined && value.length !== length) throw rangeError(`an array of length ${length}`, name, value);
      value.forEach((v, i) => checkReal(v, `${name}[${i}]`, Number.isFinite, 'a finite number'));
      return value as number[];
    };
    const dtype = oneOf(j.dtype, ['float32', 'float64'], 'json.dtype');
    const widths = numbers(j.widths, 'json.widths');
    if (widths.length < 2) throw rangeError('at least an input and an output width', 'json.widths', widths);
    widths.forEach((w, i) => checkInt(w, `json.widths[${i}]`, 1, 2 ** 24));
    const hidden = this.options.hiddenLayerSizes;
    if (widths.length !== hidden.length + 2 || hidden.some((h, i) => widths[i + 1] !== h))
      throw rangeError(`hidden widths equal to options.hiddenLayerSizes (${hidden.join(', ')})`, 'json.widths', widths);
    let count = 0;
    for (let l = 0; l + 1 < widths.length; l++) count += (widths[l] + 1) * widths[l + 1];
    const Float = dtype === 'float32' ? Float32Array : Float64Array;
    const nullable = (value: unknown, name: string, fallback: number) => (value === null ? fallback : checkReal(value, name, Number.isFinite, 'a finite number or null'));
    this.fitted = {
      widths,
      outActivation: oneOf(j.outActivation, outActivations, 'json.outActivation'),
      params: Float.from(numbers(j.params, 'json.params', count)),
      optimizer: null,
      nIter: checkInt(j.nIter, 'json.nIter', 0, 2 ** 31 - 1) as number,
      samplesSeen: checkReal(j.samplesSeen, 'json.samplesSeen', nonNegative, 'a finite number >= 0'),
      lossCurve: numbers(j.lossCurve, 'json.lossCurve'),
      bestLoss: nullable(j.bestLoss, 'json.bestLoss', Infinity),
      validationScores: numbers(j.validationScores, 'json.validationScores'),
      bestValidationScore: nullable(j.bestValidationScore, 'json.bestValidationScore', -Infinity),
      noImprovement: checkInt(j.noImprovement, 'json.noImprovement', 0, 2 ** 31 - 1) as number,
    };
  }
}

/** The fields of a saved model that both estimators share. */
export interface MLPStateJSON {
  options: ResolvedMLPOptions;
  dtype: 'float32' | 'float64';
  widths: number[];
  outActivation: MLPOutActivation;
  /** Layer after layer: the weights (row-major, widths[l] x widths[l + 1]) then the biases. */
  params: number[];
  nIter: number;
  samplesSeen: number;
  lossCurve: number[];
  bestLoss: number | null;
  validationScores: number[];
  bestValidationScore: number | null;
  noImprovement: number;
}

/** The versioned object a fromJSON receives, checked for its format; returns its options. */
export function checkedJSON(json: unknown, format: string, version: number): Record<string, unknown> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw typeError(`an object from ${format.replace('threadml.', '')}.toJSON()`, 'json', json);
  const j = json as Record<string, unknown>;
  if (j.format !== format) throw typeError(`the format "${format}"`, 'json.format', j.format);
  if (j.version !== version) throw rangeError(`version ${version}`, 'json.version', j.version);
  return j;
}

/** Rows x cols targets as float64, every value finite: a vector (one output) or a matrix. */
export function numericTargets(y: unknown, rows: number, name: string): { values: Float64Array; cols: number } {
  let values: Float64Array;
  let cols = 1;
  if (ArrayBuffer.isView(y) && !(y instanceof DataView) && !(y instanceof BigInt64Array) && !(y instanceof BigUint64Array)) values = Float64Array.from(y as unknown as ArrayLike<number>);
  else if (Array.isArray(y) && !Array.isArray(y[0])) {
    values = Float64Array.from(y as unknown[], (v, i) => {
      if (typeof v !== 'number') throw typeError('a number', `${name}[${i}]`, v);
      return v;
    });
  } else {
    const m = toMatrix(y, name);
    values = Float64Array.from(m.data);
    cols = m.cols;
    if (m.rows !== rows) throw rangeError(`a matrix of ${rows} rows (the rows of X)`, name, `${m.rows} x ${m.cols}`);
  }
  if (values.length !== rows * cols) throw rangeError(`an array of length ${rows} (the rows of X)`, name, y);
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) throw rangeError('a finite number', `${name}[${i}]`, values[i]);
  return { values, cols };
}
