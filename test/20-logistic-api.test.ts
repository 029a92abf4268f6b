// LogisticRegression: labels, errors, determinism across thread counts, abort, progress, convergence
// warnings, warm start and the JSON round trip.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, ConvergenceWarning, getThreads, LogisticRegression, setThreads, type Matrix } from 'threadml';
import { mulberry32, rejection } from './helpers';

function blobs(n: number, d: number, classes: number, seed: number): { X: Matrix<Float64Array>; y: Int32Array } {
  const rand = mulberry32(seed);
  const X = new Float64Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = Math.floor(rand() * classes);
    for (let j = 0; j < d; j++) X[i * d + j] = 2 * rand() - 1 + (j % classes === y[i] ? 0.7 : 0);
  }
  return { X: { data: X, rows: n, cols: d }, y };
}

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

const tiny = { data: new Float64Array([0, 1, 1, 0, 2, 2, 3, 1]), rows: 4, cols: 2 };

describe('labels', () => {
  it('takes string labels, sorted like scikit-learn, and predicts strings', async () => {
    const { X, y } = blobs(300, 3, 3, 1);
    const names = ['pear', 'apple', 'fig'];
    const labels = Array.from(y, (v) => names[v]);
    const model = await new LogisticRegression().fit(X, labels);
    expect(model.classes).toEqual(['apple', 'fig', 'pear']);
    const predicted = await model.predict(X);
    expect(Array.isArray(predicted)).toBe(true);
    const byIndex = await new LogisticRegression().fit(X, y);
    const indexPredicted = (await byIndex.predict(X)) as Float64Array;
    expect(predicted).toEqual(Array.from(indexPredicted, (v) => names[v]));
    expect(await model.score(X, labels)).toBe(await byIndex.score(X, y));
  });

  it('takes arbitrary numeric labels (negative, fractional) in any array form', async () => {
    const y = [2.5, -1, 2.5, -1];
    const model = await new LogisticRegression().fit(tiny, y);
    expect(model.classes).toEqual([-1, 2.5]);
    const fromTyped = await new LogisticRegression().fit(tiny, new Float32Array(y));
    expect(Array.from(fromTyped.coef.data)).toEqual(Array.from(model.coef.data));
    const predicted = await model.predict(tiny);
    expect(predicted).toBeInstanceOf(Float64Array);
    for (const v of predicted) expect([-1, 2.5]).toContain(v);
  });

  it('scores labels the model never saw as wrong', async () => {
    const model = await new LogisticRegression().fit(tiny, [0, 1, 0, 1]);
    const predicted = (await model.predict(tiny)) as Float64Array;
    expect(await model.score(tiny, Array.from(predicted, (v) => (v === 0 ? 7 : v)))).toBe(predicted.filter((v) => v !== 0).length / 4);
  });
});

