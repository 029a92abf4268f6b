// Decision trees: hand-checkable splits and impurities, stopping rules, regression, NaN routing,
// exact vs histogram search, saved models (and corrupted ones), bad input.
import { describe, expect, it } from 'vitest';
import { DecisionTreeClassifier, DecisionTreeRegressor } from 'threadml';
import { mulberry32, rejection } from './helpers';

/** Predicted numeric labels as plain numbers. */
const numbers = (p: Float64Array | string[]): number[] => Array.from(p as Float64Array);

/** rows x cols uniform values in [0, 1) and a label from a hidden rule, 10% of labels random. */
function randomProblem(rows: number, cols: number, seed: number): { X: { data: Float64Array; rows: number; cols: number }; y: Int32Array } {
  const rand = mulberry32(seed);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(rand() * 1000) / 1000;
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++)
    y[i] = rand() < 0.1 ? Math.floor(rand() * 3) : (data[i * cols] > 0.5 ? 1 : 0) + (data[i * cols + 1] > 0.3 ? 1 : 0);
  return { X: { data, rows, cols }, y };
}

describe('DecisionTreeClassifier on hand-checkable data', () => {
  it('finds the one split of a separable problem, with gini impurities', async () => {
    const tree = await new DecisionTreeClassifier().fit([[0], [1], [2], [3]], [0, 0, 1, 1]);
    const t = tree.tree;
    expect(t.nodeCount).toBe(3);
    expect(Array.from(t.feature)).toEqual([0, -1, -1]);
    expect(t.threshold[0]).toBe(1.5);
    expect(Array.from(t.impurity)).toEqual([0.5, 0, 0]);
    expect(Array.from(t.nNodeSamples)).toEqual([4, 2, 2]);
    expect(Array.from(t.value.data)).toEqual([0.5, 0.5, 1, 0, 0, 1]);
    expect(numbers(await tree.predict([[-5], [1.4], [1.6], [9]]))).toEqual([0, 0, 1, 1]);
    expect(Array.from(tree.featureImportances)).toEqual([1]);
  });

  it('three classes: the first best threshold, gini and entropy impurities', async () => {
    const X = [[0], [1], [2], [3], [4], [5]];
    const y = [0, 0, 1, 1, 2, 2];
    const gini = (await new DecisionTreeClassifier({ maxDepth: 1 }).fit(X, y)).tree;
    expect(gini.impurity[0]).toBeCloseTo(2 / 3, 15);
    expect(gini.threshold[0]).toBe(1.5); // 1.5 and 3.5 tie: the first wins
    expect(gini.impurity[1]).toBe(0);
    expect(gini.impurity[2]).toBeCloseTo(0.5, 15);
    const entropy = (await new DecisionTreeClassifier({ criterion: 'entropy' }).fit(X, y)).tree;
    expect(entropy.impurity[0]).toBeCloseTo(Math.log2(3), 14);
    expect(entropy.nLeaves).toBe(3);
    const logLoss = (await new DecisionTreeClassifier({ criterion: 'log_loss' }).fit(X, y)).tree;
    expect(Array.from(logLoss.threshold)).toEqual(Array.from(entropy.threshold));
  });

  it('picks the informative feature and reports its importance', async () => {
    // Feature 1 separates the classes; feature 0 is noise.
    const X = [[3, 0], [1, 0], [2, 1], [0, 1], [3, 1], [1, 0]];
    const tree = await new DecisionTreeClassifier().fit(X, [0, 0, 1, 1, 1, 0]);
    expect(tree.tree.feature[0]).toBe(1);
    expect(Array.from(tree.featureImportances)).toEqual([0, 1]);
  });

  it('a pure node is a leaf', async () => {
    const tree = await new DecisionTreeClassifier().fit([[0, 1], [1, 2], [2, 3]], [4, 4, 4]);
    expect(tree.tree.nodeCount).toBe(1);
    expect(tree.classes).toEqual([4]);
    expect(numbers(await tree.predict([[9, 9]]))).toEqual([4]);
    expect(Array.from(tree.featureImportances)).toEqual([0, 0]);
  });

  it('string labels come back as strings, classes sorted', async () => {
    const tree = await new DecisionTreeClassifier().fit([[0], [1], [2]], ['b', 'a', 'c']);
    expect(tree.classes).toEqual(['a', 'b', 'c']);
    expect(await tree.predict([[0], [1], [2]])).toEqual(['b', 'a', 'c']);
  });

  it('respects maxDepth, minSamplesLeaf, minSamplesSplit and maxLeafNodes', async () => {
    const { X, y } = randomProblem(600, 5, 1);
    const full = await new DecisionTreeClassifier({ randomState: 0 }).fit(X, y);
    expect(full.getDepth()).toBeGreaterThan(3);
    expect(await full.score(X, y)).toBe(1);
    const shallow = await new DecisionTreeClassifier({ maxDepth: 3 }).fit(X, y);
    expect(shallow.getDepth()).toBe(3);
    const leafy = (await new DecisionTreeClassifier({ minSamplesLeaf: 25 }).fit(X, y)).tree;
    for (let i = 0; i < leafy.nodeCount; i++) if (leafy.feature[i] === -1) expect(leafy.nNodeSamples[i]).toBeGreaterThanOrEqual(25);
    const split = (await new DecisionTreeClassifier({ minSamplesSplit: 100 }).fit(X, y)).tree;
    for (let i = 0; i < split.nodeCount; i++) if (split.feature[i] !== -1) expect(split.nNodeSamples[i]).toBeGreaterThanOrEqual(100);
    const fraction = (await new DecisionTreeClassifier({ minSamplesLeaf: 0.1 }).fit(X, y)).tree;
    for (let i = 0; i < fraction.nodeCount; i++) if (fraction.feature[i] === -1) expect(fraction.nNodeSamples[i]).toBeGreaterThanOrEqual(60);
    const best = await new DecisionTreeClassifier({ maxLeafNodes: 5 }).fit(X, y);
    expect(best.getNLeaves()).toBe(5);
  });

  it('minImpurityDecrease stops weak splits', async () => {
    const { X, y } = randomProblem(400, 3, 2);
    const all = await new DecisionTreeClassifier().fit(X, y);
    const strong = await new DecisionTreeClassifier({ minImpurityDecrease: 0.05 }).fit(X, y);
    expect(strong.getNLeaves()).toBeLessThan(all.getNLeaves());
    expect(strong.getNLeaves()).toBeGreaterThanOrEqual(2);
  });

  it('probabilities sum to 1 and predict is their argmax', async () => {
    const { X, y } = randomProblem(300, 4, 3);
    const tree = await new DecisionTreeClassifier({ maxDepth: 4 }).fit(X, y);
    const p = await tree.predictProba(X);
    const labels = await tree.predict(X);
    expect(p.cols).toBe(3);
    for (let r = 0; r < p.rows; r++) {
      const row = Array.from(p.data.subarray(r * 3, r * 3 + 3));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
      expect(labels[r]).toBe(row.indexOf(Math.max(...row)));
    }
  });

  it('classWeight balanced reweights the classes; sampleWeight counts like repeated rows', async () => {
    const X = [[0], [1], [2], [3], [4], [5], [6], [7]];
    const y = [0, 0, 0, 0, 0, 0, 1, 1];
    const balanced = (await new DecisionTreeClassifier({ classWeight: 'balanced', maxDepth: 1 }).fit(X, y)).tree;
    expect(balanced.weightedNNodeSamples[0]).toBeCloseTo(8, 12);
    expect(balanced.value.data[0]).toBeCloseTo(0.5, 14); // root: both classes weigh 4
    const weighted = await new DecisionTreeClassifier().fit([[0], [1], [2]], [0, 1, 1], { sampleWeight: [2, 1, 1] });
    const repeated = await new DecisionTreeClassifier().fit([[0], [0], [1], [2]], [0, 0, 1, 1]);
    expect(Array.from(weighted.tree.impurity)).toEqual(Array.from(repeated.tree.impurity));
    expect(weighted.tree.threshold[0]).toBe(repeated.tree.threshold[0]);
  });

  it('histogram search equals exact search when features have few distinct values', async () => {
    const { X, y } = randomProblem(500, 4, 4);
    const coarse = { ...X, data: X.data.map((v) => Math.round(v * 50)) };
    const hist = await new DecisionTreeClassifier({ randomState: 1 }).fit(coarse, y);
    const exact = await new DecisionTreeClassifier({ randomState: 1, maxBins: null }).fit(coarse, y);
    expect(hist.toJSON().trees).toEqual(exact.toJSON().trees);
  });

  it('exact search splits between every distinct value', async () => {
    const rows = 1000;
    const X = { data: Float64Array.from({ length: rows }, (_, i) => i), rows, cols: 1 };
    const y = Int32Array.from({ length: rows }, (_, i) => (i % 7 === 3 ? 1 : 0));
    const exact = await new DecisionTreeClassifier({ maxBins: null }).fit(X, y);
    expect(await exact.score(X, y)).toBe(1);
    const binned = await new DecisionTreeClassifier({ maxBins: 16 }).fit(X, y);
    expect(binned.getNLeaves()).toBeLessThanOrEqual(16);
  });

  it('float32 input gives the same tree as float64', async () => {
    const { X, y } = randomProblem(300, 3, 5);
    const x32 = { data: Float32Array.from(X.data), rows: X.rows, cols: X.cols };
    const x64 = { data: Float64Array.from(x32.data), rows: X.rows, cols: X.cols };
    const a = await new DecisionTreeClassifier().fit(x32, y);
    const b = await new DecisionTreeClassifier().fit(x64, y);
    expect(a.toJSON().trees).toEqual(b.toJSON().trees);
    expect(await a.predict(x32)).toEqual(await b.predict(x64));
  });

  it('apply gives the leaf of each row', async () => {
    const tree = await new DecisionTreeClassifier().fit([[0], [1], [2], [3]], [0, 0, 1, 1]);
    expect(Array.from(await tree.apply([[0], [3]]))).toEqual([1, 2]);
  });
});

