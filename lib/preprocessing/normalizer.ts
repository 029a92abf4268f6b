// Normalizer: scales each row (sample) to unit norm, scikit-learn's semantics.
import { runJob, type JobOptions } from '../job';
import { addon } from '../native';
import { toMatrix, type Matrix, type MatrixInput } from '../tensor';
import { checkChoice, checkedMatrix, featuresFromJSON, MatrixTransformer, readEnvelope, type FeatureState, type ResultOf } from './base';

export type NormalizerNorm = 'l1' | 'l2' | 'max';

export interface NormalizerOptions {
  /** 'l1' (sum of magnitudes), 'l2' (Euclidean) or 'max' (largest magnitude). Default 'l2'. */
  norm?: NormalizerNorm;
}

const norms: readonly NormalizerNorm[] = ['l1', 'l2', 'max'];

/**
 * Divides each row by its norm, in parallel over rows; a row whose norm is (nearly) zero is left as
 * it is. NaN and infinities are refused. Stateless: transform works without fit; after fit it also
 * checks the number of columns.
 */
export class Normalizer extends MatrixTransformer<FeatureState> {
  protected readonly estimatorName = 'Normalizer';
  readonly norm: NormalizerNorm;

  constructor(options: NormalizerOptions = {}) {
    super();
    this.norm = checkChoice(options.norm, 'options.norm', norms, 'l2');
  }

  async transform<X extends MatrixInput>(X: X, options?: JobOptions): Promise<ResultOf<X>> {
    const m = this.state === undefined ? toMatrix(X, 'X') : checkedMatrix(X, this.state.nFeaturesIn);
    return (await this.transformMatrix(m, this.state, options)) as ResultOf<X>;
  }

  protected async fitMatrix(m: Matrix, options: JobOptions | undefined): Promise<FeatureState> {
    await runJob(options, (native) => addon.checkValues(m.data, m.rows, m.cols, false, native));
    return { nFeaturesIn: m.cols };
  }

  protected transformMatrix(m: Matrix, _state: FeatureState | undefined, options: JobOptions | undefined): Promise<Matrix> {
    return runJob(options, (native) => addon.normalizeRows(m.data, m.rows, m.cols, this.norm, native)).then((data) => ({
      data,
      rows: m.rows,
      cols: m.cols,
    }));
  }

  protected params(): Record<string, unknown> {
    return { norm: this.norm };
  }

  protected stateToJSON(state: FeatureState): Record<string, unknown> {
    return { nFeaturesIn: state.nFeaturesIn };
  }

  /** Restores a normalizer from its toJSON() output; a malformed object is a TypeError or RangeError. */
  static fromJSON(json: unknown): Normalizer {
    const { params, state } = readEnvelope(json, 'Normalizer');
    const normalizer = new Normalizer({ norm: checkChoice(params.norm, 'json.params.norm', norms, 'l2') });
    if (state !== null) normalizer.state = { nFeaturesIn: featuresFromJSON(state) };
    return normalizer;
  }
}
