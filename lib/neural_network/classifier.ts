// MLPClassifier: scikit-learn's multi-layer perceptron classifier. Softmax output and cross-entropy
// for more than two classes; one logistic output for two classes; one logistic output per label for
// multilabel targets (a 0/1 indicator matrix as y), as scikit-learn chooses.
import { rangeError, typeError } from '../errors';
import type { JobOptions } from '../job';
import { checkedLabels, encodeLabels, labelsOf, type Label, type LabelInput } from '../linear_model/labels';
import { isMatrixInput, toMatrix, type Matrix, type MatrixInput } from '../tensor';
import { BaseMLP, checkedJSON, numericTargets, type MLPOptions, type MLPStateJSON, type Targets } from './base';

export interface MLPPartialFitOptions extends JobOptions {
  /** Every class of the problem: required on the first partialFit call (unless y is multilabel). */
  classes?: LabelInput;
}

/** predict's result: labels, or a rows x labels 0/1 matrix for a multilabel model. */
export type MLPClassifierPredictions<L extends Label> = ([L] extends [string] ? string[] : Float64Array) | Matrix<Float64Array>;

const FORMAT = 'threadml.MLPClassifier';
const VERSION = 1;

type TargetInput = LabelInput | MatrixInput;

export class MLPClassifier<L extends Label = Label> extends BaseMLP {
  protected readonly kind = 'MLPClassifier';
  private labels: Label[] = [];
  private multilabel = false;

  constructor(options?: MLPOptions) {
    super(options);
  }

  /** The class labels (sorted), or the label columns 0..k-1 of a multilabel model. */
  get classes(): L[] {
    void this.state;
    return [...this.labels] as L[];
  }

