// Histogram gradient boosting: one round against hand-computed leaf values -G / (H + lambda), stumps,
// monotone training loss, early stopping, NaN routing, multiclass, thread-count determinism, saved
// models (and corrupted ones), bad input.
import { describe, expect, it } from 'vitest';
import { HistGradientBoostingClassifier, HistGradientBoostingRegressor } from 'threadml';
import { makeClassification } from '../bench/data';
import { mulberry32 } from './helpers';

const numbers = (p: Float64Array | string[]): number[] => Array.from(p as Float64Array);
const one = { maxIter: 1, learningRate: 1, minSamplesLeaf: 1, earlyStopping: false } as const;

/** rows x cols uniform values and a noisy smooth target. */
function regression(rows: number, cols: number, seed: number): { X: { data: Float64Array; rows: number; cols: number }; y: Float64Array } {
  const rand = mulberry32(seed);
  const data = Float64Array.from({ length: rows * cols }, rand);
  const y = Float64Array.from({ length: rows }, (_, i) => Math.sin(6 * data[i * cols]) + 2 * data[i * cols + 1] ** 2 + 0.3 * rand());
  return { X: { data, rows, cols }, y };
}

describe('one round against hand-computed leaf values', () => {
  it('squared error: baseline mean, leaves -G / (H + lambda)', async () => {
    // baseline 0.5; gradients f - y = [0.5, 0.5, -0.5, -0.5], hessians 1; lambda 1:
    // left -1 / (2 + 1), right 1 / (2 + 1).
    const m = await new HistGradientBoostingRegressor({ ...one, l2Regularization: 1 }).fit([[0], [1], [2], [3]], [0, 0, 1, 1]);
    const p = await m.predict([[0], [1], [2], [3]]);
    [0.5 - 1 / 3, 0.5 - 1 / 3, 0.5 + 1 / 3, 0.5 + 1 / 3].forEach((v, i) => expect(p[i]).toBeCloseTo(v, 14));
    expect(m.nIter).toBe(1);
  });

  it('log-loss: baseline log-odds 0, gradients p - y, hessians p(1 - p), scaled by the learning rate', async () => {
    // p = 0.5: G_left = 1, H_left = 0.5, value -2; learning rate 0.1 gives -0.2.
    const m = await new HistGradientBoostingClassifier({ ...one, learningRate: 0.1 }).fit([[0], [1], [2], [3]], [0, 0, 1, 1]);
    const d = await m.decisionFunction([[0], [1], [2], [3]]);
    expect(d.cols).toBe(1);
    [-0.2, -0.2, 0.2, 0.2].forEach((v, i) => expect(d.data[i]).toBeCloseTo(v, 14));
    const p = await m.predictProba([[0]]);
    expect(p.data[1]).toBeCloseTo(1 / (1 + Math.exp(0.2)), 14);
    expect(numbers(await m.predict([[0], [3]]))).toEqual([0, 1]);
  });

  it('softmax: baseline log priors, hessians K / (K - 1) p (1 - p)', async () => {
    // 3 classes, p = 1/3 everywhere: class 0's gradients p - y are -2/3 on its rows and 1/3 elsewhere,
    // hessians 3/2 * 1/3 * 2/3 = 1/3. Its stump x <= 0.5 (gain 8/3 + 4/3 beats 1/3 + 2/3) has leaves
    // -(-4/3) / (2/3) = 2 and -(4/3) / (4/3) = -1; class 2's mirror image splits at x <= 1.5.
    const m = await new HistGradientBoostingClassifier({ ...one, maxLeafNodes: 2 }).fit([[0], [0], [1], [1], [2], [2]], [0, 0, 1, 1, 2, 2]);
    const d = await m.decisionFunction([[0], [2]]);
    expect(d.cols).toBe(3);
    const base = Math.log(1 / 3);
    expect(d.data[0]).toBeCloseTo(base + 2, 14);
    expect(d.data[2]).toBeCloseTo(base - 1, 14);
    expect(d.data[3]).toBeCloseTo(base - 1, 14);
    expect(d.data[5]).toBeCloseTo(base + 2, 14);
  });

  it('a depth-1 stump finds the best threshold', async () => {
    const X = Array.from({ length: 10 }, (_, i) => [i, (i * 7) % 10]);
    const y = X.map(([x]) => (x <= 6 ? 0 : 10));
    const m = await new HistGradientBoostingRegressor({ ...one, maxLeafNodes: 2 }).fit(X, y);
    expect(numbers(await m.predict([[0, 3], [6, 3], [7, 3], [9, 3]]))).toEqual([0, 0, 10, 10]);
    expect(m.featureImportances[0]).toBe(1);
    expect(numbers(m.featureSplitCounts)).toEqual([1, 0]);
  });

  it('a stump on rows with missing values matches an exhaustive search of thresholds and NaN sides', async () => {
    // 6000 rows: the root's split search runs on its kept histogram. y steps at x = 0.4; NaN rows
    // look like the low side in one case and the high side in the other.
    for (const nanLike of [0, 1]) {
      const rand = mulberry32(11 + nanLike);
      const n = 6000;
      const x = Float64Array.from({ length: n }, () => (rand() < 0.1 ? NaN : Math.floor(rand() * 30) / 29));
      const y = Float64Array.from(x, (v) => (Number.isNaN(v) ? nanLike : v < 0.4 ? 0 : 1) + 0.5 * rand());
      // Squared error, one round, learning rate 1, lambda 0: a leaf predicts the mean y of its rows,
      // and the best split maximizes G_L^2 / H_L + G_R^2 / H_R with G = sum(mean - y), H = count.
      const mean = y.reduce((a, b) => a + b, 0) / n;
      const values = [...new Set(Array.from(x).filter((v) => !Number.isNaN(v)))].sort((a, b) => a - b);
      const side = (t: number, nanLeft: boolean) => (v: number) => (Number.isNaN(v) ? nanLeft : v <= t);
      let best = { gain: -Infinity, goesLeft: (_: number) => true };
      for (const t of values)
        for (const nanLeft of [false, true]) {
          const goesLeft = side(t, nanLeft);
          let gl = 0, hl = 0, gr = 0, hr = 0;
          for (let i = 0; i < n; i++)
            if (goesLeft(x[i])) (gl += mean - y[i]), hl++;
            else (gr += mean - y[i]), hr++;
          const gain = hl > 0 && hr > 0 ? (gl * gl) / hl + (gr * gr) / hr : -Infinity;
          if (gain > best.gain) best = { gain, goesLeft };
        }
      const leafMean = (left: boolean) => {
        let s = 0, c = 0;
        for (let i = 0; i < n; i++) if (best.goesLeft(x[i]) === left) (s += y[i]), c++;
        return s / c;
      };
      const m = await new HistGradientBoostingRegressor({ ...one, maxLeafNodes: 2 }).fit({ data: x, rows: n, cols: 1 }, y);
      const probes = [...values, NaN];
      const p = await m.predict(probes.map((v) => [v]));
      probes.forEach((v, i) => expect(p[i], `x = ${v}`).toBeCloseTo(leafMean(best.goesLeft(v)), 9));
      expect(best.goesLeft(NaN)).toBe(nanLike === 0);
    }
  });

  it('split counts add up to the internal nodes of all trees', async () => {
    const { X, y } = regression(500, 4, 9);
    const m = await new HistGradientBoostingRegressor({ maxIter: 5, maxLeafNodes: 6, earlyStopping: false }).fit(X, y);
    const json = JSON.parse(JSON.stringify(m)) as { trees: { nodeCount: number }[] };
    const internal = json.trees.reduce((sum, t) => sum + (t.nodeCount - 1) / 2, 0);
    expect(internal).toBe(25);
    expect(numbers(m.featureSplitCounts).reduce((a, b) => a + b, 0)).toBe(internal);
    // The noise features (2 and 3) carry little: the smooth target lives on features 0 and 1.
    expect(m.featureSplitCounts[0] + m.featureSplitCounts[1]).toBeGreaterThan(m.featureSplitCounts[2] + m.featureSplitCounts[3]);
  });
});

