import { describe, expect, it } from 'vitest';
import {
  AbortError, crossValScore, DecisionTreeClassifier, DecisionTreeRegressor, GridSearchCV, KFold, parameterGrid, RandomForestClassifier,
  StratifiedKFold, type Split,
} from 'threadml';
import { mulberry32 } from './helpers';

/** Three noisy classes in 4 features, the class shifting features 0 and 1; labels as strings. */
function blobs(rows: number, seed: number): { X: { data: Float64Array; rows: number; cols: number }; y: string[] } {
  const rand = mulberry32(seed);
  const data = new Float64Array(rows * 4);
  const y: string[] = [];
  for (let r = 0; r < rows; r++) {
    const c = r % 3;
    y.push(['a', 'b', 'c'][c]);
    for (let j = 0; j < 4; j++) data[r * 4 + j] = rand() * 2 + (j < 2 ? 3 * c : 0);
  }
  return { X: { data, rows, cols: 4 }, y };
}

function checkPartition(splits: Split[], n: number): void {
  const seen = new Int32Array(n);
  for (const { train, test } of splits) {
    expect(train.length + test.length).toBe(n);
    const inTest = new Set(test);
    for (const r of train) expect(inTest.has(r)).toBe(false);
    for (const r of test) seen[r]++;
    expect([...test]).toEqual([...test].sort((a, b) => a - b));
  }
  expect([...seen].every((count) => count === 1)).toBe(true);
}

describe('KFold and StratifiedKFold', () => {
  it('KFold: scikit-learn fold sizes, no overlap, full coverage; seeded shuffles repeat', () => {
    const splits = new KFold({ nSplits: 3 }).split(10);
    expect(splits.map((s) => s.test.length)).toEqual([4, 3, 3]);
    expect([...splits[0].test]).toEqual([0, 1, 2, 3]);
    checkPartition(splits, 10);
    const shuffled = new KFold({ nSplits: 4, shuffle: true, randomState: 7 }).split(103);
    checkPartition(shuffled, 103);
    expect(new KFold({ nSplits: 4, shuffle: true, randomState: 7 }).split(103)).toEqual(shuffled);
    expect([...shuffled[0].test]).not.toEqual([...Array(26).keys()]);
  });

  it('StratifiedKFold keeps each class share within one row per fold', () => {
    const y = [...Array(50).fill('x'), ...Array(30).fill('y'), ...Array(7).fill(2)];
    for (const shuffle of [false, true]) {
      const splits = new StratifiedKFold({ nSplits: 5, shuffle, randomState: 1 }).split(y.length, y);
      checkPartition(splits, y.length);
      for (const label of ['x', 'y', 2]) {
        const counts = splits.map((s) => [...s.test].filter((r) => y[r] === label).length);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }
      const sizes = splits.map((s) => s.test.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it('checks its arguments', () => {
    expect(() => new KFold({ nSplits: 1 })).toThrow('Expected an integer >= 2 for options.nSplits but received 1');
    expect(() => new KFold().split(3)).toThrow('Expected at least nSplits = 5 rows for nRows but received 3');
    expect(() => new StratifiedKFold({ nSplits: 2 }).split(3, [1, 2])).toThrow('Expected labels of length 3 for y but received an array of length 2');
  });
});

describe('crossValScore and GridSearchCV', () => {
  const { X, y } = blobs(300, 3);

  it('scores each fold with fresh estimators; nJobs does not change the scores', async () => {
    const make = () => new RandomForestClassifier({ nEstimators: 20, randomState: 0 });
    const serial = await crossValScore(make, X, y, { cv: 5 });
    expect(serial).toHaveLength(5);
    for (const s of serial) expect(s).toBeGreaterThan(0.8);
    const progress: number[] = [];
    const concurrent = await crossValScore(make, X, y, { cv: 5, nJobs: 2, onProgress: (f) => progress.push(f) });
    expect(concurrent).toEqual(serial);
    expect(progress).toEqual([0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('accepts a splitter and a scoring function, and works for regressors', async () => {
    const target = Float64Array.from({ length: X.rows }, (_, r) => X.data[r * 4] + X.data[r * 4 + 1]);
    const mae = await crossValScore(() => new DecisionTreeRegressor({ maxDepth: 6 }), X, target, {
      cv: new KFold({ nSplits: 3, shuffle: true, randomState: 2 }),
      scoring: async (model, Xt, yt) => {
        const p = (await model.predict(Xt)) as Float64Array;
        return -p.reduce((sum, v, i) => sum + Math.abs(v - (yt as Float64Array)[i]), 0) / p.length;
      },
    });
    expect(mae).toHaveLength(3);
    for (const s of mae) expect(s).toBeLessThan(0);
  });

  it('GridSearchCV ranks every candidate and refits the best on all rows', async () => {
    expect(parameterGrid({ a: [1, 2], b: ['x'] })).toEqual([{ a: 1, b: 'x' }, { a: 2, b: 'x' }]);
    const search = new GridSearchCV((p: { maxDepth: number; minSamplesLeaf: number }) => new DecisionTreeClassifier(p), { maxDepth: [1, 4], minSamplesLeaf: [1, 5] }, { cv: 4, nJobs: 2 });
    await search.fit(X, y);
    const r = search.cvResults;
    expect(r.params).toHaveLength(4);
    expect(r.splitTestScores.every((s) => s.length === 4)).toBe(true);
    expect(search.bestParams.maxDepth).toBe(4);
    expect(search.bestScore).toBe(Math.max(...r.meanTestScore));
    expect(r.rankTestScore[search.bestIndex]).toBe(1);
    expect(r.meanTestScore[0]).toBeLessThan(search.bestScore); // depth 1 cannot separate 3 classes
    expect(await search.bestEstimator?.score(X, y as never)).toBeGreaterThan(0.9);
  });

  it('aborts through a signal', async () => {
    const controller = new AbortController();
    const search = new GridSearchCV(() => new RandomForestClassifier({ nEstimators: 50 }), { maxDepth: [2, 3, 4, 5] });
    const run = search.fit(X, y, { signal: controller.signal });
    controller.abort();
    await expect(run).rejects.toBeInstanceOf(AbortError);
  });
});
