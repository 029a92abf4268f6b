// MLPClassifier / MLPRegressor: bad options, inputs and saved models give errors naming the
// argument, what was expected and what was received.
import { describe, expect, it } from 'vitest';
import { MLPClassifier, MLPRegressor } from 'threadml';
import { rejection } from './helpers';

const X = { data: Float64Array.from({ length: 40 }, (_, i) => Math.sin(i)), rows: 10, cols: 4 };
const y = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0];

async function fitted(): Promise<MLPClassifier> {
  return new MLPClassifier({ hiddenLayerSizes: [5], maxIter: 2 }).fit(X, y);
}

describe('options', () => {
  const bad: [object, ErrorConstructor, RegExp][] = [
    [{ hiddenLayerSizes: [0] }, RangeError, /Expected an integer from 1 to 16777216 for options.hiddenLayerSizes\[0\] but received 0/],
    [{ hiddenLayerSizes: 5 }, TypeError, /Expected an array of layer sizes for options.hiddenLayerSizes but received 5/],
    [{ activation: 'softmax' }, RangeError, /Expected one of 'identity', 'logistic', 'tanh', 'relu' for options.activation/],
    [{ solver: 'lbfgs' }, RangeError, /options.solver but received the string "lbfgs"/],
    [{ alpha: -1 }, RangeError, /Expected a finite number >= 0 for options.alpha but received -1/],
    [{ batchSize: 0 }, RangeError, /options.batchSize/],
    [{ learningRateInit: NaN }, RangeError, /Expected a finite number > 0 for options.learningRateInit but received NaN/],
    [{ beta2: 1 }, RangeError, /Expected a number in \[0, 1\) for options.beta2 but received 1/],
    [{ validationFraction: 1 }, RangeError, /options.validationFraction/],
    [{ dtype: 'float16' }, RangeError, /options.dtype/],
    [{ maxIters: 3 }, RangeError, /options key but received the string "maxIters"/],
  ];
  for (const [options, kind, message] of bad)
    it(`refuses ${JSON.stringify(options)}`, () => {
      expect(() => new MLPClassifier(options)).toThrow(kind);
      expect(() => new MLPRegressor(options)).toThrow(message);
    });
});

