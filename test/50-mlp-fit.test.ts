// MLPClassifier / MLPRegressor training: toy problems learned, determinism across thread counts,
// save/load, early stopping, warm start, partialFit, abort and progress.
import { describe, expect, it } from 'vitest';
import { AbortError, MLPClassifier, MLPRegressor, type Matrix } from 'threadml';
import { mulberry32, rejection } from './helpers';

/** Two interleaved spirals of n points each, with a little noise: not linearly separable. */
function spirals(n: number, seed: number): { X: Matrix<Float64Array>; y: Int32Array } {
  const rand = mulberry32(seed);
  const X = new Float64Array(4 * n);
  const y = new Int32Array(2 * n);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < 2; c++) {
      const t = (i / n) * 3 * Math.PI + 0.5;
      const r = t / (3 * Math.PI);
      const row = 2 * i + c;
      X[2 * row] = (c === 0 ? 1 : -1) * r * Math.cos(t) + 0.01 * (rand() - 0.5);
      X[2 * row + 1] = (c === 0 ? 1 : -1) * r * Math.sin(t) + 0.01 * (rand() - 0.5);
      y[row] = c;
    }
  return { X: { data: X, rows: 2 * n, cols: 2 }, y };
}

function blobs(n: number, d: number, classes: number, seed: number): { X: Matrix<Float32Array>; y: Int32Array } {
  const rand = mulberry32(seed);
  const X = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = Math.floor(rand() * classes);
    for (let j = 0; j < d; j++) X[i * d + j] = rand() + (j % classes === y[i] ? 1 : 0);
  }
  return { X: { data: X, rows: n, cols: d }, y };
}

const sameBytes = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('toy problems', () => {
  it('learns XOR', async () => {
    const X = [[0, 0], [0, 1], [1, 0], [1, 1]];
    const model = await new MLPClassifier({ hiddenLayerSizes: [8], activation: 'tanh', learningRateInit: 0.05, maxIter: 300, tol: 0, dtype: 'float64' }).fit(X, [0, 1, 1, 0]);
    expect(Array.from((await model.predict(X)) as Float64Array)).toEqual([0, 1, 1, 0]);
    expect(model.outActivation).toBe('logistic');
    expect((await model.predictProba(X)).cols).toBe(2);
  });

  it('learns two interleaved spirals to ~100% (relu, adam, float32)', async () => {
    const { X, y } = spirals(200, 3);
    const model = await new MLPClassifier({ hiddenLayerSizes: [64, 64], learningRateInit: 0.01, maxIter: 400, batchSize: 32 }).fit(X, y);
    expect(await model.score(X, y)).toBeGreaterThanOrEqual(0.99);
    expect(model.coefs.map((c) => [c.rows, c.cols])).toEqual([[2, 64], [64, 64], [64, 1]]);
    expect(model.coefs[0].data).toBeInstanceOf(Float32Array);
  });

  it('learns three classes with sgd + Nesterov momentum and string labels', async () => {
    const { X, y } = blobs(600, 6, 3, 5);
    const labels = Array.from(y, (c) => ['ant', 'bee', 'cat'][c]);
    const model = await new MLPClassifier({ hiddenLayerSizes: [16], solver: 'sgd', learningRateInit: 0.1, maxIter: 100 }).fit(X, labels);
    expect(model.classes).toEqual(['ant', 'bee', 'cat']);
    expect(await model.score(X, labels)).toBeGreaterThan(0.9);
    const p = await model.predictProba(X);
    for (let i = 0; i < 5; i++) expect(p.data[3 * i] + p.data[3 * i + 1] + p.data[3 * i + 2]).toBeCloseTo(1, 5);
  });

  it('fits a regression curve (sin) to R^2 > 0.99', async () => {
    const xs = Array.from({ length: 200 }, (_, i) => [i / 100 - 1]);
    const ys = xs.map(([v]) => Math.sin(3 * v));
    const model = await new MLPRegressor({ hiddenLayerSizes: [32, 32], activation: 'tanh', learningRateInit: 0.01, maxIter: 1000, tol: 1e-7, nIterNoChange: 50, batchSize: 20 }).fit(xs, ys);
    expect(await model.score(xs, ys)).toBeGreaterThan(0.99);
    const predicted = (await model.predict([[0.5]])) as Float32Array;
    expect(predicted[0]).toBeCloseTo(Math.sin(1.5), 1);
  });

  it('learns multilabel targets (one logistic output per label)', async () => {
    const { X } = blobs(400, 4, 2, 9);
    const Y = Array.from({ length: 400 }, (_, i) => [X.data[4 * i] > 0.6 ? 1 : 0, X.data[4 * i + 1] + X.data[4 * i + 2] > 1 ? 1 : 0]);
    const model = await new MLPClassifier({ hiddenLayerSizes: [32], learningRateInit: 0.01, maxIter: 300 }).fit(X, Y);
    expect(model.classes).toEqual([0, 1]);
    const predicted = (await model.predict(X)) as Matrix;
    expect([predicted.rows, predicted.cols]).toEqual([400, 2]);
    expect(await model.score(X, Y)).toBeGreaterThan(0.9);
  });
});

