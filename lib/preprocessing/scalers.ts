// Column scalers with scikit-learn's semantics: StandardScaler, MinMaxScaler, MaxAbsScaler and
// RobustScaler. Each learns per-column statistics natively (NaN ignored, infinities refused) and
// applies one affine map per column in a native row-parallel pass; NaN stays NaN in the output.
import { rangeError } from '../errors';
import { runJob, type JobOptions } from '../job';
import { addon } from '../native';
import { toMatrix, type Matrix, type MatrixInput } from '../tensor';
import {
  checkBoolean,
  checkedMatrix,
  checkRange,
  countFromJSON,
  featuresFromJSON,
  filled,
  floatsFromJSON,
  floatsToJSON,
  handleZerosInScale,
  MatrixTransformer,
  optionalFloatsFromJSON,
  readEnvelope,
  type FeatureState,
  type ResultOf,
} from './base';

/**
 * How a scaler maps a column: x * factor + shift when multiplyAdd, else (x - shift) / factor, and
 * the inverse the other way round. These are the operations scikit-learn applies, in its order, so
 * results round like scikit-learn's.
 */
interface Affine {
  shift: Float64Array;
  factor: Float64Array;
  multiplyAdd: boolean;
  /** Clip the forward result to this range. */
  clip?: [number, number];
}

function applyAffine(m: Matrix, affine: Affine, inverse: boolean, options: JobOptions | undefined): Promise<Matrix> {
  const clip = affine.clip === undefined || inverse ? undefined : Float64Array.from(affine.clip);
  const multiplyAdd = affine.multiplyAdd !== inverse;
  return runJob(options, (native) =>
    addon.columnAffine(m.data, m.rows, m.cols, affine.shift, affine.factor, multiplyAdd, clip, native),
  ).then((data) => ({ data, rows: m.rows, cols: m.cols }));
}

/** A scaler whose transform is one affine map per column, and so has an exact inverse. */
abstract class AffineScaler<State extends FeatureState> extends MatrixTransformer<State> {
  protected abstract affine(state: State): Affine;

  protected transformMatrix(m: Matrix, state: State, options: JobOptions | undefined): Promise<Matrix> {
    return applyAffine(m, this.affine(state), false, options);
  }

  /** Maps transformed values back to the original scale (clipping, if any, is not undone). */
  async inverseTransform<X extends MatrixInput>(X: X, options?: JobOptions): Promise<ResultOf<X>> {
    const state = this.fitted();
    return (await applyAffine(checkedMatrix(X, state.nFeaturesIn), this.affine(state), true, options)) as ResultOf<X>;
  }
}