describe('errors', () => {
  it('rejects bad labels with the one error format', async () => {
    const fit = (y: unknown) => new LogisticRegression().fit(tiny, y as number[]);
    expect((await rejection(fit([0, 0, 0, 0]))).message).toBe('Expected labels of at least two classes for y but received the string "only 0"');
    const short = await rejection(fit([0, 1, 0]));
    expect(short).toBeInstanceOf(RangeError);
    expect(short.message).toBe('Expected an array of length 4 (the rows of X) for y but received an array of length 3');
    const nan = await rejection(fit([0, 1, NaN, 1]));
    expect(nan).toBeInstanceOf(RangeError);
    expect(nan.message).toBe('Expected a finite number for y[2] but received NaN');
    const mixed = await rejection(fit([0, 'a', 0, 1]));
    expect(mixed).toBeInstanceOf(TypeError);
    expect(mixed.message).toBe('Expected a number (like the first label) for y[1] but received the string "a"');
    expect(await rejection(fit('0101'))).toBeInstanceOf(TypeError);
    const model = await new LogisticRegression().fit(tiny, [0, 1, 0, 1]);
    expect((await rejection(model.score(tiny, ['a', 'b', 'a', 'b']))).message).toBe(
      "Expected number labels (like the model's classes) for y but received an array of length 4",
    );
    expect((await rejection(model.objective(tiny, [0, 1, 3, 1]))).message).toBe("Expected one of the model's classes (0, 1) for y[2] but received 3");
  });

  it('rejects bad shapes and NaN or infinite values', async () => {
    const model = new LogisticRegression();
    const shape = await rejection(model.fit({ data: new Float64Array(7), rows: 4, cols: 2 }, [0, 1, 0, 1]));
    expect(shape).toBeInstanceOf(RangeError);
    expect(shape.message).toMatch(/^Expected an array of length rows \* cols = 8 for X\.data/);
    const nan = await rejection(model.fit({ data: new Float64Array([0, 1, 1, NaN, 2, 2, 3, 1]), rows: 4, cols: 2 }, [0, 1, 0, 1]));
    expect(nan).toBeInstanceOf(RangeError);
    expect(nan.message).toBe('Expected finite values for X but received NaN at row 1, column 1');
    const inf = await rejection(model.fit({ data: new Float32Array([0, 1, 1, 0, -Infinity, 2, 3, 1]), rows: 4, cols: 2 }, [0, 1, 0, 1]));
    expect(inf.message).toBe('Expected finite values for X but received -Infinity at row 2, column 0');
    const fitted = await model.fit(tiny, [0, 1, 0, 1]);
    const cols = await rejection(fitted.predict({ data: new Float64Array(6), rows: 2, cols: 3 }));
    expect(cols).toBeInstanceOf(RangeError);
    expect(cols.message).toBe('Expected a matrix with 2 columns (the features seen by fit) for X but received the string "2 x 3"');
    expect((await rejection(fitted.predictProba({ data: new Float64Array([1, NaN]), rows: 1, cols: 2 }))).message).toBe(
      'Expected finite values for X but received NaN at row 0, column 1',
    );
    const weights = await rejection(model.fit(tiny, [0, 1, 0, 1], { sampleWeight: [1, -1, 1, 1] }));
    expect(weights.message).toBe('Expected a finite number >= 0 for options.sampleWeight[1] but received -1');
    expect((await rejection(model.fit(tiny, [0, 1, 0, 1], { sampleWeight: [1, 1] }))).message).toBe(
      'Expected an array of length 4 (the rows of X) for options.sampleWeight but received a Float64Array of length 2',
    );
  });

  it('rejects bad options at construction', () => {
    const make = (options: unknown) => () => new LogisticRegression(options as never);
    expect(make({ C: 0 })).toThrow(new RangeError('Expected a finite number > 0 for options.C but received 0'));
    expect(make({ C: '1' })).toThrow(new TypeError('Expected a number for options.C but received the string "1"'));
    expect(make({ penalty: 'l3' })).toThrow(RangeError);
    expect(make({ penalty: 'l1' })).toThrow(
      new RangeError(`Expected 'l2' or 'none' with solver 'lbfgs' (use solver 'saga' for 'l1' and 'elasticnet') for options.penalty but received the string "l1"`),
    );
    expect(make({ solver: 'saga', penalty: 'elasticnet' })).toThrow(TypeError);
    expect(make({ maxIter: 1.5 })).toThrow(RangeError);
    expect(make({ classWeight: { 1: -2 } })).toThrow(new RangeError('Expected a finite number >= 0 for options.classWeight["1"] but received -2'));
    expect(make({ maxiter: 5 })).toThrow(RangeError);
    expect(() => new LogisticRegression().coef).toThrow('This LogisticRegression is not fitted yet: call fit(X, y) first');
  });

  it('rejects class weights for labels that are not in y', async () => {
    const error = await rejection(new LogisticRegression({ classWeight: { 5: 2 } }).fit(tiny, [0, 1, 0, 1]));
    expect(error.message).toBe('Expected class labels found in y (0, 1) for options.classWeight but received the string "5"');
  });
});

describe('threads, abort, progress and convergence', () => {
  const defaultBudget = getThreads();
  beforeAll(() => setThreads(4));
  afterAll(() => setThreads(defaultBudget));

  it('gives bit-identical models and predictions for 1, 2 and 3 threads', async () => {
    // Large enough that the loss runs on several threads (many row blocks and tasks).
    for (const [classes, X32] of [
      [2, false],
      [5, false],
      [5, true],
    ] as [number, boolean][]) {
      const { X: X64, y } = blobs(40_000, 30, classes, 17);
      const X: Matrix = X32 ? { data: Float32Array.from(X64.data), rows: X64.rows, cols: X64.cols } : X64;
      const fits = await Promise.all([1, 2, 3].map((threads) => new LogisticRegression({ maxIter: 30 }).fit(X, y, { threads })));
      for (const m of fits.slice(1)) {
        expect(sameBytes(m.coef.data, fits[0].coef.data), `${classes} classes, float32 ${X32}: coef`).toBe(true);
        expect(sameBytes(m.intercept, fits[0].intercept)).toBe(true);
        expect(Array.from(m.nIter)).toEqual(Array.from(fits[0].nIter));
      }
      const probas = await Promise.all([1, 2, 3].map((threads) => fits[0].predictProba(X, { threads })));
      for (const p of probas.slice(1)) expect(sameBytes(p.data, probas[0].data)).toBe(true);
    }
  });

  it('aborts mid-fit promptly with an AbortError', async () => {
    const { X, y } = blobs(200_000, 50, 10, 2);
    const controller = new AbortController();
    let progressed = 0;
    const started = performance.now();
    const fit = new LogisticRegression({ maxIter: 10_000, tol: 0 }).fit(X, y, {
      signal: controller.signal,
      onProgress: (p) => {
        progressed = p;
      },
    });
    setTimeout(() => controller.abort(), 300);
    const error = await rejection(fit);
    expect(error).toBeInstanceOf(AbortError);
    expect(error.name).toBe('AbortError');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(progressed).toBeLessThan(1);
    // An aborted fit leaves the estimator as it was.
    const model = new LogisticRegression();
    const aborted = new AbortController();
    aborted.abort();
    expect(await rejection(model.fit(X, y, { signal: aborted.signal }))).toBeInstanceOf(AbortError);
    expect(() => model.coef).toThrow();
  });

  it('reports increasing progress ending at 1', async () => {
    const { X, y } = blobs(20_000, 20, 3, 5);
    const seen: number[] = [];
    await new LogisticRegression({ maxIter: 40, tol: 0 }).fit(X, y, { onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(3);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]);
    expect(seen[seen.length - 1]).toBe(1);
  });

  it('flags and warns when maxIter stops the fit, like scikit-learn\'s ConvergenceWarning', async () => {
    const { X, y } = blobs(2000, 10, 3, 6);
    const warnings: Error[] = [];
    const listener = (w: Error) => warnings.push(w);
    process.on('warning', listener);
    try {
      const short = await new LogisticRegression({ maxIter: 2 }).fit(X, y);
      const long = await new LogisticRegression({ maxIter: 200 }).fit(X, y);
      await new Promise((resolve) => setImmediate(resolve));
      expect(short.converged).toBe(false);
      expect(Array.from(short.nIter)).toEqual([2]);
      expect(long.converged).toBe(true);
      expect(warnings).toHaveLength(1);
      expect(warnings[0].name).toBe(ConvergenceWarning);
      expect(warnings[0].message).toBe(
        "LogisticRegression (solver 'lbfgs') did not converge in maxIter = 2 iterations: increase maxIter or scale the features",
      );
    } finally {
      process.off('warning', listener);
    }
  });

  it('warm start continues from the previous coefficients', async () => {
    const { X, y } = blobs(3000, 8, 3, 7);
    const full = await new LogisticRegression({ maxIter: 500, tol: 1e-8 }).fit(X, y);
    const warm = new LogisticRegression({ maxIter: 500, tol: 1e-8, warmStart: true });
    await warm.fit(X, y);
    await warm.fit(X, y);
    expect(warm.nIter[0]).toBeLessThan(3);
    for (let i = 0; i < full.coef.data.length; i++) expect(warm.coef.data[i]).toBeCloseTo(full.coef.data[i], 4);
  });
});

