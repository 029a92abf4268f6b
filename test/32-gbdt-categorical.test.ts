// Histogram gradient boosting with categorical features: LightGBM-style k-category splits beat ordinal
// splits on a crafted problem, unseen categories go right, saved models keep their category sets (and a
// corrupted set is an error), 1 and 2 threads give one model, bad category input is a RangeError.
import { describe, expect, it } from 'vitest';
import { DecisionTreeRegressor, HistGradientBoostingClassifier, HistGradientBoostingRegressor, RandomForestRegressor } from 'threadml';
import { mulberry32 } from './helpers';

const numbers = (p: Float64Array | string[]): number[] => Array.from(p as Float64Array);
const stump = { maxIter: 1, learningRate: 1, minSamplesLeaf: 1, maxLeafNodes: 2, earlyStopping: false } as const;

// 12 categories, 10 rows each; the target is 1 on a non-contiguous subset of them.
const hot = new Set([1, 4, 6, 9, 11]);
const X = Array.from({ length: 120 }, (_, i) => [i % 12]);
const y = X.map(([c]) => (hot.has(c) ? 1 : 0));

function mse(p: Float64Array, t: number[]): number {
  return t.reduce((sum, v, i) => sum + (p[i] - v) ** 2, 0) / t.length;
}

/** rows x 3: two categorical columns (0 and 2) and one numeric column, with a target using all three. */
function mixed(rows: number, seed: number): { X: { data: Float64Array; rows: number; cols: number }; y: Float64Array } {
  const rand = mulberry32(seed);
  const data = new Float64Array(rows * 3);
  const y = new Float64Array(rows);
  const effect = Array.from({ length: 30 }, (_, c) => Math.sin(7 * c));
  for (let r = 0; r < rows; r++) {
    const a = Math.floor(rand() * 30);
    const b = rand();
    const c = Math.floor(rand() * 5);
    data.set([rand() < 0.05 ? NaN : a, b, c], 3 * r);
    y[r] = effect[a] + 2 * b + (c === 3 ? 1 : 0) + 0.1 * rand();
  }
  return { X: { data, rows, cols: 3 }, y };
}