  /** Trains for up to maxIter epochs (continuing from the current weights with warmStart). */
  fit(X: MatrixInput, y: TargetInput, options?: JobOptions): Promise<this> {
    try {
      const x = toMatrix(X, 'X');
      const warm = this.fitted !== undefined && this.options.warmStart;
      const { targets, classes, multilabel } = this.encode(y, x.rows, warm ? this.labels : undefined, warm);
      return this.train(x, targets, false, true, options).then(() => {
        this.labels = classes;
        this.multilabel = multilabel;
        return this;
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** One epoch over (X, y), continuing from the current weights and optimizer state. */
  partialFit(X: MatrixInput, y: TargetInput, options?: MLPPartialFitOptions): Promise<this> {
    try {
      const x = toMatrix(X, 'X');
      let known: Label[] | undefined = this.fitted === undefined ? undefined : this.labels;
      if (known === undefined && !isMatrixInput(y)) {
        if (options?.classes === undefined) throw typeError('the array of all classes on the first partialFit call', 'options.classes', undefined);
        known = encodeLabels(options.classes, 'options.classes', (options.classes as ArrayLike<unknown>).length).classes;
      }
      const { targets, classes, multilabel } = this.encode(y, x.rows, known, false);
      const { classes: _classes, ...jobOptions } = options ?? {};
      return this.train(x, targets, true, true, jobOptions).then(() => {
        this.labels = classes;
        this.multilabel = multilabel;
        return this;
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Targets for the trainer. With `known` classes, labels must be among them; `sameClasses` (warm
   * start) also asks y to have exactly those classes, as scikit-learn does.
   */
  private encode(y: TargetInput, rows: number, known: Label[] | undefined, sameClasses: boolean): { targets: Targets; classes: Label[]; multilabel: boolean } {
    if (isMatrixInput(y) && !ArrayBuffer.isView(y)) {
      const { values, cols } = numericTargets(y, rows, 'y');
      values.forEach((v, i) => {
        if (v !== 0 && v !== 1) throw rangeError('0 or 1 in a multilabel indicator matrix', `y[${Math.floor(i / cols)}][${i % cols}]`, v);
      });
      if (known !== undefined && (!this.multilabel || known.length !== cols)) throw rangeError(`targets like the fitted model's (${known.length} classes)`, 'y', `a ${rows} x ${cols} indicator matrix`);
      const classes = Array.from({ length: cols }, (_, i) => i);
      return { targets: { y: values, outputs: cols, outActivation: 'logistic' }, classes, multilabel: true };
    }
    if (known !== undefined && this.multilabel && this.fitted !== undefined) throw typeError('a multilabel indicator matrix (like the fitted model\'s)', 'y', y);
    let classes: Label[];
    let indices: Int32Array;
    if (known === undefined) {
      ({ classes, indices } = encodeLabels(y, 'y', rows));
      if (classes.length < 2) throw rangeError('labels of at least two classes', 'y', `only ${JSON.stringify(classes[0])}`);
    } else {
      classes = known;
      indices = checkedLabels(y, known, 'y', rows, true);
      if (sameClasses && new Set(indices).size !== known.length)
        throw rangeError(`every class of the previous fit (${known.slice(0, 10).join(', ')}) with warmStart`, 'y', y);
    }
    if (classes.length === 2) return { targets: { y: Float64Array.from(indices), outputs: 1, outActivation: 'logistic' }, classes, multilabel: false };
    return { targets: { y: indices, outputs: classes.length, outActivation: 'softmax' }, classes, multilabel: false };
  }

  /** Class probabilities, rows x classes (for multilabel, each label's probability). */
  predictProba(X: MatrixInput, options?: JobOptions): Promise<Matrix> {
    return this.forward(X, options).then((out) => {
      if (this.multilabel || out.cols > 1) return out;
      const data = new (out.data.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(out.rows * 2);
      for (let i = 0; i < out.rows; i++) {
        data[2 * i] = 1 - out.data[i];
        data[2 * i + 1] = out.data[i];
      }
      return { data, rows: out.rows, cols: 2 };
    });
  }

  /** The most likely class of each row, or a rows x labels 0/1 matrix for a multilabel model. */
  predict(X: MatrixInput, options?: JobOptions): Promise<MLPClassifierPredictions<L>> {
    return this.forward(X, options).then((out) => {
      if (this.multilabel) return { data: Float64Array.from(out.data, (p) => (p > 0.5 ? 1 : 0)), rows: out.rows, cols: out.cols };
      return labelsOf(this.classIndices(out), this.labels) as MLPClassifierPredictions<L>;
    });
  }

  private classIndices(out: Matrix): Int32Array {
    const best = new Int32Array(out.rows);
    if (out.cols === 1) for (let i = 0; i < out.rows; i++) best[i] = out.data[i] > 0.5 ? 1 : 0;
    else
      for (let i = 0; i < out.rows; i++) {
        const row = out.data.subarray(i * out.cols, (i + 1) * out.cols);
        let b = 0;
        for (let j = 1; j < row.length; j++) if (row[j] > row[b]) b = j;
        best[i] = b;
      }
    return best;
  }

  /** Mean accuracy on (X, y) (every label right, for multilabel); labels outside classes count as wrong. */
  score(X: MatrixInput, y: TargetInput, options?: JobOptions): Promise<number> {
    try {
      void this.state;
      const x = toMatrix(X, 'X');
      if (this.multilabel) {
        const { values, cols } = numericTargets(y, x.rows, 'y');
        if (cols !== this.labels.length) throw rangeError(`a matrix of ${this.labels.length} label columns`, 'y', `${x.rows} x ${cols}`);
        return this.forward(x, options).then((out) => {
          let right = 0;
          for (let i = 0; i < out.rows; i++) {
            let all = true;
            for (let j = 0; j < cols; j++) all &&= out.data[i * cols + j] > 0.5 === (values[i * cols + j] === 1);
            right += all ? 1 : 0;
          }
          return right / out.rows;
        });
      }
      const truth = checkedLabels(y, this.labels, 'y', x.rows, false);
      return this.forward(x, options).then((out) => {
        const predicted = this.classIndices(out);
        let right = 0;
        for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) right++;
        return right / truth.length;
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A plain, versioned object for JSON.stringify; MLPClassifier.fromJSON restores the model. */
  toJSON(): MLPClassifierJSON {
    return { format: FORMAT, version: VERSION, ...this.stateJSON(), classes: [...this.labels], multilabel: this.multilabel };
  }

  /**
   * Restores a model saved by toJSON (also after JSON.parse); anything malformed is a TypeError or
   * RangeError. The optimizer's moments are not saved: partialFit after loading starts a fresh one.
   */
  static fromJSON(json: unknown): MLPClassifier {
    const j = checkedJSON(json, FORMAT, VERSION);
    const model = new MLPClassifier(j.options as MLPOptions);
    model.restore(j, ['logistic', 'softmax']);
    if (typeof j.multilabel !== 'boolean') throw typeError('a boolean', 'json.multilabel', j.multilabel);
    if (!Array.isArray(j.classes)) throw typeError('an array of labels', 'json.classes', j.classes);
    const classes = j.classes as unknown[];
    const kind = typeof classes[0];
    classes.forEach((c, i) => {
      if (typeof c !== kind || (kind !== 'string' && !(typeof c === 'number' && Number.isFinite(c))))
        throw typeError('finite numbers or strings, all of one kind', `json.classes[${i}]`, c);
    });
    const outputs = model.nOutputs;
    const expected = j.multilabel ? outputs : outputs === 1 ? 2 : outputs;
    if (classes.length !== expected || new Set(classes).size !== classes.length || (!j.multilabel && (outputs === 1) !== (model.outActivation === 'logistic')))
      throw rangeError(`${expected} distinct labels matching the ${model.outActivation} output of ${outputs} units`, 'json.classes', classes);
    model.labels = classes as Label[];
    model.multilabel = j.multilabel;
    return model;
  }
}

/** The saved form of a fitted MLPClassifier. */
export interface MLPClassifierJSON extends MLPStateJSON {
  format: typeof FORMAT;
  version: typeof VERSION;
  classes: Label[];
  multilabel: boolean;
}
