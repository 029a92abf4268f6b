// SimpleImputer: fills missing values with a per-column statistic, scikit-learn's semantics.
import { typeError } from '../errors';
import { runJob, type JobOptions } from '../job';
import { addon } from '../native';
import type { Matrix } from '../tensor';
import {
  checkBoolean,
  checkChoice,
  checkFinite,
  featuresFromJSON,
  filled,
  floatsFromJSON,
  floatsToJSON,
  MatrixTransformer,
  readEnvelope,
  step,
  type FeatureState,
} from './base';

export type ImputeStrategy = 'mean' | 'median' | 'mostFrequent' | 'constant';

export interface SimpleImputerOptions {
  /** The value that marks a missing entry: NaN (default) or a finite number such as -1. */
  missingValues?: number;
  /**
   * What fills a column's missing entries: its 'mean' (default), 'median', 'mostFrequent' value
   * (the smallest among ties), or the 'constant' fillValue.
   */
  strategy?: ImputeStrategy;
  /** The fill for strategy 'constant'. Default 0. */
  fillValue?: number;
  /**
   * Keep columns that had no values in fit (filled with 0); by default they are dropped from the
   * output, as in scikit-learn. Default false.
   */
  keepEmptyFeatures?: boolean;
}

interface ImputerState extends FeatureState {
  statistics: Float64Array;
  /** The columns transform outputs, and what fills each. */
  keep: Int32Array;
  fill: Float64Array;
}

const strategies: readonly ImputeStrategy[] = ['mean', 'median', 'mostFrequent', 'constant'];

function readImputerOptions(options: SimpleImputerOptions, name: string): Required<SimpleImputerOptions> {
  const missingValues = options.missingValues ?? NaN;
  if (typeof missingValues !== 'number') throw typeError('NaN or a finite number', `${name}.missingValues`, missingValues);
  return {
    missingValues: Number.isNaN(missingValues) ? NaN : checkFinite(missingValues, `${name}.missingValues`),
    strategy: checkChoice(options.strategy, `${name}.strategy`, strategies, 'mean'),
    fillValue: options.fillValue === undefined ? 0 : checkFinite(options.fillValue, `${name}.fillValue`),
    keepEmptyFeatures: checkBoolean(options.keepEmptyFeatures, `${name}.keepEmptyFeatures`, false),
  };
}

const columns = (n: number): Int32Array => Int32Array.from({ length: n }, (_, j) => j);

/**
 * Replaces missing values column by column with a statistic learned in fit, computed natively in
 * parallel (NaN-aware mean, NumPy's median, most frequent value). Columns without any value in fit
 * are dropped from the output unless keepEmptyFeatures (strategy 'constant' keeps every column).
 * With a numeric missingValues, NaN in the input is an error; infinities always are.
 */
export class SimpleImputer extends MatrixTransformer<ImputerState> {
  protected readonly estimatorName = 'SimpleImputer';
  readonly missingValues: number;
  readonly strategy: ImputeStrategy;
  readonly fillValue: number;
  readonly keepEmptyFeatures: boolean;

  constructor(options: SimpleImputerOptions = {}) {
    super();
    ({
      missingValues: this.missingValues,
      strategy: this.strategy,
      fillValue: this.fillValue,
      keepEmptyFeatures: this.keepEmptyFeatures,
    } = readImputerOptions(options, 'options'));
  }

  /** Per-column fill value; NaN for a column without values in fit (dropped from the output). */
  get statistics(): Float64Array {
    return this.fitted().statistics;
  }

  protected async fitMatrix(m: Matrix, options: JobOptions | undefined): Promise<ImputerState> {
    if (Number.isNaN(this.missingValues)) return this.imputerState(m.cols, await this.compute(m, options));
    // The statistics kernels skip NaN: a copy with the missing entries set to NaN (which also refuses NaN in X).
    const data = await runJob(step(options, 0, 2), (native) =>
      addon.imputeColumns(m.data, m.rows, m.cols, this.missingValues, filled(m.cols, NaN), columns(m.cols), native),
    );
    return this.imputerState(m.cols, await this.compute({ data, rows: m.rows, cols: m.cols }, step(options, 1, 2)));
  }

  /** Per-column statistics of x, whose missing entries are NaN. */
  private compute(x: Matrix, options: JobOptions | undefined): Promise<Float64Array> {
    const { data, rows, cols } = x;
    switch (this.strategy) {
      case 'mean':
        return runJob(options, (native) => addon.columnMoments(data, rows, cols, false, native)).then((moments) => moments.mean);
      case 'median':
        return runJob(options, (native) => addon.columnQuantiles(data, rows, cols, true, new Float64Array(0), native));
      case 'mostFrequent':
        return runJob(options, (native) => addon.columnModes(data, rows, cols, native));
      case 'constant':
        return runJob(options, (native) => addon.checkValues(data, rows, cols, true, native)).then(() => filled(cols, this.fillValue));
    }
  }

  private imputerState(nFeaturesIn: number, computed: Float64Array): ImputerState {
    const statistics = this.keepEmptyFeatures ? computed.map((v) => (Number.isNaN(v) ? 0 : v)) : computed;
    const keep = columns(nFeaturesIn).filter((j) => !Number.isNaN(statistics[j]));
    return { nFeaturesIn, statistics, keep, fill: Float64Array.from(keep, (j) => statistics[j]) };
  }

  protected async transformMatrix(m: Matrix, state: ImputerState, options: JobOptions | undefined): Promise<Matrix> {
    if (state.keep.length === 0) {
      // Every column was empty in fit: scikit-learn returns rows x 0 too.
      await runJob(options, (native) => addon.checkValues(m.data, m.rows, m.cols, Number.isNaN(this.missingValues), native));
      return { data: m.data.slice(0, 0), rows: m.rows, cols: 0 };
    }
    const data = await runJob(options, (native) =>
      addon.imputeColumns(m.data, m.rows, m.cols, this.missingValues, state.fill, state.keep, native),
    );
    return { data, rows: m.rows, cols: state.keep.length };
  }

  protected params(): Record<string, unknown> {
    return {
      missingValues: Number.isNaN(this.missingValues) ? null : this.missingValues,
      strategy: this.strategy,
      fillValue: this.fillValue,
      keepEmptyFeatures: this.keepEmptyFeatures,
    };
  }

  protected stateToJSON(state: ImputerState): Record<string, unknown> {
    return { nFeaturesIn: state.nFeaturesIn, statistics: floatsToJSON(state.statistics) };
  }

  /** Restores an imputer from its toJSON() output; a malformed object is a TypeError or RangeError. */
  static fromJSON(json: unknown): SimpleImputer {
    const { params, state } = readEnvelope(json, 'SimpleImputer');
    const missingValues = params.missingValues === null ? NaN : params.missingValues;
    const imputer = new SimpleImputer(readImputerOptions({ ...params, missingValues } as SimpleImputerOptions, 'json.params'));
    if (state !== null) {
      const n = featuresFromJSON(state);
      imputer.state = imputer.imputerState(n, floatsFromJSON(state.statistics, 'json.state.statistics', n));
    }
    return imputer;
  }
}