describe('determinism and persistence', () => {
  it('seeded training is bit-identical on 1 and 2 threads (float32 and float64)', async () => {
    // 256 hidden units and 256-row batches: the products are large enough to be split across threads.
    const { X, y } = blobs(2048, 128, 4, 11);
    for (const dtype of ['float32', 'float64'] as const) {
      const fit = (threads: number) => new MLPClassifier({ hiddenLayerSizes: [256], batchSize: 256, maxIter: 3, randomState: 42, dtype }).fit(X, y, { threads });
      const [one, two] = [await fit(1), await fit(2)];
      expect(one.lossCurve).toEqual(two.lossCurve);
      one.coefs.forEach((c, l) => expect(sameBytes(c.data, two.coefs[l].data)).toBe(true));
      one.intercepts.forEach((b, l) => expect(sameBytes(b, two.intercepts[l])).toBe(true));
      expect(sameBytes((await one.predictProba(X, { threads: 1 })).data, (await two.predictProba(X, { threads: 2 })).data)).toBe(true);
    }
    // A different seed gives a different model.
    const other = await new MLPClassifier({ hiddenLayerSizes: [256], batchSize: 256, maxIter: 1, randomState: 43 }).fit(X, y);
    const base = await new MLPClassifier({ hiddenLayerSizes: [256], batchSize: 256, maxIter: 1, randomState: 42 }).fit(X, y);
    expect(sameBytes(other.coefs[0].data, base.coefs[0].data)).toBe(false);
  });

  it('round-trips through JSON with identical predictions', async () => {
    const { X, y } = blobs(300, 5, 3, 4);
    const model = await new MLPClassifier({ hiddenLayerSizes: [10, 7], maxIter: 20 }).fit(X, y);
    const loaded = MLPClassifier.fromJSON(JSON.parse(JSON.stringify(model)));
    expect(sameBytes((await loaded.predictProba(X)).data, (await model.predictProba(X)).data)).toBe(true);
    expect(loaded.lossCurve).toEqual(model.lossCurve);
    expect([loaded.nIter, loaded.t, loaded.classes]).toEqual([model.nIter, model.t, model.classes]);
    const reg = await new MLPRegressor({ hiddenLayerSizes: [8], maxIter: 20, dtype: 'float64' }).fit(X, Array.from(y, (v) => v * 0.5));
    const regLoaded = MLPRegressor.fromJSON(JSON.parse(JSON.stringify(reg)));
    expect(sameBytes((await regLoaded.predict(X)) as Float64Array, (await reg.predict(X)) as Float64Array)).toBe(true);
  });

  it('predicts float64 input with a float32 model as it predicts the same values in float32', async () => {
    const { X, y } = blobs(300, 5, 3, 4);
    const model = await new MLPClassifier({ hiddenLayerSizes: [10], maxIter: 5 }).fit(X, y);
    const X64 = { data: Float64Array.from(X.data), rows: X.rows, cols: X.cols };
    expect(sameBytes((await model.predictProba(X64)).data, (await model.predictProba(X)).data)).toBe(true);
  });
});

