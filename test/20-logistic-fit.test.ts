// LogisticRegression: the objective and its gradient, optima with known answers, scikit-learn's
// coefficients, penalties, weights and float32.
import { describe, expect, it } from 'vitest';
import { LogisticRegression, type LogisticRegressionOptions, type Matrix } from 'threadml';
import { mulberry32 } from './helpers';

/** The small problem whose scikit-learn 1.2.1 solutions are pasted below: X[i][j] = sin(1.3 i + 0.7 j^2 + j) + 0.5 [j = i mod 3]. */
function sinusProblem(): { X: Matrix<Float64Array>; y: Int32Array; yBinary: Int32Array } {
  const n = 60;
  const d = 3;
  const X = new Float64Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let j = 0; j < d; j++) X[i * d + j] = Math.sin(1.3 * i + 0.7 * j * j + j) + (j === i % 3 ? 0.5 : 0);
  }
  return { X: { data: X, rows: n, cols: d }, y, yBinary: y.map((v) => (v === 0 ? 1 : 0)) };
}

/** Gaussian blobs: class k shifted by `shift` along features j = k (mod classes), j < informative; seeded. */
function blobs(n: number, d: number, classes: number, seed: number, shift = 1.5, informative = d): { X: Matrix<Float64Array>; y: Int32Array } {
  const rand = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const X = new Float64Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = Math.floor(rand() * classes);
    for (let j = 0; j < d; j++) X[i * d + j] = normal() + (j < informative && j % classes === y[i] ? shift : 0);
  }
  return { X: { data: X, rows: n, cols: d }, y };
}

function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  for (let i = 0; i < expected.length; i++)
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) expect.fail(`${label}[${i}]: ${actual[i]} is not within ${tol} of ${expected[i]}`);
}

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** A fitted model moved to other coefficients, through toJSON / fromJSON. */
function withCoefficients(model: LogisticRegression, coef: ArrayLike<number>, intercept: ArrayLike<number>): LogisticRegression {
  return LogisticRegression.fromJSON({ ...model.toJSON(), coef: Array.from(coef), intercept: Array.from(intercept) });
}