describe('DecisionTreeRegressor', () => {
  it('fits a step function exactly', async () => {
    const rows = 100;
    const x = Float64Array.from({ length: rows }, (_, i) => i / 10);
    const step = (v: number) => (v < 3 ? 1.5 : v < 7 ? -2 : 4);
    const tree = await new DecisionTreeRegressor().fit({ data: x, rows, cols: 1 }, Array.from(x, step));
    expect(tree.getNLeaves()).toBe(3);
    expect(Array.from(tree.tree.threshold).filter((_, i) => tree.tree.feature[i] === 0).sort()).toEqual([2.95, 6.95]);
    const probe = [0, 2.9, 3, 5, 6.9, 7, 100];
    expect(numbers(await tree.predict(probe.map((v) => [v])))).toEqual(probe.map(step));
    expect(await tree.score({ data: x, rows, cols: 1 }, Array.from(x, step))).toBe(1);
  });

  it('squared error: node values are means and impurities variances', async () => {
    const tree = (await new DecisionTreeRegressor({ maxDepth: 1 }).fit([[0], [1], [2], [3]], [1, 3, 10, 14])).tree;
    expect(tree.value.data[0]).toBe(7);
    expect(tree.impurity[0]).toBeCloseTo((36 + 16 + 9 + 49) / 4, 12);
    expect(tree.threshold[0]).toBe(1.5);
    expect(Array.from(tree.value.data)).toEqual([7, 2, 12]);
  });

  it('absolute error: node values are medians and impurities mean absolute deviations', async () => {
    const tree = (await new DecisionTreeRegressor({ criterion: 'absolute_error', maxDepth: 1 }).fit([[0], [1], [2], [3], [4]], [1, 2, 3, 50, 60])).tree;
    expect(tree.value.data[0]).toBe(3);
    expect(tree.impurity[0]).toBeCloseTo((2 + 1 + 0 + 47 + 57) / 5, 12);
    expect(tree.threshold[0]).toBe(2.5);
    expect(Array.from(tree.value.data)).toEqual([3, 2, 55]);
    const even = (await new DecisionTreeRegressor({ criterion: 'absolute_error', maxDepth: 1 }).fit([[0], [0]], [1, 2])).tree;
    expect(even.value.data[0]).toBe(1.5); // an even split of the weight averages the two middle values
  });
});

