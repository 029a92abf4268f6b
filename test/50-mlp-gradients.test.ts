// MLP layers and losses against independent references, in float64: every gradient against central
// finite differences of the loss, and inference against a plain JS forward pass.
//
// The gradient is read through the public API: one partialFit epoch of plain SGD (momentum 0, learning
// rate 1, one batch of all rows, no shuffle) moves the weights by exactly minus the gradient, and its
// lossCurve[0] is the loss at the starting weights.
import { describe, expect, it } from 'vitest';
import { MLPClassifier, MLPRegressor, type MLPActivation, type MLPClassifierJSON, type MLPRegressorJSON } from 'threadml';
import { mulberry32 } from './helpers';

const sgdStep = { solver: 'sgd', momentum: 0, learningRateInit: 1, shuffle: false, batchSize: 1000, dtype: 'float64' } as const;

interface Case {
  label: string;
  /** y for the classifier (labels or an indicator matrix) or the regressor (values or a matrix). */
  y: number[] | number[][];
  outputs: number;
  outActivation: 'identity' | 'logistic' | 'softmax';
  classes?: number[];
}

const rows = 7;
const widths = [3, 4, 3];
const rand = mulberry32(7);
const X = Array.from({ length: rows }, () => Array.from({ length: widths[0] }, () => 2 * rand() - 1));

const cases: Case[] = [
  { label: 'softmax cross-entropy', y: [0, 1, 2, 1, 0, 2, 2], outputs: 3, outActivation: 'softmax', classes: [0, 1, 2] },
  { label: 'binary cross-entropy (two classes)', y: [0, 1, 1, 0, 1, 0, 0], outputs: 1, outActivation: 'logistic', classes: [0, 1] },
  { label: 'binary cross-entropy (multilabel)', y: [[1, 0], [0, 1], [1, 1], [0, 0], [1, 0], [0, 1], [1, 1]], outputs: 2, outActivation: 'logistic' },
  { label: 'squared error', y: [0.3, -1.2, 0.8, 2.0, -0.5, 0.1, 1.1], outputs: 1, outActivation: 'identity' },
];

function paramCount(w: number[]): number {
  let n = 0;
  for (let l = 0; l + 1 < w.length; l++) n += (w[l] + 1) * w[l + 1];
  return n;
}

/** The saved form of an untrained network with the given weights, as toJSON writes it. */
function savedState(options: object, dtype: 'float32' | 'float64', all: number[], outActivation: string, params: number[]) {
  return {
    version: 1,
    options: { hiddenLayerSizes: all.slice(1, -1), ...sgdStep, ...options, dtype },
    dtype,
    widths: all,
    outActivation,
    params,
    nIter: 0,
    samplesSeen: 0,
    lossCurve: [],
    bestLoss: null,
    validationScores: [],
    bestValidationScore: null,
    noImprovement: 0,
  };
}

/** A model of the given weights, as fromJSON loads it. */
function model(c: Case, activation: MLPActivation, params: number[], alpha: number): MLPClassifier | MLPRegressor {
  const common = savedState({ activation, alpha }, 'float64', [...widths, c.outputs], c.outActivation, params);
  if (c.outActivation === 'identity') return MLPRegressor.fromJSON({ ...common, format: 'threadml.MLPRegressor', matrixTargets: false } as unknown as MLPRegressorJSON);
  const classes = c.classes ?? Array.from({ length: c.outputs }, (_, i) => i);
  return MLPClassifier.fromJSON({ ...common, format: 'threadml.MLPClassifier', classes, multilabel: c.classes === undefined } as unknown as MLPClassifierJSON);
}

/** The loss at `params` and the gradient there (from one SGD step). */
async function lossAndGradient(c: Case, activation: MLPActivation, params: number[], alpha: number): Promise<{ loss: number; gradient: number[] }> {
  const m = model(c, activation, params, alpha);
  await (m as MLPClassifier).partialFit(X, c.y as number[]);
  const after = m.coefs.flatMap((coef, l) => [...coef.data, ...m.intercepts[l]]);
  return { loss: m.lossCurve[0], gradient: params.map((p, i) => p - after[i]) };
}

describe('gradients of every layer and loss against central finite differences (float64)', () => {
  const activations: MLPActivation[] = ['identity', 'relu', 'tanh', 'logistic'];
  for (const c of cases)
    for (const activation of activations)
      it(`${c.label}, ${activation} hidden layers, alpha 0.01`, async () => {
        const start = Array.from({ length: paramCount([...widths, c.outputs]) }, () => rand() - 0.5);
        const alpha = 0.01;
        const { gradient } = await lossAndGradient(c, activation, start, alpha);
        const h = 1e-6;
        let worst = 0;
        for (let i = 0; i < start.length; i++) {
          const up = [...start];
          const down = [...start];
          up[i] += h;
          down[i] -= h;
          const fd = ((await lossAndGradient(c, activation, up, alpha)).loss - (await lossAndGradient(c, activation, down, alpha)).loss) / (2 * h);
          worst = Math.max(worst, Math.abs(fd - gradient[i]) / Math.max(1e-3, Math.abs(fd)));
        }
        expect(worst).toBeLessThan(1e-5);
      });

  it('squared error over several outputs: the gradient is outputs x the loss derivative, as scikit-learn computes it', async () => {
    // scikit-learn's squared loss averages over the outputs too, its gradient (y_pred - y) does not.
    const c: Case = { label: 'two outputs', y: X.map((r) => [r[0] + r[1], r[2]]), outputs: 2, outActivation: 'identity' };
    const start = Array.from({ length: paramCount([...widths, 2]) }, () => rand() - 0.5);
    const { gradient } = await lossAndGradient(c, 'tanh', start, 0);
    const h = 1e-6;
    for (const i of [0, 5, start.length - 1]) {
      const up = [...start];
      const down = [...start];
      up[i] += h;
      down[i] -= h;
      const fd = ((await lossAndGradient(c, 'tanh', up, 0)).loss - (await lossAndGradient(c, 'tanh', down, 0)).loss) / (2 * h);
      expect(Math.abs(2 * fd - gradient[i])).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
    }
  });
});