describe('inputs', () => {
  it('refuses X of the wrong type, shape or values', async () => {
    const model = new MLPClassifier({ hiddenLayerSizes: [3], maxIter: 1 });
    expect((await rejection(model.fit({ data: new Int32Array(40), rows: 10, cols: 4 } as never, y))).message).toMatch(
      /Expected a Float64Array or Float32Array for X.data but received an Int32Array of length 40/,
    );
    expect(await rejection(model.fit({ data: new Float64Array(39), rows: 10, cols: 4 }, y))).toBeInstanceOf(RangeError);
    expect((await rejection(model.fit({ data: new Float64Array(0), rows: 0, cols: 4 }, []))).message).toMatch(/Expected a positive integer for X.rows/);
    const nan = Float64Array.from(X.data);
    nan[13] = NaN;
    const error = await rejection(model.fit({ ...X, data: nan }, y));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('Expected a finite number for X[3][1] but received NaN');
    const inf = Float32Array.from(X.data);
    inf[39] = -Infinity;
    expect((await rejection((await fitted()).predict({ ...X, data: inf }))).message).toBe('Expected a finite number for X[9][3] but received -Infinity');
  });

  it('refuses a detached buffer', async () => {
    const data = Float64Array.from(X.data);
    structuredClone(data.buffer, { transfer: [data.buffer] });
    const error = await rejection(new MLPClassifier().fit({ data, rows: 10, cols: 4 }, y));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/detached/);
  });

  it('refuses labels and targets that do not fit', async () => {
    const model = new MLPClassifier({ hiddenLayerSizes: [3], maxIter: 1 });
    expect((await rejection(model.fit(X, y.slice(1)))).message).toMatch(/Expected an array of length 10 \(the rows of X\) for y/);
    expect((await rejection(model.fit(X, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).message).toMatch(/at least two classes/);
    expect((await rejection(model.fit(X, [0, 1, NaN, 0, 1, 0, 0, 1, 1, 0]))).message).toMatch(/Expected a finite number for y\[2\] but received NaN/);
    expect((await rejection(model.fit(X, [[0, 2], [1, 0], [0, 0], [1, 1], [0, 0], [1, 1], [0, 0], [1, 1], [0, 0], [1, 1]]))).message).toMatch(
      /Expected 0 or 1 in a multilabel indicator matrix for y\[0\]\[1\] but received 2/,
    );
    const reg = new MLPRegressor({ maxIter: 1 });
    expect((await rejection(reg.fit(X, [1, 2, 3, 4, Infinity, 6, 7, 8, 9, 10]))).message).toMatch(/Expected a finite number for y\[4\] but received Infinity/);
  });

  it('refuses predict before fit, and X with other columns than fit saw', async () => {
    expect((await rejection(new MLPClassifier().predict(X))).message).toMatch(/not fitted yet/);
    const model = await fitted();
    expect((await rejection(model.predictProba({ data: new Float64Array(15), rows: 5, cols: 3 }))).message).toMatch(
      /Expected a matrix with 4 columns \(the features seen by fit\) for X but received the string "5 x 3"/,
    );
  });

  it('warm start and partialFit refuse other classes or features', async () => {
    const model = new MLPClassifier({ hiddenLayerSizes: [3], maxIter: 1, warmStart: true });
    await model.fit(X, y);
    expect((await rejection(model.fit(X, [0, 1, 3, 0, 1, 3, 0, 1, 3, 0]))).message).toMatch(/Expected one of the model's classes \(0, 1, 2\) for y\[2\]/);
    expect((await rejection(model.fit(X, [0, 1, 1, 0, 1, 1, 0, 1, 1, 0]))).message).toMatch(/every class of the previous fit/);
    expect((await rejection(model.partialFit({ data: new Float64Array(30), rows: 10, cols: 3 }, y))).message).toMatch(/4 columns/);
  });

  it('early stopping refuses a split that leaves no training or validation row', async () => {
    const model = new MLPClassifier({ earlyStopping: true, validationFraction: 0.01, maxIter: 1 });
    const error = await rejection(model.fit({ data: new Float64Array([1, 2]), rows: 1, cols: 2 }, [0]));
    expect(error).toBeInstanceOf(RangeError);
    const tiny = await rejection(new MLPRegressor({ earlyStopping: true, validationFraction: 0.5 }).fit({ data: new Float64Array([1, 2]), rows: 1, cols: 2 }, [0]));
    expect(tiny.message).toMatch(/Expected validationFraction to leave at least one training and one validation row/);
  });
});

describe('saved models', () => {
  it('refuses a corrupted JSON model with a clear error', async () => {
    const good = JSON.parse(JSON.stringify(await fitted()));
    const cases: [Record<string, unknown>, ErrorConstructor, RegExp][] = [
      [{ format: 'threadml.MLPRegressor' }, TypeError, /Expected the format "threadml.MLPClassifier" for json.format/],
      [{ version: 2 }, RangeError, /Expected version 1 for json.version but received 2/],
      [{ params: good.params.slice(1) }, RangeError, /Expected an array of length 43 for json.params/],
      [{ params: [...good.params.slice(1), 'x'] }, TypeError, /Expected a number for json.params\[42\] but received the string "x"/],
      [{ params: [...good.params.slice(1), null] }, TypeError, /json.params\[42\]/],
      [{ widths: [4, 6, 3] }, RangeError, /Expected hidden widths equal to options.hiddenLayerSizes \(5\) for json.widths/],
      [{ widths: [4, 5, 0] }, RangeError, /json.widths\[2\]/],
      [{ classes: [0, 1] }, RangeError, /Expected 3 distinct labels matching the softmax output of 3 units for json.classes/],
      [{ outActivation: 'identity' }, RangeError, /json.outActivation/],
      [{ dtype: 'int8' }, RangeError, /json.dtype/],
      [{ options: { ...good.options, solver: 'newton' } }, RangeError, /options.solver/],
      [{ nIter: -1 }, RangeError, /json.nIter/],
    ];
    for (const [patch, kind, message] of cases) {
      const error = (() => {
        try {
          MLPClassifier.fromJSON({ ...good, ...patch });
        } catch (e) {
          return e as Error;
        }
        return undefined;
      })();
      expect(error, JSON.stringify(patch).slice(0, 60)).toBeInstanceOf(kind);
      expect(error?.message).toMatch(message);
    }
    expect(() => MLPClassifier.fromJSON(null)).toThrow(/Expected an object from MLPClassifier.toJSON\(\) for json but received null/);
    expect(() => MLPRegressor.fromJSON(good)).toThrow(TypeError);
  });
});