describe('missing values (NaN)', () => {
  it('learns which side missing values go to', async () => {
    // Missing values mark class 1; present values of both classes overlap.
    const X = [[NaN], [NaN], [NaN], [0], [1], [2], [3], [10], [11]];
    const y = [1, 1, 1, 0, 0, 0, 0, 1, 1];
    const tree = await new DecisionTreeClassifier().fit(X, y);
    expect(await tree.score(X, y)).toBe(1);
    expect(numbers(await tree.predict([[NaN], [1.5], [10.5]]))).toEqual([1, 0, 1]);
  });

  it('a split between missing and present values alone', async () => {
    const tree = await new DecisionTreeClassifier().fit([[NaN], [NaN], [1], [2]], [1, 1, 0, 0]);
    expect(tree.tree.nodeCount).toBe(3);
    expect(tree.tree.threshold[0]).toBe(Infinity);
    expect(tree.tree.missingGoToLeft[0]).toBe(0);
    expect(numbers(await tree.predict([[NaN], [1e300]]))).toEqual([1, 0]);
  });

  it('without missing values in training, NaN follows the child with more samples', async () => {
    const tree = await new DecisionTreeClassifier({ maxDepth: 1 }).fit([[0], [1], [2], [3], [4]], [0, 0, 0, 1, 1]);
    expect(numbers(await tree.predict([[NaN]]))).toEqual([0]);
    const flipped = await new DecisionTreeClassifier({ maxDepth: 1 }).fit([[0], [1], [2], [3], [4]], [0, 0, 1, 1, 1]);
    expect(numbers(await flipped.predict([[NaN]]))).toEqual([1]);
  });

  it('regression trees route NaN too', async () => {
    const tree = await new DecisionTreeRegressor().fit([[NaN], [NaN], [0], [1]], [5, 5, 1, 2]);
    expect(numbers(await tree.predict([[NaN], [0], [1]]))).toEqual([5, 1, 2]);
    const mae = await new DecisionTreeRegressor({ criterion: 'absolute_error' }).fit([[NaN], [NaN], [0], [1]], [5, 5, 1, 2]);
    expect(numbers(await mae.predict([[NaN], [0], [1]]))).toEqual([5, 1, 2]);
  });
});