describe('training', () => {
  it('the training loss decreases every round', async () => {
    const { X, y } = regression(2000, 5, 1);
    const m = await new HistGradientBoostingRegressor({ maxIter: 30, earlyStopping: true, validationFraction: null, nIterNoChange: 100 }).fit(X, y);
    const s = m.trainScore;
    expect(s.length).toBe(31);
    for (let i = 1; i < s.length; i++) expect(s[i]).toBeGreaterThan(s[i - 1]);
    expect(await m.score(X, y)).toBeGreaterThan(0.9);
  });

  it('early stopping stops when the validation loss stalls', async () => {
    const rand = mulberry32(3);
    const X = Array.from({ length: 3000 }, () => [rand(), rand(), rand()]);
    const y = X.map(() => (rand() < 0.5 ? 0 : 1)); // pure noise: held-out loss stops improving quickly
    const m = await new HistGradientBoostingClassifier({ maxIter: 200, earlyStopping: true, nIterNoChange: 5, randomState: 0 }).fit(X, y);
    expect(m.nIter).toBeLessThan(200);
    expect(m.validationScore.length).toBe(m.nIter + 1);
    const off = await new HistGradientBoostingClassifier({ maxIter: 20, earlyStopping: false }).fit(X, y);
    expect(off.nIter).toBe(20);
    expect(off.validationScore.length).toBe(0);
  });

  it('multiclass softmax: one tree per class, probabilities sum to 1', async () => {
    const { X, y } = makeClassification({ nSamples: 3000, nFeatures: 10, nInformative: 5, nClasses: 3, seed: 4 });
    const labels = Array.from(y, (k) => ['a', 'b', 'c'][k]);
    const m = await new HistGradientBoostingClassifier({ maxIter: 30, earlyStopping: false }).fit(X, labels);
    expect(m.classes).toEqual(['a', 'b', 'c']);
    const p = await m.predictProba(X);
    expect(p.cols).toBe(3);
    for (let r = 0; r < 10; r++) expect(p.data[3 * r] + p.data[3 * r + 1] + p.data[3 * r + 2]).toBeCloseTo(1, 12);
    expect(await m.score(X, labels)).toBeGreaterThan(0.85);
    // Stagewise: fewer rounds, a worse fit.
    const first = await m.predictProba(X, { iterations: 1 });
    expect(first.data[0]).not.toBe(p.data[0]);
  });

  it('colsampleBytree: each tree splits on at most its own draw of the features', async () => {
    const { X, y } = regression(3000, 6, 10);
    const opts = { maxIter: 12, colsampleBytree: 0.5, earlyStopping: false, randomState: 3 } as const;
    const m = await new HistGradientBoostingRegressor(opts).fit(X, y, { threads: 2 });
    const json = JSON.parse(JSON.stringify(m)) as { trees: { feature: string }[] };
    const used = json.trees.map((t) => [...new Set(new Int32Array(new Uint8Array(Buffer.from(t.feature, 'base64')).buffer))].filter((f) => f >= 0).sort());
    for (const u of used) expect(u.length).toBeLessThanOrEqual(3); // round(0.5 x 6) drawn per tree
    expect(new Set(used.map((u) => u.join())).size).toBeGreaterThan(1);
    const one = await new HistGradientBoostingRegressor(opts).fit(X, y, { threads: 1 });
    expect(JSON.stringify(one) === JSON.stringify(m)).toBe(true);
    expect(() => new HistGradientBoostingRegressor({ colsampleBytree: 0 })).toThrow(/options.colsampleBytree/);
  });

  it('Poisson: positive predictions near the group means', async () => {
    const X = Array.from({ length: 400 }, (_, i) => [i % 2]);
    const y = X.map(([g], i) => (g === 0 ? 1 : 5) + ((i >> 1) % 3) - 1);
    const m = await new HistGradientBoostingRegressor({ loss: 'poisson', maxIter: 100, earlyStopping: false }).fit(X, y);
    const p = await m.predict([[0], [1]]);
    expect(p[0]).toBeCloseTo(1, 1);
    expect(p[1]).toBeCloseTo(5, 1);
  });

  it('NaN rows go to the side that fits them', async () => {
    const X: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 200; i++) {
      X.push([i % 2 === 0 ? NaN : i / 200]);
      y.push(i % 2 === 0 ? 1 : 0);
    }
    const m = await new HistGradientBoostingClassifier({ maxIter: 10, earlyStopping: false }).fit(X, y);
    expect(numbers(await m.predict([[NaN], [0.3], [0.9]]))).toEqual([1, 0, 0]);
    // A model trained without NaN still predicts NaN rows.
    const plain = await new HistGradientBoostingRegressor({ maxIter: 5 }).fit([[0], [1], [2], [3]], [0, 0, 1, 1]);
    expect(Number.isFinite((await plain.predict([[NaN]]))[0])).toBe(true);
  });

  it('a seeded model is identical for 1 and 2 threads', async () => {
    const { X, y } = makeClassification({ nSamples: 12000, nFeatures: 8, nClasses: 3, nInformative: 4, seed: 5 });
    const opts = { maxIter: 15, subsample: 0.7, randomState: 7, earlyStopping: true } as const;
    const a = await new HistGradientBoostingClassifier(opts).fit(X, y, { threads: 1 });
    const b = await new HistGradientBoostingClassifier(opts).fit(X, y, { threads: 2 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});

describe('large inputs: parallel histograms and partitions', () => {
  it('identical for 1 and 2 threads, and the training loss matches predictions', async () => {
    // 70,000 rows: the root's histograms are summed from two row tasks, its partition from three blocks.
    const { X, y } = regression(70000, 3, 8);
    const opts = { maxIter: 4, earlyStopping: true, validationFraction: null, nIterNoChange: 100, randomState: 0 } as const;
    const a = await new HistGradientBoostingRegressor(opts).fit(X, y, { threads: 1 });
    const b = await new HistGradientBoostingRegressor(opts).fit(X, y, { threads: 2 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    // The scores behind trainScore come from the rows' leaves; predictions walk the trees.
    const p = await a.predict(X);
    let loss = 0;
    for (let i = 0; i < y.length; i++) loss += 0.5 * (p[i] - y[i]) ** 2;
    expect(a.trainScore[4]).toBeCloseTo(-loss / y.length, 12);
  });
});

describe('saved models and bad input', () => {
  it('a JSON round trip predicts identically', async () => {
    const { X, y } = makeClassification({ nSamples: 2000, nFeatures: 6, seed: 6 });
    const m = await new HistGradientBoostingClassifier({ maxIter: 10 }).fit(X, y);
    const back = HistGradientBoostingClassifier.fromJSON(JSON.parse(JSON.stringify(m)));
    expect(Array.from((await back.predictProba(X)).data)).toEqual(Array.from((await m.predictProba(X)).data));
    expect(back.nIter).toBe(10);
    const r = await new HistGradientBoostingRegressor({ maxIter: 5 }).fit(X, Float64Array.from(y));
    const rb = HistGradientBoostingRegressor.fromJSON(JSON.parse(JSON.stringify(r)));
    expect(Array.from(await rb.predict(X))).toEqual(Array.from(await r.predict(X)));
  });

  it('corrupted model JSON is a clear error', async () => {
    const m = await new HistGradientBoostingClassifier({ maxIter: 3, ...{ minSamplesLeaf: 1 } }).fit([[0], [1], [2], [3]], [0, 0, 1, 1]);
    const json = JSON.parse(JSON.stringify(m));
    expect(() => HistGradientBoostingClassifier.fromJSON({ ...json, booster: { ...json.booster, baseline: [0, 0] } })).toThrow(
      /Expected 1 baseline scores for json.booster.baseline/,
    );
    expect(() => HistGradientBoostingClassifier.fromJSON({ ...json, booster: { ...json.booster, nIter: 7 } })).toThrow(RangeError);
    expect(() => HistGradientBoostingRegressor.fromJSON(json)).toThrow(/a saved HistGradientBoostingRegressor/);
    const bad = structuredClone(json);
    const left = new Int32Array(new Uint8Array(Buffer.from(bad.trees[0].left, 'base64')).buffer);
    left[0] = 99;
    bad.trees[0].left = Buffer.from(left.buffer).toString('base64');
    expect(() => HistGradientBoostingClassifier.fromJSON(bad)).toThrow(/Expected a valid tree model but tree 0 node 0 has child 99/);
  });

  it('bad options and inputs are errors naming the argument', async () => {
    expect(() => new HistGradientBoostingClassifier({ learningRate: -1 })).toThrow(/options.learningRate/);
    expect(() => new HistGradientBoostingRegressor({ loss: 'huber' as 'poisson' })).toThrow(RangeError);
    expect(() => new HistGradientBoostingClassifier({ maxLeafNodes: 1 })).toThrow(/options.maxLeafNodes/);
    expect(() => new HistGradientBoostingClassifier({ colour: 1 } as object)).toThrow(/options key/);
    await expect(new HistGradientBoostingClassifier().fit([[0], [1]], [1, 1])).rejects.toThrow(/at least 2 classes/);
    await expect(new HistGradientBoostingRegressor().fit([[0], [1]], [1])).rejects.toThrow(/length 2/);
    await expect(new HistGradientBoostingRegressor({ loss: 'poisson' }).fit([[0], [1]], [1, -1])).rejects.toThrow(/y\[1\]/);
    const m = await new HistGradientBoostingRegressor({ maxIter: 2 }).fit([[0, 1], [1, 0]], [0, 1]);
    await expect(m.predict([[0]])).rejects.toThrow(/2 columns/);
    await expect(m.predict([[0, 1]], { iterations: 3 })).rejects.toThrow(/options.iterations/);
    await expect(new HistGradientBoostingRegressor().predict([[0]])).rejects.toThrow(/not fitted/);
  });
});