describe('toJSON / fromJSON', () => {
  it('round-trips through JSON text exactly, float64 and float32, numbers and strings', async () => {
    const { X, y } = blobs(500, 4, 3, 3);
    for (const X_ of [X, { data: Float32Array.from(X.data), rows: X.rows, cols: X.cols }] as Matrix[]) {
      for (const labels of [y, Array.from(y, (v) => `class ${v}`)]) {
        const model = await new LogisticRegression({ C: 0.5, classWeight: 'balanced' }).fit(X_, labels as unknown as number[]);
        const restored = LogisticRegression.fromJSON(JSON.parse(JSON.stringify(model)));
        expect(restored.options).toEqual(model.options);
        expect(restored.classes).toEqual(model.classes);
        expect(restored.coef.data.constructor).toBe(model.coef.data.constructor);
        expect(sameBytes(restored.coef.data, model.coef.data)).toBe(true);
        expect(sameBytes(restored.intercept, model.intercept)).toBe(true);
        expect(Array.from(restored.nIter)).toEqual(Array.from(model.nIter));
        expect(restored.converged).toBe(model.converged);
        expect(await restored.predict(X_)).toEqual(await model.predict(X_));
      }
    }
  });

  it('rejects corrupted objects with clear errors', async () => {
    const model = await new LogisticRegression().fit(blobs(100, 3, 3, 2).X, blobs(100, 3, 3, 2).y);
    const good = model.toJSON();
    const broken = (change: Record<string, unknown>) => () => LogisticRegression.fromJSON({ ...good, ...change });
    expect(() => LogisticRegression.fromJSON('{}')).toThrow(new TypeError('Expected an object from LogisticRegression.toJSON() for json but received the string "{}"'));
    expect(broken({ format: 'sklearn' })).toThrow(new TypeError('Expected the format "threadml.LogisticRegression" for json.format but received the string "sklearn"'));
    expect(broken({ version: 2 })).toThrow(new RangeError('Expected version 1 for json.version but received 2'));
    expect(broken({ coef: good.coef.slice(1) })).toThrow(new RangeError('Expected an array of length 9 for json.coef but received an array of length 8'));
    expect(broken({ coef: [...good.coef.slice(1), 'x'] })).toThrow(new TypeError('Expected a number for json.coef[8] but received the string "x"'));
    expect(broken({ intercept: [1, null, 2] })).toThrow(new TypeError('Expected a number for json.intercept[1] but received null'));
    expect(broken({ classes: [0, 0, 1] })).toThrow(RangeError);
    expect(broken({ classes: [0, '1', 2] })).toThrow(new TypeError('Expected finite numbers or strings, all of one kind for json.classes[1] but received the string "1"'));
    expect(broken({ nFeatures: -3 })).toThrow(new RangeError('Expected a positive integer for json.nFeatures but received -3'));
    expect(broken({ options: { ...good.options, C: -1 } })).toThrow(new RangeError('Expected a finite number > 0 for json.options.C but received -1'));
    expect(broken({ dtype: 'int8' })).toThrow(RangeError);
    expect(broken({ converged: 'yes' })).toThrow(TypeError);
    expect(broken({ nIter: [-1] })).toThrow(RangeError);
  });
});