describe('categorical splits', () => {
  it('one split separates a non-contiguous subset of categories; an ordinal split cannot', async () => {
    const cat = await new HistGradientBoostingRegressor({ ...stump, categoricalFeatures: [0] }).fit(X, y);
    const p = await cat.predict(X);
    p.forEach((v, i) => expect(v).toBeCloseTo(y[i], 14));
    expect(mse(p, y)).toBeLessThan(1e-28);
    const ordinal = await new HistGradientBoostingRegressor(stump).fit(X, y);
    // The best threshold split isolates at most a run of neighbouring codes.
    expect(mse(await ordinal.predict(X), y)).toBeGreaterThan(0.2);
    // One-hot columns: a single split isolates one category.
    const oneHot = X.map(([c]) => Array.from({ length: 12 }, (_, k) => (k === c ? 1 : 0)));
    const hotModel = await new HistGradientBoostingRegressor(stump).fit(oneHot, y);
    expect(mse(await hotModel.predict(oneHot), y)).toBeGreaterThan(0.2);
    // The boolean mask means the same.
    const masked = await new HistGradientBoostingRegressor({ ...stump, categoricalFeatures: [true] }).fit(X, y);
    expect(numbers(await masked.predict(X))).toEqual(numbers(p));
  });

  it('the classifier separates the subset too', async () => {
    const m = await new HistGradientBoostingClassifier({ ...stump, maxIter: 5, categoricalFeatures: [0] }).fit(X, y);
    expect(numbers(await m.predict(X))).toEqual(y);
    const ordinal = await new HistGradientBoostingClassifier({ ...stump, maxIter: 5 }).fit(X, y);
    expect(await ordinal.score(X, y)).toBeLessThan(1);
  });

  it('unseen, unknown and missing categories go right', async () => {
    const m = await new HistGradientBoostingRegressor({ ...stump, categoricalFeatures: [0] }).fit(X, y);
    // The hot categories have negative gradients and lead the order: they are the set going left.
    const [left, right] = numbers(await m.predict([[1], [0]]));
    expect(left).toBeCloseTo(1, 14);
    expect(right).toBeCloseTo(0, 14);
    // 12 was never seen, 4.5 is no category, 300 is beyond any code; NaN (none in training) follows the bigger child.
    expect(numbers(await m.predict([[12], [4.5], [300], [-1], [NaN]]))).toEqual([right, right, right, right, right]);
  });

  it('missing values are sent to the better side', async () => {
    const Xm = X.map(([c], i) => [i % 24 === 0 ? NaN : c]);
    const ym = Xm.map(([c]) => (Number.isNaN(c) || hot.has(c) ? 1 : 0));
    const m = await new HistGradientBoostingRegressor({ ...stump, categoricalFeatures: [0] }).fit(Xm, ym);
    const p = await m.predict(Xm);
    p.forEach((v, i) => expect(v).toBeCloseTo(ym[i], 14));
  });

  it('a JSON round trip keeps the category sets and predicts identically', async () => {
    const { X: Xc, y: yc } = mixed(3000, 1);
    const m = await new HistGradientBoostingRegressor({ maxIter: 20, categoricalFeatures: [0, 2], earlyStopping: false }).fit(Xc, yc);
    expect(await m.score(Xc, yc)).toBeGreaterThan(0.95);
    const json = JSON.parse(JSON.stringify(m));
    expect(json.options.categoricalFeatures).toEqual([0, 2]);
    expect(typeof json.trees[0].categoryBits).toBe('string');
    const back = HistGradientBoostingRegressor.fromJSON(json);
    const unseen = { data: Float64Array.from([40, 0.5, 1, 3, 0.2, 7, NaN, 0.9, 3]), rows: 3, cols: 3 };
    for (const input of [Xc, unseen]) expect(numbers(await back.predict(input))).toEqual(numbers(await m.predict(input)));
    // Numeric models save no category arrays.
    const plain = JSON.parse(JSON.stringify(await new HistGradientBoostingRegressor({ maxIter: 2 }).fit(Xc, yc)));
    expect(plain.trees[0].categoryBits).toBeUndefined();
  });

  it('a corrupted category set is a clear error', async () => {
    const m = await new HistGradientBoostingRegressor({ ...stump, categoricalFeatures: [0] }).fit(X, y);
    const json = JSON.parse(JSON.stringify(m));
    const set = (values: number[]) => Buffer.from(Int32Array.from(values).buffer).toString('base64');
    const bad = (tree: Record<string, unknown>) => ({ ...json, trees: [{ ...json.trees[0], ...tree }] });
    expect(() => HistGradientBoostingRegressor.fromJSON(bad({ categorySet: set([5, -1, -1]) }))).toThrow(
      /Expected a valid tree model but tree 0 node 0 has category set 5 \(the tree has 1\)/,
    );
    expect(() => HistGradientBoostingRegressor.fromJSON(bad({ categorySet: set([0, 0, -1]) }))).toThrow(/node 1 has category set 0.*leaf/);
    expect(() => HistGradientBoostingRegressor.fromJSON(bad({ categoryBits: Buffer.alloc(28).toString('base64') }))).toThrow(
      /Expected a positive multiple of 32 bytes .* for json.trees\[0\].categoryBits but received the string "28 bytes"/,
    );
    expect(() => HistGradientBoostingRegressor.fromJSON(bad({ categorySet: set([0, -1]) }))).toThrow(/json.trees\[0\].categorySet/);
    expect(() => HistGradientBoostingRegressor.fromJSON(bad({ categoryBits: undefined }))).toThrow(TypeError);
  });

  it('identical models for 1 and 2 threads', async () => {
    // 70,000 rows: parallel histograms and partitions, with row sampling and the absolute error's median leaves.
    const { X: Xc, y: yc } = mixed(70000, 2);
    for (const loss of ['squared_error', 'absolute_error'] as const) {
      const opts = { loss, maxIter: 6, subsample: 0.8, categoricalFeatures: [true, false, true], randomState: 3 } as const;
      const a = await new HistGradientBoostingRegressor(opts).fit(Xc, yc, { threads: 1 });
      const b = await new HistGradientBoostingRegressor(opts).fit(Xc, yc, { threads: 2 });
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    }
    // Softmax: the class trees of a round grow in parallel, each thread with its own scratch.
    const labels = Array.from(yc, (v) => (v < 0.5 ? 0 : v < 1.5 ? 1 : 2));
    const opts = { maxIter: 4, categoricalFeatures: [0, 2], randomState: 1 } as const;
    const a = await new HistGradientBoostingClassifier(opts).fit(Xc, labels, { threads: 1 });
    const b = await new HistGradientBoostingClassifier(opts).fit(Xc, labels, { threads: 2 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(await a.score(Xc, labels)).toBeGreaterThan(0.8);
  });

  it('bad categorical input is a RangeError naming the argument', async () => {
    const R = HistGradientBoostingRegressor;
    expect(() => new R({ categoricalFeatures: 'all' as unknown as number[] })).toThrow(TypeError);
    expect(() => new R({ categoricalFeatures: [0, -1] })).toThrow(/options.categoricalFeatures\[1\]/);
    expect(() => new R({ categoricalFeatures: [0.5] })).toThrow(RangeError);
    await expect(new R({ categoricalFeatures: [3] }).fit([[0, 1]], [0])).rejects.toThrow(
      /Expected a column index below 2 \(the columns of X\) for options.categoricalFeatures\[0\] but received 3/,
    );
    await expect(new R({ categoricalFeatures: [true] }).fit([[0, 1]], [0])).rejects.toThrow(/a boolean mask of length 2/);
    for (const v of [-1, 2.5, 255, Infinity]) {
      const err = await new R({ categoricalFeatures: [1] }).fit([[0, 1], [0, v]], [0, 1]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RangeError);
      expect((err as Error).message).toMatch(/in categorical column 1 for X\[1\]\[1\]/);
    }
    await expect(new R({ categoricalFeatures: [0], maxBins: 8 }).fit([[8], [0]], [0, 1])).rejects.toThrow(/integer from 0 to 7/);
    await expect(new HistGradientBoostingClassifier({ categoricalFeatures: [0] }).fit([[-3], [1]], [0, 1])).rejects.toThrow(RangeError);
    // Only the boosted models take categorical features.
    expect(() => new DecisionTreeRegressor({ categoricalFeatures: [0] } as object)).toThrow(/options key/);
    expect(() => new RandomForestRegressor({ categoricalFeatures: [0] } as object)).toThrow(/options key/);
  });
});