/** A scaler whose statistics can be updated batch by batch (partialFit). */
abstract class IncrementalScaler<State extends FeatureState> extends AffineScaler<State> {
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Updates the statistics with one more batch of rows, for data that does not fit in memory at
   * once; the first call (or the first after fit) starts from the batch. Calls made without
   * awaiting the previous one still run one after another, in call order.
   */
  partialFit(X: MatrixInput, options?: JobOptions): Promise<this> {
    const run = this.queue.then(async () => {
      const previous = this.state;
      const m = previous === undefined ? toMatrix(X, 'X') : checkedMatrix(X, previous.nFeaturesIn);
      this.state = await this.update(m, previous, options);
      return this;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  protected fitMatrix(m: Matrix, options: JobOptions | undefined): Promise<State> {
    return this.update(m, undefined, options);
  }

  /** The statistics of `previous` (if any) combined with those of the batch m. */
  protected abstract update(m: Matrix, previous: State | undefined, options: JobOptions | undefined): Promise<State>;
}

// ---- StandardScaler -------------------------------------------------------------------------

export interface StandardScalerOptions {
  /** Subtract each column's mean. Default true. */
  withMean?: boolean;
  /** Divide each column by its standard deviation. Default true. */
  withStd?: boolean;
}

interface StandardState extends FeatureState {
  nSamplesSeen: Float64Array;
  mean: Float64Array;
  var: Float64Array | null;
  scale: Float64Array | null;
}

function readStandardOptions(options: StandardScalerOptions, name: string): Required<StandardScalerOptions> {
  return {
    withMean: checkBoolean(options.withMean, `${name}.withMean`, true),
    withStd: checkBoolean(options.withStd, `${name}.withStd`, true),
  };
}

/**
 * scikit-learn's scale_: the square root of the variance, except 1 for a column that is constant
 * up to rounding (_is_constant_feature: var <= n eps var + (n mean eps)^2).
 */
function standardScale(variance: Float64Array, mean: Float64Array, count: Float64Array): Float64Array {
  return variance.map((v, j) => {
    const n = count[j];
    const bound = n * Number.EPSILON * v + (n * mean[j] * Number.EPSILON) ** 2;
    return v <= bound ? 1 : Math.sqrt(v);
  });
}

/**
 * Standardizes each column to zero mean and unit variance: (x - mean) / std, with the population
 * standard deviation (ddof 0) like scikit-learn. NaN is left out of the statistics (so
 * `nSamplesSeen` counts per column) and stays NaN in the output; a column that is constant gets
 * scale 1. `partialFit` streams batches and combines their statistics the way scikit-learn does.
 */
export class StandardScaler extends IncrementalScaler<StandardState> {
  protected readonly estimatorName = 'StandardScaler';
  readonly withMean: boolean;
  readonly withStd: boolean;

  constructor(options: StandardScalerOptions = {}) {
    super();
    ({ withMean: this.withMean, withStd: this.withStd } = readStandardOptions(options, 'options'));
  }

  /** Per-column mean of the values seen (NaN for a column that had none). */
  get mean(): Float64Array {
    return this.fitted().mean;
  }
  /** Per-column population variance; null when withStd is false. */
  get var(): Float64Array | null {
    return this.fitted().var;
  }
  /** Per-column divisor: the standard deviation, 1 for constant columns; null when withStd is false. */
  get scale(): Float64Array | null {
    return this.fitted().scale;
  }
  /** Per-column count of the values seen (NaN excluded). */
  get nSamplesSeen(): Float64Array {
    return this.fitted().nSamplesSeen;
  }

  protected async update(m: Matrix, previous: StandardState | undefined, options: JobOptions | undefined): Promise<StandardState> {
    const batch = await runJob(options, (native) => addon.columnMoments(m.data, m.rows, m.cols, this.withStd, native));
    const count = new Float64Array(m.cols);
    const mean = new Float64Array(m.cols);
    const variance = new Float64Array(m.cols);
    for (let j = 0; j < m.cols; j++) {
      const n0 = previous?.nSamplesSeen[j] ?? 0;
      const n1 = batch.count[j];
      const n = n0 + n1;
      count[j] = n;
      if (n1 === 0) {
        // Nothing new in this column (scikit-learn's formula would turn it into NaN).
        mean[j] = n0 === 0 ? NaN : (previous as StandardState).mean[j];
        variance[j] = n0 === 0 ? NaN : (previous?.var?.[j] ?? NaN);
      } else if (n0 === 0) {
        mean[j] = batch.mean[j];
        variance[j] = batch.m2[j] / n1;
      } else {
        // scikit-learn's _incremental_mean_and_var (Chan, Golub and LeVeque's pairwise update).
        const prev = previous as StandardState;
        const lastSum = prev.mean[j] * n0;
        const newSum = batch.mean[j] * n1;
        mean[j] = (lastSum + newSum) / n;
        if (this.withStd) {
          const lastOverNew = n0 / n1;
          const m2 = (prev.var as Float64Array)[j] * n0 + batch.m2[j] + (lastOverNew / n) * (lastSum / lastOverNew - newSum) ** 2;
          variance[j] = m2 / n;
        }
      }
    }
    return standardState(m.cols, count, mean, this.withStd ? variance : null);
  }

  protected affine(state: StandardState): Affine {
    return {
      shift: this.withMean ? state.mean : filled(state.nFeaturesIn, 0),
      factor: state.scale ?? filled(state.nFeaturesIn, 1),
      multiplyAdd: false,
    };
  }

  protected params(): Record<string, unknown> {
    return { withMean: this.withMean, withStd: this.withStd };
  }

  protected stateToJSON(state: StandardState): Record<string, unknown> {
    return {
      nFeaturesIn: state.nFeaturesIn,
      nSamplesSeen: Array.from(state.nSamplesSeen),
      mean: floatsToJSON(state.mean),
      var: state.var === null ? null : floatsToJSON(state.var),
    };
  }

  /** Restores a scaler from its toJSON() output; a malformed object is a TypeError or RangeError. */
  static fromJSON(json: unknown): StandardScaler {
    const { params, state } = readEnvelope(json, 'StandardScaler');
    const scaler = new StandardScaler(readStandardOptions(params, 'json.params'));
    if (state !== null) {
      const n = featuresFromJSON(state);
      scaler.state = standardState(
        n,
        floatsFromJSON(state.nSamplesSeen, 'json.state.nSamplesSeen', n, { nan: false, min: 0 }),
        floatsFromJSON(state.mean, 'json.state.mean', n),
        optionalFloatsFromJSON(state.var, 'json.state.var', n, scaler.withStd, { min: 0 }),
      );
    }
    return scaler;
  }
}

function standardState(nFeaturesIn: number, nSamplesSeen: Float64Array, mean: Float64Array, variance: Float64Array | null): StandardState {
  const scale = variance === null ? null : standardScale(variance, mean, nSamplesSeen);
  return { nFeaturesIn, nSamplesSeen, mean, var: variance, scale };
}

// ---- MinMaxScaler and MaxAbsScaler ----------------------------------------------------------

/** Per-column extremes of a batch, NaN ignored (NaN for a column without values). */
async function extremes(m: Matrix, options: JobOptions | undefined): Promise<{ min: Float64Array; max: Float64Array }> {
  return runJob(options, (native) => addon.columnExtremes(m.data, m.rows, m.cols, native));
}

/** Combines per-column statistics with NumPy's fmin/fmax semantics: NaN only where both are NaN. */
function combine(previous: Float64Array | undefined, next: Float64Array, pick: (a: number, b: number) => number): Float64Array {
  if (previous === undefined) return next;
  return next.map((v, j) => (Number.isNaN(v) ? previous[j] : Number.isNaN(previous[j]) ? v : pick(previous[j], v)));
}

export interface MinMaxScalerOptions {
  /** The range [low, high] each column is mapped to. Default [0, 1]. */
  featureRange?: [number, number];
  /** Clip transformed values to featureRange (values outside the fitted range would land outside it). Default false. */
  clip?: boolean;
}

interface MinMaxState extends FeatureState {
  nSamplesSeen: number;
  dataMin: Float64Array;
  dataMax: Float64Array;
  scale: Float64Array;
  min: Float64Array;
}

function readMinMaxOptions(options: MinMaxScalerOptions, name: string): Required<MinMaxScalerOptions> {
  return {
    featureRange: checkRange(options.featureRange ?? [0, 1], `${name}.featureRange`, false),
    clip: checkBoolean(options.clip, `${name}.clip`, false),
  };
}

/**
 * Maps each column linearly onto featureRange: x * scale + min with scale = (high - low) /
 * (dataMax - dataMin) and min = low - dataMin * scale. A constant column gets scale 1 (its
 * dataRange counts as 1), like scikit-learn.
 */
export class MinMaxScaler extends IncrementalScaler<MinMaxState> {
  protected readonly estimatorName = 'MinMaxScaler';
  readonly featureRange: [number, number];
  readonly clip: boolean;

  constructor(options: MinMaxScalerOptions = {}) {
    super();
    ({ featureRange: this.featureRange, clip: this.clip } = readMinMaxOptions(options, 'options'));
  }

  /** Per-column minimum seen (NaN ignored). */
  get dataMin(): Float64Array {
    return this.fitted().dataMin;
  }
  /** Per-column maximum seen (NaN ignored). */
  get dataMax(): Float64Array {
    return this.fitted().dataMax;
  }
  /** dataMax - dataMin. */
  get dataRange(): Float64Array {
    const state = this.fitted();
    return state.dataMax.map((hi, j) => hi - state.dataMin[j]);
  }
  /** Per-column factor of the transform. */
  get scale(): Float64Array {
    return this.fitted().scale;
  }
  /** Per-column offset of the transform (added after scaling). */
  get min(): Float64Array {
    return this.fitted().min;
  }
  /** Rows seen by fit / partialFit. */
  get nSamplesSeen(): number {
    return this.fitted().nSamplesSeen;
  }

  protected async update(m: Matrix, previous: MinMaxState | undefined, options: JobOptions | undefined): Promise<MinMaxState> {
    const batch = await extremes(m, options);
    return minMaxState(
      this.featureRange,
      m.cols,
      (previous?.nSamplesSeen ?? 0) + m.rows,
      combine(previous?.dataMin, batch.min, Math.min),
      combine(previous?.dataMax, batch.max, Math.max),
    );
  }

  protected affine(state: MinMaxState): Affine {
    return { shift: state.min, factor: state.scale, multiplyAdd: true, clip: this.clip ? this.featureRange : undefined };
  }

  protected params(): Record<string, unknown> {
    return { featureRange: [...this.featureRange], clip: this.clip };
  }

  protected stateToJSON(state: MinMaxState): Record<string, unknown> {
    return {
      nFeaturesIn: state.nFeaturesIn,
      nSamplesSeen: state.nSamplesSeen,
      dataMin: floatsToJSON(state.dataMin),
      dataMax: floatsToJSON(state.dataMax),
    };
  }

  /** Restores a scaler from its toJSON() output; a malformed object is a TypeError or RangeError. */
  static fromJSON(json: unknown): MinMaxScaler {
    const { params, state } = readEnvelope(json, 'MinMaxScaler');
    const scaler = new MinMaxScaler(readMinMaxOptions(params, 'json.params'));
    if (state !== null) {
      const n = featuresFromJSON(state);
      const dataMin = floatsFromJSON(state.dataMin, 'json.state.dataMin', n);
      const dataMax = floatsFromJSON(state.dataMax, 'json.state.dataMax', n);
      dataMax.forEach((hi, j) => {
        if (hi < dataMin[j]) throw rangeError(`a number >= json.state.dataMin[${j}] (${dataMin[j]})`, `json.state.dataMax[${j}]`, hi);
      });
      const nSamplesSeen = countFromJSON(state.nSamplesSeen, 'json.state.nSamplesSeen', true);
      scaler.state = minMaxState(scaler.featureRange, n, nSamplesSeen, dataMin, dataMax);
    }
    return scaler;
  }
}

function minMaxState(
  [low, high]: [number, number],
  nFeaturesIn: number,
  nSamplesSeen: number,
  dataMin: Float64Array,
  dataMax: Float64Array,
): MinMaxState {
  const range = handleZerosInScale(dataMax.map((hi, j) => hi - dataMin[j]));
  const scale = range.map((r) => (high - low) / r);
  const min = dataMin.map((lo, j) => low - lo * scale[j]);
  return { nFeaturesIn, nSamplesSeen, dataMin, dataMax, scale, min };
}

interface MaxAbsState extends FeatureState {
  nSamplesSeen: number;
  maxAbs: Float64Array;
  scale: Float64Array;
}

function maxAbsState(nFeaturesIn: number, nSamplesSeen: number, maxAbs: Float64Array): MaxAbsState {
  return { nFeaturesIn, nSamplesSeen, maxAbs, scale: handleZerosInScale(maxAbs) };
}

/**
 * Divides each column by its largest magnitude, so values land in [-1, 1] without shifting (zeros
 * stay zeros). A column of zeros gets scale 1.
 */
export class MaxAbsScaler extends IncrementalScaler<MaxAbsState> {
  protected readonly estimatorName = 'MaxAbsScaler';

  /** Per-column largest magnitude seen (NaN ignored). */
  get maxAbs(): Float64Array {
    return this.fitted().maxAbs;
  }
  /** Per-column divisor: maxAbs, 1 for a column of zeros. */
  get scale(): Float64Array {
    return this.fitted().scale;
  }
  /** Rows seen by fit / partialFit. */
  get nSamplesSeen(): number {
    return this.fitted().nSamplesSeen;
  }

  protected async update(m: Matrix, previous: MaxAbsState | undefined, options: JobOptions | undefined): Promise<MaxAbsState> {
    const batch = await extremes(m, options);
    const maxAbs = batch.max.map((hi, j) => Math.max(Math.abs(hi), Math.abs(batch.min[j])));
    return maxAbsState(m.cols, (previous?.nSamplesSeen ?? 0) + m.rows, combine(previous?.maxAbs, maxAbs, Math.max));
  }

  protected affine(state: MaxAbsState): Affine {
    return { shift: filled(state.nFeaturesIn, 0), factor: state.scale, multiplyAdd: false };
  }

  protected params(): Record<string, unknown> {
    return {};
  }

  protected stateToJSON(state: MaxAbsState): Record<string, unknown> {
    return { nFeaturesIn: state.nFeaturesIn, nSamplesSeen: state.nSamplesSeen, maxAbs: floatsToJSON(state.maxAbs) };
  }

  /** Restores a scaler from its toJSON() output; a malformed object is a TypeError or RangeError. */
  static fromJSON(json: unknown): MaxAbsScaler {
    const { state } = readEnvelope(json, 'MaxAbsScaler');
    const scaler = new MaxAbsScaler();
    if (state !== null) {
      const n = featuresFromJSON(state);
      const nSamplesSeen = countFromJSON(state.nSamplesSeen, 'json.state.nSamplesSeen', true);
      scaler.state = maxAbsState(n, nSamplesSeen, floatsFromJSON(state.maxAbs, 'json.state.maxAbs', n, { min: 0 }));
    }
    return scaler;
  }
}

// ---- RobustScaler ---------------------------------------------------------------------------

export interface RobustScalerOptions {
  /** Subtract each column's median. Default true. */
  withCentering?: boolean;
  /** Divide each column by its interquantile range. Default true. */
  withScaling?: boolean;
  /** The percentiles [low, high] (0 <= low <= high <= 100) whose distance is the scale. Default [25, 75]. */
  quantileRange?: [number, number];
}

interface RobustState extends FeatureState {
  center: Float64Array | null;
  scale: Float64Array | null;
}

function readRobustOptions(options: RobustScalerOptions, name: string): Required<RobustScalerOptions> {
  const quantileRange = checkRange(options.quantileRange ?? [25, 75], `${name}.quantileRange`, true);
  if (quantileRange[0] < 0 || quantileRange[1] > 100)
    throw new RangeError(`Expected percentiles 0 <= low <= high <= 100 for ${name}.quantileRange but received [${quantileRange.join(', ')}]`);
  return {
    withCentering: checkBoolean(options.withCentering, `${name}.withCentering`, true),
    withScaling: checkBoolean(options.withScaling, `${name}.withScaling`, true),
    quantileRange,
  };
}

/**
 * Centers each column on its median and divides by its interquantile range (25th to 75th
 * percentile by default): scaling that outliers barely move. Medians and percentiles are NumPy's
 * nanmedian and nanpercentile (linear interpolation), computed natively in parallel over columns.
 */
export class RobustScaler extends AffineScaler<RobustState> {
  protected readonly estimatorName = 'RobustScaler';
  readonly withCentering: boolean;
  readonly withScaling: boolean;
  readonly quantileRange: [number, number];

  constructor(options: RobustScalerOptions = {}) {
    super();
    ({ withCentering: this.withCentering, withScaling: this.withScaling, quantileRange: this.quantileRange } = readRobustOptions(
      options,
      'options',
    ));
  }

  /** Per-column median (NaN ignored); null when withCentering is false. */
  get center(): Float64Array | null {
    return this.fitted().center;
  }
  /** Per-column interquantile range, 1 where it is 0; null when withScaling is false. */
  get scale(): Float64Array | null {
    return this.fitted().scale;
  }

  protected async fitMatrix(m: Matrix, options: JobOptions | undefined): Promise<RobustState> {
    const percentiles = Float64Array.from(this.withScaling ? this.quantileRange : []);
    const q = await runJob(options, (native) => addon.columnQuantiles(m.data, m.rows, m.cols, this.withCentering, percentiles, native));
    const at = (row: number) => q.subarray(row * m.cols, (row + 1) * m.cols);
    const first = this.withCentering ? 1 : 0;
    return {
      nFeaturesIn: m.cols,
      center: this.withCentering ? at(0).slice() : null,
      scale: this.withScaling ? handleZerosInScale(at(first + 1).map((hi, j) => hi - at(first)[j])) : null,
    };
  }

  protected affine(state: RobustState): Affine {
    return {
      shift: state.center ?? filled(state.nFeaturesIn, 0),
      factor: state.scale ?? filled(state.nFeaturesIn, 1),
      multiplyAdd: false,
    };
  }

  protected params(): Record<string, unknown> {
    return { withCentering: this.withCentering, withScaling: this.withScaling, quantileRange: [...this.quantileRange] };
  }

  protected stateToJSON(state: RobustState): Record<string, unknown> {
    return {
      nFeaturesIn: state.nFeaturesIn,
      center: state.center === null ? null : floatsToJSON(state.center),
      scale: state.scale === null ? null : floatsToJSON(state.scale),
    };
  }

  /** Restores a scaler from its toJSON() output; a malformed object is a TypeError or RangeError. */
  static fromJSON(json: unknown): RobustScaler {
    const { params, state } = readEnvelope(json, 'RobustScaler');
    const scaler = new RobustScaler(readRobustOptions(params, 'json.params'));
    if (state !== null) {
      const n = featuresFromJSON(state);
      scaler.state = {
        nFeaturesIn: n,
        center: optionalFloatsFromJSON(state.center, 'json.state.center', n, scaler.withCentering),
        scale: optionalFloatsFromJSON(state.scale, 'json.state.scale', n, scaler.withScaling, { min: Number.MIN_VALUE }),
      };
    }
    return scaler;
  }
}