describe('saved trees', () => {
  it('round-trips through JSON with identical predictions', async () => {
    const { X, y } = randomProblem(400, 4, 6);
    const tree = await new DecisionTreeClassifier({ maxDepth: 6, randomState: 3 }).fit(X, y);
    const copy = DecisionTreeClassifier.fromJSON(JSON.parse(JSON.stringify(tree)));
    expect((await copy.predictProba(X)).data).toEqual((await tree.predictProba(X)).data);
    expect(copy.classes).toEqual(tree.classes);
    expect(copy.featureImportances).toEqual(tree.featureImportances);
    const reg = await new DecisionTreeRegressor({ maxDepth: 5 }).fit(X, Float64Array.from(y, (v) => v * 1.5));
    const regCopy = DecisionTreeRegressor.fromJSON(JSON.parse(JSON.stringify(reg)));
    expect(await regCopy.predict(X)).toEqual(await reg.predict(X));
  });

  /** A saved 3-node tree with one node array replaced. */
  async function corrupted(key: string, values: number[], Type: typeof Int32Array | typeof Float64Array | typeof Uint8Array) {
    const tree = await new DecisionTreeClassifier().fit([[0], [1], [2], [3]], [0, 0, 1, 1]);
    const json = JSON.parse(JSON.stringify(tree));
    json.trees[0][key] = Buffer.from(new Type(values).buffer).toString('base64');
    return json;
  }

  it('rejects corrupted models before any prediction', async () => {
    const cases: [string, number[], typeof Int32Array | typeof Float64Array | typeof Uint8Array, RegExp][] = [
      ['left', [7, -1, -1], Int32Array, /child 7 outside 1..2/],
      ['left', [0, -1, -1], Int32Array, /child 0 outside/],
      ['right', [1, -1, -1], Int32Array, /two parents/],
      ['feature', [3, -1, -1], Int32Array, /feature 3 \(the model has 1\)/],
      ['feature', [0, 0, -1], Int32Array, /child -1 outside/],
      ['threshold', [NaN, 0, 0], Float64Array, /NaN threshold/],
      ['value', [0.5, 0.5, 1, 0, 0, Infinity], Float64Array, /non-finite/],
      ['value', [0.5, 0.5], Float64Array, /Expected 6 elements/],
      ['feature', [0, -1], Int32Array, /Expected 3 elements/],
    ];
    for (const [key, values, Type, message] of cases) {
      const json = await corrupted(key, values, Type);
      expect(() => DecisionTreeClassifier.fromJSON(json), `${key} = ${values}`).toThrow(RangeError);
      expect(() => DecisionTreeClassifier.fromJSON(json), `${key} = ${values}`).toThrow(message);
    }
  });

  it('rejects a cycle and an unreachable node', async () => {
    // Node 1 is the root's left child and its own child: a cycle the root leads into.
    const json = await corrupted('feature', [0, 0, -1], Int32Array);
    json.trees[0].left = Buffer.from(new Int32Array([1, 1, -1]).buffer).toString('base64');
    json.trees[0].right = Buffer.from(new Int32Array([2, 2, -1]).buffer).toString('base64');
    expect(() => DecisionTreeClassifier.fromJSON(json)).toThrow(/two parents|cycle/);
    // A root leaf with two more nodes hanging nowhere.
    const orphan = await corrupted('feature', [-1, -1, -1], Int32Array);
    expect(() => DecisionTreeClassifier.fromJSON(orphan)).toThrow(/does not reach/);
  });

  it('rejects malformed JSON with the one error format', async () => {
    const tree = await new DecisionTreeClassifier().fit([[0], [1]], [0, 1]);
    const good = JSON.parse(JSON.stringify(tree));
    expect(() => DecisionTreeClassifier.fromJSON(null)).toThrow(/^Expected an object from DecisionTreeClassifier.toJSON\(\) for json but received null$/);
    expect(() => DecisionTreeClassifier.fromJSON({ ...good, format: 'x' })).toThrow(TypeError);
    expect(() => DecisionTreeClassifier.fromJSON({ ...good, version: 2 })).toThrow(/version 1/);
    expect(() => DecisionTreeRegressor.fromJSON(good)).toThrow(/a saved DecisionTreeRegressor/);
    expect(() => DecisionTreeClassifier.fromJSON({ ...good, trees: [{ ...good.trees[0], threshold: 'not base64!' }] })).toThrow(/base64/);
    expect(() => DecisionTreeClassifier.fromJSON({ ...good, nFeatures: 0 })).toThrow(RangeError);
    expect(() => DecisionTreeClassifier.fromJSON({ ...good, classes: [0, 0] })).toThrow(/distinct/);
    expect(() => DecisionTreeClassifier.fromJSON({ ...good, trees: [] })).toThrow(/non-empty array of trees/);
    expect(() => DecisionTreeClassifier.fromJSON({ ...good, options: { maxDepth: -1 } })).toThrow(/maxDepth/);
  });
});