describe('inference against a plain JS forward pass', () => {
  const act: Record<MLPActivation, (v: number) => number> = {
    identity: (v) => v,
    relu: (v) => Math.max(v, 0),
    tanh: Math.tanh,
    logistic: (v) => 1 / (1 + Math.exp(-v)),
  };

  for (const activation of ['relu', 'tanh', 'logistic', 'identity'] as MLPActivation[])
    it(`softmax output after ${activation} layers, float64 and float32 weights`, async () => {
      const c = cases[0];
      const params = Array.from({ length: paramCount([...widths, 3]) }, () => 2 * rand() - 1);
      const m = model(c, activation, params, 0) as MLPClassifier;
      const proba = await m.predictProba(X);
      let a = X.map((r) => [...r]);
      const all = [...widths, 3];
      for (let l = 0, at = 0; l + 1 < all.length; l++) {
        const [n, k] = [all[l], all[l + 1]];
        a = a.map((row) =>
          Array.from({ length: k }, (_, j) => {
            let z = params[at + n * k + j];
            for (let i = 0; i < n; i++) z += row[i] * params[at + i * k + j];
            return l + 2 === all.length ? z : act[activation](z);
          }),
        );
        at += (n + 1) * k;
      }
      const expected = a.flatMap((z) => {
        const top = Math.max(...z);
        const e = z.map((v) => Math.exp(v - top));
        const s = e.reduce((x, y) => x + y, 0);
        return e.map((v) => v / s);
      });
      expect(proba.data).toBeInstanceOf(Float64Array);
      proba.data.forEach((p, i) => expect(Math.abs(p - expected[i])).toBeLessThan(1e-14));
      // Float32 weights: the same model rounded, within float32 accuracy.
      const json = { ...m.toJSON(), dtype: 'float32' as const, options: { ...m.toJSON().options, dtype: 'float32' as const } };
      const p32 = await MLPClassifier.fromJSON(json).predictProba(X);
      expect(p32.data).toBeInstanceOf(Float32Array);
      p32.data.forEach((p, i) => expect(Math.abs(p - expected[i])).toBeLessThan(1e-5));
    });
});

describe('float32 training products against float64', () => {
  // Shapes with partial tiles everywhere: 300 inputs (two depth blocks), 45 hidden units (a full and a
  // partial 32-column panel), 3 outputs, 301 rows (not a multiple of 12, and over 256 for the
  // transposed product's depth).
  const [n, d, h, k] = [301, 300, 45, 3];
  const r = mulberry32(99);
  const Xbig = { data: Float64Array.from({ length: n * d }, () => r() - 0.5), rows: n, cols: d };
  const ybig = Array.from({ length: n }, (_, i) => i % k);
  const params = Array.from({ length: (d + 1) * h + (h + 1) * k }, () => (r() - 0.5) * 0.2);

  const saved = (dtype: 'float32' | 'float64') =>
    ({ format: 'threadml.MLPClassifier', ...savedState({ activation: 'tanh', alpha: 0 }, dtype, [d, h, k], 'softmax', params), classes: [0, 1, 2], multilabel: false }) as unknown as MLPClassifierJSON;

  it('gives the same probabilities and gradients within float32 rounding', async () => {
    const [m32, m64] = [MLPClassifier.fromJSON(saved('float32')), MLPClassifier.fromJSON(saved('float64'))];
    const X32 = { data: Float32Array.from(Xbig.data), rows: n, cols: d };
    const [p32, p64] = [await m32.predictProba(X32), await m64.predictProba(Xbig)];
    p32.data.forEach((p, i) => expect(Math.abs(p - p64.data[i])).toBeLessThan(1e-5));
    const start32 = Float32Array.from(params);
    await m32.partialFit(X32, ybig);
    await m64.partialFit(Xbig, ybig);
    const g32 = m32.coefs.flatMap((c, l) => [...c.data, ...m32.intercepts[l]]).map((v, i) => start32[i] - v);
    const g64 = m64.coefs.flatMap((c, l) => [...c.data, ...m64.intercepts[l]]).map((v, i) => params[i] - v);
    const scale = Math.max(...g64.map(Math.abs));
    g64.forEach((g, i) => expect(Math.abs(g32[i] - g) / scale).toBeLessThan(1e-4));
  });
});