describe('the objective and its gradient', () => {
  const cases: [string, LogisticRegressionOptions, 'multi' | 'binary'][] = [
    ['multinomial l2', { C: 0.7 }, 'multi'],
    ['binary l2', { C: 2 }, 'binary'],
    ['one-vs-rest, balanced class weights', { multiClass: 'ovr', classWeight: 'balanced' }, 'multi'],
    ['two-class multinomial', { multiClass: 'multinomial' }, 'binary'],
    ['no penalty, no intercept', { penalty: 'none', fitIntercept: false }, 'multi'],
    ['elastic net away from zero', { solver: 'saga', penalty: 'elasticnet', l1Ratio: 0.3, C: 2 }, 'multi'],
  ];
  for (const [name, options, kind] of cases) {
    it(`matches central finite differences: ${name}`, async () => {
      const { X, y, yBinary } = sinusProblem();
      const labels = kind === 'multi' ? y : yBinary;
      const sampleWeight = Float64Array.from({ length: X.rows }, (_, i) => 0.5 + (i % 4) * 0.25);
      const fitted = await new LogisticRegression({ ...options, maxIter: 3 }).fit(X, labels, { sampleWeight });
      // A point with every coefficient away from zero, where the l1 term is differentiable.
      const coef = Float64Array.from(fitted.coef.data, (_, i) => 0.3 + 0.1 * Math.sin(i + 1));
      const intercept = Float64Array.from(fitted.intercept, (_, i) => (options.fitIntercept === false ? 0 : 0.2 - 0.1 * i));
      const model = withCoefficients(fitted, coef, intercept);
      const at = await model.objective(X, labels, { sampleWeight });
      const h = 1e-6;
      const params = [...coef, ...(options.fitIntercept === false ? [] : intercept)];
      const analytic = [...at.coefGradient.data, ...(options.fitIntercept === false ? [] : at.interceptGradient)];
      for (let p = 0; p < params.length; p++) {
        const shifted = (delta: number) => {
          const c = Float64Array.from(coef);
          const b = Float64Array.from(intercept);
          if (p < c.length) c[p] += delta;
          else b[p - c.length] += delta;
          return withCoefficients(fitted, c, b).objective(X, labels, { sampleWeight });
        };
        const numeric = ((await shifted(h)).value - (await shifted(-h)).value) / (2 * h);
        expect(Math.abs(numeric - analytic[p]), `parameter ${p}: ${numeric} vs ${analytic[p]}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
      }
    });
  }

  it('is below tol at the optimum (max |gradient|, the lbfgs stopping rule)', async () => {
    for (const [n, classes, options] of [
      [2000, 4, {}],
      [50_000, 2, { classWeight: 'balanced' }],
      [5000, 3, { multiClass: 'ovr', C: 10 }],
    ] as [number, number, LogisticRegressionOptions][]) {
      const { X, y } = blobs(n, 8, classes, 11);
      for (const tol of [1e-4, 1e-8]) {
        const model = await new LogisticRegression({ ...options, tol, maxIter: 1000 }).fit(X, y);
        expect(model.converged).toBe(true);
        const { coefGradient, interceptGradient } = await model.objective(X, y);
        expect(Math.max(maxAbs(coefGradient.data), maxAbs(interceptGradient))).toBeLessThanOrEqual(classes > 2 && options.multiClass === 'ovr' ? classes * tol : tol);
      }
    }
  });
});

describe('known answers', () => {
  it('non-separable, one binary feature, no penalty: intercept and coefficient are log-odds', async () => {
    // x = 0: 3 of 10 positive; x = 1: 8 of 10 positive. The MLE is b = logit(0.3), w = logit(0.8) - logit(0.3).
    const x = new Float64Array(20);
    const y = new Int32Array(20);
    for (let i = 0; i < 20; i++) {
      x[i] = i < 10 ? 0 : 1;
      y[i] = i < 10 ? Number(i < 3) : Number(i < 18);
    }
    const logit = (p: number) => Math.log(p / (1 - p));
    const model = await new LogisticRegression({ penalty: 'none', tol: 1e-10, maxIter: 1000 }).fit({ data: x, rows: 20, cols: 1 }, y);
    expect(model.intercept[0]).toBeCloseTo(logit(0.3), 5);
    expect(model.coef.data[0]).toBeCloseTo(logit(0.8) - logit(0.3), 5);
    const proba = await model.predictProba({ data: new Float64Array([0, 1]), rows: 2, cols: 1 });
    expectAllClose(proba.data, [0.7, 0.3, 0.2, 0.8], 1e-6, 'probabilities');
  });

  it('multinomial with uninformative features: the intercepts are centred log-frequencies', async () => {
    const counts = [5, 15, 30];
    const y = Int32Array.from(counts.flatMap((c, k) => Array<number>(c).fill(k)));
    const X = { data: new Float64Array(y.length * 2), rows: y.length, cols: 2 };
    const model = await new LogisticRegression({ tol: 1e-10 }).fit(X, y);
    const logs = counts.map((c) => Math.log(c));
    const mean = logs.reduce((a, b) => a + b) / logs.length;
    expectAllClose(model.intercept, logs.map((l) => l - mean), 1e-7, 'intercept');
    expectAllClose(model.coef.data, new Float64Array(6), 0, 'coef');
  });

  it('separable and symmetric, l2 without intercept: w solves w (1 + e^w) = 2C', async () => {
    // X = [[-1], [1]], y = [0, 1]: the objective C * 2 log(1 + e^-w) + w^2 / 2 is minimal where w (1 + e^w) = 2C.
    for (const C of [0.5, 1, 10]) {
      let lo = 0;
      let hi = 10;
      for (let i = 0; i < 200; i++) {
        const mid = (lo + hi) / 2;
        if (mid * (1 + Math.exp(mid)) < 2 * C) lo = mid;
        else hi = mid;
      }
      const model = await new LogisticRegression({ C, fitIntercept: false, tol: 1e-12 }).fit(
        { data: new Float64Array([-1, 1]), rows: 2, cols: 1 },
        new Int32Array([0, 1]),
      );
      expect(model.coef.data[0]).toBeCloseTo(lo, 9);
    }
  });

  it('separable without a penalty: every row is classified right and the weights stay finite', async () => {
    const { X, y } = blobs(200, 2, 2, 3, 8);
    const model = await new LogisticRegression({ penalty: 'none', maxIter: 50 }).fit(X, y);
    expect(await model.score(X, y)).toBe(1);
    for (const v of model.coef.data) expect(Number.isFinite(v)).toBe(true);
  });

  it("reproduces scikit-learn 1.2.1's optimum (its newton-cg at tol 1e-14)", async () => {
    const { X, y, yBinary } = sinusProblem();
    const multi = await new LogisticRegression({ C: 1, tol: 1e-12, maxIter: 1000 }).fit(X, y);
    expectAllClose(
      multi.coef.data,
      [0.31332153041402977, -1.9864971158703049, -2.046963008322108, -0.12260159228564799, 1.2667893793076208, 0.7888220803011913,
        -0.19071993812838123, 0.7197077365626838, 1.258140928020917],
      1e-7,
      'multinomial coef',
    );
    expectAllClose(multi.intercept, [0.583073015035344, -0.30493751476758785, -0.2781355002677563], 1e-7, 'multinomial intercept');
    const binary = await new LogisticRegression({ C: 0.5, tol: 1e-12, maxIter: 1000 }).fit(X, yBinary);
    expectAllClose(binary.coef.data, [0.5286261297267282, -1.2540830392704854, -1.3478777541045883], 1e-7, 'binary coef');
    expectAllClose(binary.intercept, [-0.41049274112782813], 1e-7, 'binary intercept');
    // saga minimises the same objective (to its own tolerance).
    const net = await new LogisticRegression({ solver: 'saga', penalty: 'elasticnet', l1Ratio: 0.5, C: 0.3, tol: 1e-10, maxIter: 10000 }).fit(X, y);
    expectAllClose(
      net.coef.data,
      [0.3770577126995103, -0.6419071315771386, -0.7202259374145406, 0, 0.42526911124136435, 0, 0, 0, 0.44208398575887503],
      1e-6,
      'elastic-net coef',
    );
    expectAllClose(net.intercept, [0.16756120323021995, -0.08612443023791568, -0.08143677299230473], 1e-6, 'elastic-net intercept');
  });
});

describe('penalties and weights', () => {
  it('l1 gives exact zeros (and scikit-learn\'s solution)', async () => {
    const { X, yBinary } = sinusProblem();
    const model = await new LogisticRegression({ solver: 'saga', penalty: 'l1', C: 0.3, tol: 1e-10, maxIter: 10000 }).fit(X, yBinary);
    expect(model.coef.data[1]).toBe(0);
    expectAllClose(model.coef.data, [0.3373429836556596, 0, -0.07252999459303584], 1e-6, 'coef');
    expectAllClose(model.intercept, [-0.7546848492262437], 1e-6, 'intercept');
    // Two informative features among twenty: l1 zeroes most of the noise.
    const { X: wide, y } = blobs(500, 20, 2, 5, 1.5, 2);
    const sparse = await new LogisticRegression({ solver: 'saga', penalty: 'l1', C: 0.01, maxIter: 500 }).fit(wide, y);
    const zeros = sparse.coef.data.filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThanOrEqual(15);
    expect(zeros).toBeLessThan(20);
  });

  it('smaller C shrinks the coefficients', async () => {
    const { X, y } = blobs(400, 4, 3, 9);
    const norm = async (C: number) => maxAbs((await new LogisticRegression({ C }).fit(X, y)).coef.data);
    expect(await norm(0.01)).toBeLessThan(await norm(1));
  });

  it('class weights move the boundary towards the lighter class', async () => {
    const { X, y } = blobs(1000, 2, 2, 21);
    const share = async (classWeight: Record<string, number> | 'balanced' | null, data = X, labels = y) => {
      const model = await new LogisticRegression({ classWeight }).fit(data, labels);
      const predicted = (await model.predict(data)) as Float64Array;
      return predicted.filter((v) => v === 1).length / predicted.length;
    };
    const plain = await share(null);
    expect(await share({ 1: 5 })).toBeGreaterThan(plain + 0.05);
    expect(await share({ 0: 5 })).toBeLessThan(plain - 0.05);
    // Balanced weights on an imbalanced sample predict the minority class more often than plain weights.
    const keep = Array.from(y.keys()).filter((i) => y[i] === 0 || i % 5 === 0);
    const Xi = { data: Float64Array.from(keep.flatMap((i) => [X.data[2 * i], X.data[2 * i + 1]])), rows: keep.length, cols: 2 };
    const yi = Int32Array.from(keep, (i) => y[i]);
    expect(await share('balanced', Xi, yi)).toBeGreaterThan(await share(null, Xi, yi));
  });

  it('sample weights act as repeated rows', async () => {
    const { X, y } = blobs(300, 3, 3, 4);
    const sampleWeight = Float64Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? 2 : 1));
    const weighted = await new LogisticRegression({ tol: 1e-10, maxIter: 1000 }).fit(X, y, { sampleWeight });
    const rows = Array.from({ length: 300 }, (_, i) => i).flatMap((i) => (i % 3 === 0 ? [i, i] : [i]));
    const Xr = { data: Float64Array.from(rows.flatMap((i) => Array.from(X.data.subarray(3 * i, 3 * i + 3)))), rows: rows.length, cols: 3 };
    const repeated = await new LogisticRegression({ tol: 1e-10, maxIter: 1000 }).fit(Xr, Int32Array.from(rows, (i) => y[i]));
    expectAllClose(weighted.coef.data, repeated.coef.data, 1e-6, 'coef');
  });
});

describe('float32 and predictions', () => {
  it('float32 and float64 fits agree, and float32 stays float32', async () => {
    const { X, y } = blobs(3000, 10, 3, 8);
    const X32 = { data: Float32Array.from(X.data), rows: X.rows, cols: X.cols };
    const m64 = await new LogisticRegression({ tol: 1e-6, maxIter: 500 }).fit(X, y);
    const m32 = await new LogisticRegression({ tol: 1e-6, maxIter: 500 }).fit(X32, y);
    expect(m32.coef.data).toBeInstanceOf(Float32Array);
    expect(m32.intercept).toBeInstanceOf(Float32Array);
    expect(m64.coef.data).toBeInstanceOf(Float64Array);
    expectAllClose(m32.coef.data, m64.coef.data, 2e-3 * maxAbs(m64.coef.data), 'coef');
    const p32 = await m32.predictProba(X32);
    expect(p32.data).toBeInstanceOf(Float32Array);
    const p64 = await m64.predictProba(X);
    expectAllClose(p32.data, p64.data, 1e-3, 'probabilities');
    // A float64 model predicts float32 input in float32, and the reverse.
    expect((await m64.decisionFunction(X32)).data).toBeInstanceOf(Float32Array);
    expect((await m32.decisionFunction(X)).data).toBeInstanceOf(Float64Array);
  });

  for (const [name, options, classes] of [
    ['binary', {}, 2],
    ['two-class multinomial', { multiClass: 'multinomial' }, 2],
    ['multinomial', {}, 4],
    ['one-vs-rest', { multiClass: 'ovr' }, 4],
  ] as [string, LogisticRegressionOptions, number][]) {
    it(`predict, predictProba, predictLogProba and decisionFunction agree: ${name}`, async () => {
      const { X, y } = blobs(500, 5, classes, 13);
      const model = await new LogisticRegression(options).fit(X, y);
      const [decision, proba, logProba, predicted] = await Promise.all([
        model.decisionFunction(X),
        model.predictProba(X),
        model.predictLogProba(X),
        model.predict(X) as Promise<Float64Array>,
      ]);
      expect(decision.cols).toBe(classes === 2 ? 1 : classes);
      expect([proba.rows, proba.cols, logProba.cols]).toEqual([500, classes, classes]);
      for (let i = 0; i < 500; i++) {
        const row = proba.data.subarray(i * classes, (i + 1) * classes);
        expect(row.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
        for (let k = 0; k < classes; k++) expect(logProba.data[i * classes + k]).toBeCloseTo(Math.log(row[k]), 10);
        let best = 0;
        for (let k = 1; k < classes; k++) if (row[k] > row[best]) best = k;
        expect(predicted[i]).toBe(best);
        // Hand-computed scores.
        for (let r = 0; r < decision.cols; r++) {
          let s = model.intercept[r];
          for (let j = 0; j < 5; j++) s += X.data[i * 5 + j] * model.coef.data[r * 5 + j];
          expect(decision.data[i * decision.cols + r]).toBeCloseTo(s, 12);
        }
      }
      expect(await model.score(X, y)).toBeGreaterThan(0.7);
    });
  }

  it('keeps log-probabilities of confident rows (no log(0))', async () => {
    const model = await new LogisticRegression().fit({ data: new Float64Array([-1, 1]), rows: 2, cols: 1 }, [0, 1]);
    const logProba = await model.predictLogProba({ data: new Float64Array([-1e3, 1e3]), rows: 2, cols: 1 });
    for (const v of logProba.data) expect(Number.isFinite(v)).toBe(true);
    expect(logProba.data[0]).toBeCloseTo(0, 12);
    expect(logProba.data[1]).toBeLessThan(-100);
  });
});