describe('bad input', () => {
  it('rejects bad options with the one error format', () => {
    expect(() => new DecisionTreeClassifier({ maxDepth: 0 })).toThrow(/^Expected an integer from 1 to 2147483647 or null for options.maxDepth but received 0$/);
    expect(() => new DecisionTreeClassifier({ criterion: 'mse' as never })).toThrow(RangeError);
    expect(() => new DecisionTreeClassifier({ minSamplesSplit: 1 })).toThrow(/options.minSamplesSplit/);
    expect(() => new DecisionTreeClassifier({ minSamplesLeaf: 1.5 })).toThrow(/options.minSamplesLeaf/);
    expect(() => new DecisionTreeClassifier({ maxFeatures: 'half' as never })).toThrow(/options.maxFeatures/);
    expect(() => new DecisionTreeClassifier({ maxBins: 256 })).toThrow(/options.maxBins/);
    expect(() => new DecisionTreeClassifier({ maxLeafNodes: 1 })).toThrow(/options.maxLeafNodes/);
    expect(() => new DecisionTreeClassifier({ classWeight: 'balanced_subsample' as never })).toThrow(/options.classWeight/);
    expect(() => new DecisionTreeClassifier({ depth: 3 } as never)).toThrow(/options key/);
    expect(() => new DecisionTreeRegressor({ criterion: 'gini' as never })).toThrow(/options.criterion/);
  });

  it('rejects bad data in fit and predict', async () => {
    const tree = new DecisionTreeClassifier();
    expect((await rejection(tree.predict([[1]]))).message).toMatch(/not fitted/);
    expect(await rejection(tree.fit([[1], [2]], [0]))).toBeInstanceOf(RangeError);
    expect((await rejection(tree.fit([[1], [2]], [0, NaN]))).message).toMatch(/finite number for y\[1\]/);
    expect((await rejection(tree.fit('X' as never, [0]))).message).toMatch(/for X/);
    expect((await rejection(tree.fit([[1], [2]], [0, 1], { sampleWeight: [1, -1] }))).message).toMatch(/sampleWeight\[1\]/);
    expect((await rejection(tree.fit([[1], [2]], [0, 1], { sampleWeight: [0, 0] }))).message).toMatch(/weight/);
    expect((await rejection(new DecisionTreeRegressor().fit([[1], [2]], [0, Infinity]))).message).toMatch(/y\[1\]/);
    await tree.fit([[1, 2], [2, 3]], [0, 1]);
    expect((await rejection(tree.predict([[1]]))).message).toMatch(/^Expected a matrix with 2 columns \(as in fit\) for X/);
    expect((await rejection(new DecisionTreeClassifier({ maxFeatures: 3 }).fit([[1, 2]], [0]))).message).toMatch(/at most 2/);
  });

  it('aborts a long fit', async () => {
    const { X, y } = randomProblem(200000, 20, 7);
    const controller = new AbortController();
    const fit = new DecisionTreeClassifier({ maxBins: null }).fit(X, y, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect((await rejection(fit)).name).toBe('AbortError');
  });
});
