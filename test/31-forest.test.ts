// Random forests: determinism across thread counts, out-of-bag scores, warm start, estimators,
// saved forests, bad input.
import { describe, expect, it } from 'vitest';
import { RandomForestClassifier, RandomForestRegressor } from 'threadml';
import { makeClassification, makeRegression } from '../bench/data';
import { rejection } from './helpers';

const classification = makeClassification({ nSamples: 3000, nFeatures: 12, nInformative: 5, nRedundant: 2, nClasses: 3, seed: 11 });
const train = { X: { ...classification.X, data: classification.X.data.subarray(0, 2000 * 12), rows: 2000 }, y: classification.y.subarray(0, 2000) };
const test = { X: { ...classification.X, data: classification.X.data.subarray(2000 * 12), rows: 1000 }, y: classification.y.subarray(2000) };

describe('RandomForestClassifier', () => {
  it('a seeded forest is identical for 1 and 2 threads', async () => {
    const one = await new RandomForestClassifier({ nEstimators: 12, randomState: 5 }).fit(train.X, train.y, { threads: 1 });
    const two = await new RandomForestClassifier({ nEstimators: 12, randomState: 5 }).fit(train.X, train.y, { threads: 2 });
    expect(JSON.stringify(one)).toBe(JSON.stringify(two));
    expect((await one.predictProba(test.X, { threads: 1 })).data).toEqual((await two.predictProba(test.X, { threads: 2 })).data);
    // Fewer trees than threads: each tree is grown with the threads inside it.
    const single1 = await new RandomForestClassifier({ nEstimators: 1, randomState: 5 }).fit(train.X, train.y, { threads: 1 });
    const single2 = await new RandomForestClassifier({ nEstimators: 1, randomState: 5 }).fit(train.X, train.y, { threads: 2 });
    expect(JSON.stringify(single1)).toBe(JSON.stringify(single2));
    const other = await new RandomForestClassifier({ nEstimators: 12, randomState: 6 }).fit(train.X, train.y);
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(one));
  });

  it('beats a single tree; probabilities sum to 1', async () => {
    const forest = await new RandomForestClassifier({ nEstimators: 30, randomState: 1 }).fit(train.X, train.y);
    expect(forest.nEstimators).toBe(30);
    expect(forest.classes).toEqual([0, 1, 2]);
    const accuracy = await forest.score(test.X, test.y);
    const tree = await forest.estimators[0].score(test.X, test.y);
    expect(accuracy).toBeGreaterThan(tree + 0.03);
    const p = await forest.predictProba(test.X);
    for (let r = 0; r < p.rows; r++) expect(p.data[3 * r] + p.data[3 * r + 1] + p.data[3 * r + 2]).toBeCloseTo(1, 12);
  });

  it('the out-of-bag score is close to the held-out score', async () => {
    const forest = await new RandomForestClassifier({ nEstimators: 60, oobScore: true, randomState: 2 }).fit(train.X, train.y);
    const held = await forest.score(test.X, test.y);
    expect(forest.oobScore).toBeGreaterThan(0.5);
    expect(Math.abs((forest.oobScore as number) - held)).toBeLessThan(0.04);
    const d = forest.oobDecisionFunction;
    expect(d?.rows).toBe(2000);
    expect(d?.cols).toBe(3);
  });

  it('predictProba averages the trees; estimators share the forest trees', async () => {
    const forest = await new RandomForestClassifier({ nEstimators: 5, randomState: 3 }).fit(train.X, train.y);
    const trees = forest.estimators;
    expect(trees).toHaveLength(5);
    const sum = new Float64Array(1000 * 3);
    for (const tree of trees) (await tree.predictProba(test.X)).data.forEach((v, i) => (sum[i] += v));
    const mean = await forest.predictProba(test.X);
    mean.data.forEach((v, i) => expect(v).toBeCloseTo(sum[i] / 5, 14));
    const leaves = await forest.apply(test.X);
    expect([leaves.rows, leaves.cols]).toEqual([1000, 5]);
    expect(leaves.data[3]).toBe((await trees[3].apply(test.X))[0]);
    expect(forest.treeSizes.nodeCounts[0]).toBe(trees[0].tree.nodeCount);
  });

  it('warm start adds trees: 4 + 6 equals 10 at once', async () => {
    const warm = new RandomForestClassifier({ nEstimators: 4, randomState: 9, warmStart: true });
    await warm.fit(train.X, train.y);
    await warm.setParams({ nEstimators: 10 }).fit(train.X, train.y);
    const once = await new RandomForestClassifier({ nEstimators: 10, randomState: 9 }).fit(train.X, train.y);
    expect(warm.nEstimators).toBe(10);
    expect(JSON.stringify(warm.toJSON().trees)).toBe(JSON.stringify(once.toJSON().trees));
  });

  it('importances point at the informative features and sum to 1', async () => {
    const forest = await new RandomForestClassifier({ nEstimators: 20, randomState: 4 }).fit(train.X, train.y);
    const imp = forest.featureImportances;
    expect(imp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const informative = imp.subarray(0, 7).reduce((a, b) => a + b, 0);
    expect(informative).toBeGreaterThan(0.7);
  });

  it('options: entropy, maxSamples, no bootstrap, balanced_subsample, maxFeatures', async () => {
    for (const options of [
      { criterion: 'entropy' as const },
      { maxSamples: 0.5 },
      { maxSamples: 300 },
      { bootstrap: false, maxFeatures: 'log2' as const },
      { classWeight: 'balanced_subsample' as const },
      { classWeight: 'balanced' as const, maxFeatures: 0.5 },
      { maxLeafNodes: 8, maxFeatures: null },
      { maxBins: null, maxDepth: 6 },
    ]) {
      const forest = await new RandomForestClassifier({ nEstimators: 8, randomState: 1, ...options }).fit(train.X, train.y);
      expect(await forest.score(test.X, test.y), JSON.stringify(options)).toBeGreaterThan(0.6);
    }
    const capped = await new RandomForestClassifier({ nEstimators: 3, maxLeafNodes: 8 }).fit(train.X, train.y);
    expect(Array.from(capped.treeSizes.leaves)).toEqual([8, 8, 8]);
  });

  it('round-trips through JSON', async () => {
    const forest = await new RandomForestClassifier({ nEstimators: 7, randomState: 8 }).fit(train.X, train.y);
    const copy = RandomForestClassifier.fromJSON(JSON.parse(JSON.stringify(forest)));
    expect((await copy.predictProba(test.X)).data).toEqual((await forest.predictProba(test.X)).data);
    expect(copy.nEstimators).toBe(7);
    const json = JSON.parse(JSON.stringify(forest));
    const bytes = Buffer.from(json.trees[6].left, 'base64');
    const left = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    left[0] = 123456;
    json.trees[6].left = Buffer.from(left.buffer).toString('base64');
    expect(() => RandomForestClassifier.fromJSON(json)).toThrow(/tree 6/);
  });

  it('handles missing values', async () => {
    const X = Float64Array.from(train.X.data);
    for (let i = 0; i < X.length; i += 7) X[i] = NaN;
    const forest = await new RandomForestClassifier({ nEstimators: 20, randomState: 1 }).fit({ ...train.X, data: X }, train.y);
    const T = Float64Array.from(test.X.data);
    for (let i = 0; i < T.length; i += 7) T[i] = NaN;
    expect(await forest.score({ ...test.X, data: T }, test.y)).toBeGreaterThan(0.6);
  });

  it('rejects bad options and input', async () => {
    expect(() => new RandomForestClassifier({ nEstimators: 0 })).toThrow(/^Expected an integer from 1 to 2147483647 for options.nEstimators but received 0$/);
    expect(() => new RandomForestClassifier({ oobScore: true, bootstrap: false })).toThrow(RangeError);
    expect(() => new RandomForestClassifier({ maxSamples: 1.5 })).toThrow(/options.maxSamples/);
    expect(() => new RandomForestClassifier({ warmStart: 1 as never })).toThrow(TypeError);
    expect((await rejection(new RandomForestClassifier({ maxSamples: 5000 }).fit(train.X, train.y))).message).toMatch(/at most 2000/);
    expect((await rejection(new RandomForestClassifier().fit(train.X, train.y.subarray(1)))).message).toMatch(/length 2000/);
  });

  it('aborts promptly', async () => {
    const controller = new AbortController();
    const fit = new RandomForestClassifier({ nEstimators: 2000 }).fit(train.X, train.y, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const started = Date.now();
    expect((await rejection(fit)).name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports progress', async () => {
    const seen: number[] = [];
    await new RandomForestClassifier({ nEstimators: 20, randomState: 1 }).fit(train.X, train.y, { onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(3);
    expect(seen[seen.length - 1]).toBe(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });
});

describe('RandomForestRegressor', () => {
  const reg = makeRegression({ nSamples: 1500, nFeatures: 8, nInformative: 4, noise: 5, seed: 3 });
  const Xtr = { data: reg.X.data.subarray(0, 1000 * 8), rows: 1000, cols: 8 };
  const Xte = { data: reg.X.data.subarray(1000 * 8), rows: 500, cols: 8 };

  it('fits, scores R^2, and its out-of-bag R^2 is close to the held-out one', async () => {
    const forest = await new RandomForestRegressor({ nEstimators: 50, oobScore: true, randomState: 1 }).fit(Xtr, reg.y.subarray(0, 1000));
    const held = await forest.score(Xte, reg.y.subarray(1000));
    expect(held).toBeGreaterThan(0.7);
    expect(Math.abs((forest.oobScore as number) - held)).toBeLessThan(0.06);
    expect(forest.oobPrediction).toHaveLength(1000);
    const tree = await forest.estimators[0].score(Xte, reg.y.subarray(1000));
    expect(held).toBeGreaterThan(tree);
  });

  it('absolute error forests, identical for 1 and 2 threads', async () => {
    const a = await new RandomForestRegressor({ nEstimators: 6, criterion: 'absolute_error', randomState: 2, maxDepth: 8 }).fit(Xtr, reg.y.subarray(0, 1000), { threads: 1 });
    const b = await new RandomForestRegressor({ nEstimators: 6, criterion: 'absolute_error', randomState: 2, maxDepth: 8 }).fit(Xtr, reg.y.subarray(0, 1000), { threads: 2 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(await a.score(Xte, reg.y.subarray(1000))).toBeGreaterThan(0.5);
    const copy = RandomForestRegressor.fromJSON(JSON.parse(JSON.stringify(a)));
    expect(await copy.predict(Xte)).toEqual(await a.predict(Xte));
  });
});