describe('stopping rules, warm start, partialFit', () => {
  it('early stopping holds out validationFraction, stops, and keeps the best weights', async () => {
    const { X, y } = blobs(1000, 8, 2, 21);
    const model = await new MLPClassifier({ hiddenLayerSizes: [16], earlyStopping: true, nIterNoChange: 3, maxIter: 500, learningRateInit: 0.01 }).fit(X, y);
    const scores = model.validationScores as number[];
    expect(model.nIter).toBeLessThan(500);
    expect(scores.length).toBe(model.nIter);
    expect(model.bestValidationScore).toBe(Math.max(...scores));
    expect(model.bestLoss).toBeNull();
    // Stopped after nIterNoChange + 1 epochs without an improvement by tol over the best.
    const best = scores.indexOf(Math.max(...scores));
    expect(scores.length - 1 - best).toBeGreaterThanOrEqual(4);
  });

  it('stops on the training loss when it stops improving by tol', async () => {
    const { X, y } = blobs(300, 4, 2, 2);
    const model = await new MLPClassifier({ hiddenLayerSizes: [8], tol: 0.5, nIterNoChange: 2, maxIter: 100 }).fit(X, y);
    // Epoch 1 sets the best loss; epochs 2, 3 and 4 miss it by tol: 3 > nIterNoChange stops.
    expect(model.nIter).toBe(4);
    expect(model.validationScores).toBeNull();
  });

  it('warmStart continues from the fitted weights and counters', async () => {
    const { X, y } = blobs(400, 6, 3, 8);
    const model = new MLPClassifier({ hiddenLayerSizes: [12], maxIter: 4, warmStart: true, tol: 0 });
    await model.fit(X, y);
    const first = model.lossCurve;
    await model.fit(X, y);
    expect(model.nIter).toBe(8);
    expect(model.lossCurve.slice(0, 4)).toEqual(first);
    expect(model.lossCurve[7]).toBeLessThan(first[3]);
  });

  it('partialFit needs the classes first, then runs one epoch per call', async () => {
    const { X, y } = blobs(600, 6, 3, 13);
    const model = new MLPClassifier({ hiddenLayerSizes: [16], learningRateInit: 0.01 });
    expect(await rejection(model.partialFit(X, y))).toBeInstanceOf(TypeError);
    const half = { data: X.data.subarray(0, 300 * 6), rows: 300, cols: 6 };
    await model.partialFit(half, y.subarray(0, 300).map((v) => (v === 2 ? 1 : v)), { classes: [0, 1, 2] });
    expect(model.classes).toEqual([0, 1, 2]);
    for (let epoch = 1; epoch < 30; epoch++) await model.partialFit(X, y);
    expect(model.nIter).toBe(30);
    expect(model.t).toBe(300 + 29 * 600);
    expect(await model.score(X, y)).toBeGreaterThan(0.85);
    const error = await rejection(model.partialFit(X, Array.from(y, (v) => (v === 0 ? 7 : v))));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toMatch(/Expected one of the model's classes \(0, 1, 2\) for y\[\d+\] but received 7/);
  });
});

describe('abort and progress', () => {
  it('reports progress at epoch ends, in order, ending at 1', async () => {
    const { X, y } = blobs(4000, 32, 2, 1);
    const seen: number[] = [];
    await new MLPClassifier({ hiddenLayerSizes: [64], maxIter: 8, tol: 0, batchSize: 32 }).fit(X, y, { onProgress: (p) => seen.push(p) });
    // Reports still queued when the fit settles are dropped, so not every epoch need arrive.
    expect(seen[seen.length - 1]).toBe(1);
    for (let i = 0; i < seen.length; i++) {
      expect(Number.isInteger(seen[i] * 8)).toBe(true);
      if (i > 0) expect(seen[i]).toBeGreaterThan(seen[i - 1]);
    }
    expect(seen.length).toBeGreaterThan(1);
  });

  it('aborts between batches with an AbortError and leaves the model as it was', async () => {
    const { X, y } = blobs(20_000, 64, 3, 17);
    const model = await new MLPClassifier({ hiddenLayerSizes: [8], maxIter: 1 }).fit(X, y);
    const before = Float32Array.from(model.coefs[0].data);
    const controller = new AbortController();
    const slow = new MLPClassifier({ hiddenLayerSizes: [512, 512], maxIter: 200, batchSize: 16, tol: 0, warmStart: true });
    const started = performance.now();
    setTimeout(() => controller.abort(), 100);
    const error = await rejection(slow.fit(X, y, { signal: controller.signal }));
    expect(error).toBeInstanceOf(AbortError);
    expect(performance.now() - started).toBeLessThan(1500);
    const aborted = new AbortController();
    aborted.abort();
    expect(await rejection(model.fit(X, y, { signal: aborted.signal }))).toBeInstanceOf(AbortError);
    expect(model.coefs[0].data).toEqual(before);
  });
});
