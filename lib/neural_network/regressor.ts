// MLPRegressor: scikit-learn's multi-layer perceptron regressor (identity output, squared error),
// one or several outputs.
import { rangeError } from '../errors';
import type { JobOptions } from '../job';
import { toMatrix, type FloatArray, type Matrix, type MatrixInput, type VectorInput } from '../tensor';
import { BaseMLP, checkedJSON, numericTargets, type MLPOptions, type MLPStateJSON } from './base';

const FORMAT = 'threadml.MLPRegressor';
const VERSION = 1;

type TargetInput = VectorInput | ArrayLike<number> | MatrixInput;

export class MLPRegressor extends BaseMLP {
  protected readonly kind = 'MLPRegressor';
  /** Whether y was a matrix (predict then returns a matrix, even of one column). */
  private matrixTargets = false;

  constructor(options?: MLPOptions) {
    super(options);
  }

  /** Trains for up to maxIter epochs on y: one value per row, or a rows x outputs matrix. */
  fit(X: MatrixInput, y: TargetInput, options?: JobOptions): Promise<this> {
    return this.run(X, y, false, options);
  }

  /** One epoch over (X, y), continuing from the current weights and optimizer state. */
  partialFit(X: MatrixInput, y: TargetInput, options?: JobOptions): Promise<this> {
    return this.run(X, y, true, options);
  }

  private run(X: MatrixInput, y: TargetInput, incremental: boolean, options: JobOptions | undefined): Promise<this> {
    try {
      const x = toMatrix(X, 'X');
      const { values, cols } = numericTargets(y, x.rows, 'y');
      const matrix = !ArrayBuffer.isView(y) && !(Array.isArray(y) && !Array.isArray(y[0]));
      return this.train(x, { y: values, outputs: cols, outActivation: 'identity' }, incremental, false, options).then(() => {
        this.matrixTargets = matrix;
        return this;
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Predictions: one value per row, or rows x outputs when fitted on a matrix. */
  predict(X: MatrixInput, options?: JobOptions): Promise<FloatArray | Matrix> {
    return this.forward(X, options).then((out) => (this.matrixTargets ? out : out.data));
  }

  /** R^2 of the predictions, averaged over the outputs (scikit-learn's uniform average). */
  score(X: MatrixInput, y: TargetInput, options?: JobOptions): Promise<number> {
    try {
      const x = toMatrix(X, 'X');
      const { values, cols } = numericTargets(y, x.rows, 'y');
      if (cols !== this.nOutputs) throw rangeError(`targets of ${this.nOutputs} outputs`, 'y', `${x.rows} x ${cols}`);
      return this.forward(x, options).then((out) => {
        let total = 0;
        for (let j = 0; j < cols; j++) {
          let mean = 0;
          for (let i = 0; i < out.rows; i++) mean += values[i * cols + j];
          mean /= out.rows;
          let res = 0;
          let tot = 0;
          for (let i = 0; i < out.rows; i++) {
            const v = values[i * cols + j];
            res += (v - out.data[i * cols + j]) ** 2;
            tot += (v - mean) ** 2;
          }
          // scikit-learn's r2_score for a constant target: 1 when predicted exactly, else 0.
          total += tot > 0 ? 1 - res / tot : res === 0 ? 1 : 0;
        }
        return total / cols;
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  toJSON(): MLPRegressorJSON {
    return { format: FORMAT, version: VERSION, ...this.stateJSON(), matrixTargets: this.matrixTargets };
  }

  /** Restores a model saved by toJSON; anything malformed is a TypeError or RangeError. */
  static fromJSON(json: unknown): MLPRegressor {
    const j = checkedJSON(json, FORMAT, VERSION);
    const model = new MLPRegressor(j.options as MLPOptions);
    model.restore(j, ['identity']);
    model.matrixTargets = j.matrixTargets === true;
    return model;
  }
}

export interface MLPRegressorJSON extends MLPStateJSON {
  format: typeof FORMAT;
  version: typeof VERSION;
  matrixTargets: boolean;
}
