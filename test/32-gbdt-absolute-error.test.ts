// HistGradientBoostingRegressor with loss 'absolute_error': the median of y as the initial prediction,
// leaf values that are medians of residuals times the learning rate, a decreasing training loss, and
// robustness to outliers that pull a squared-error model away.
import { describe, expect, it } from 'vitest';
import { HistGradientBoostingRegressor } from 'threadml';
import { mulberry32 } from './helpers';

const abs = { loss: 'absolute_error', earlyStopping: false } as const;

describe('absolute error loss', () => {
  it('the initial prediction is the median of y (weighted)', async () => {
    const X = [[0], [0], [0], [0], [0]];
    const m = await new HistGradientBoostingRegressor({ ...abs, maxIter: 1 }).fit(X, [100, 1, 3, 2, 10]);
    expect(m.toJSON().booster.baseline).toEqual([3]);
    const even = await new HistGradientBoostingRegressor({ ...abs, maxIter: 1 }).fit(X.slice(1), [4, 1, 3, 2]);
    expect(even.toJSON().booster.baseline).toEqual([2.5]);
    // Weights 1, 1, 1, 5 on 1, 2, 3, 4: the median is 4.
    const weighted = await new HistGradientBoostingRegressor({ ...abs, maxIter: 1 }).fit(X.slice(1), [1, 2, 3, 4], { sampleWeight: [1, 1, 1, 5] });
    expect(weighted.toJSON().booster.baseline).toEqual([4]);
  });

  it('one round: leaf values are the median residuals times the learning rate', async () => {
    const X = [[0], [1], [2], [3], [4], [5]];
    const y = [0, 1, 5, 10, 12, 30];
    const lr = 0.5;
    const m = await new HistGradientBoostingRegressor({ ...abs, maxIter: 1, learningRate: lr, minSamplesLeaf: 1, maxLeafNodes: 2 }).fit(X, y);
    // Baseline median (5 + 10) / 2 = 7.5; gradients sign(7.5 - y) split x <= 2 from x >= 3.
    // Residuals left: -7.5, -6.5, -2.5 (median -6.5); right: 2.5, 4.5, 22.5 (median 4.5).
    const p = await m.predict(X);
    const expected = [7.5 - 6.5 * lr, 7.5 - 6.5 * lr, 7.5 - 6.5 * lr, 7.5 + 4.5 * lr, 7.5 + 4.5 * lr, 7.5 + 4.5 * lr];
    expect(Array.from(p)).toEqual(expected);
  });

  it('the training loss decreases', async () => {
    const rand = mulberry32(4);
    const X = Array.from({ length: 1000 }, () => [rand(), rand()]);
    const y = X.map(([a, b]) => 3 * a + Math.sin(6 * b) + (rand() - 0.5));
    const m = await new HistGradientBoostingRegressor({ loss: 'absolute_error', maxIter: 30, earlyStopping: true, validationFraction: null, nIterNoChange: 100 }).fit(X, y);
    const s = m.trainScore;
    expect(s.length).toBe(31);
    for (let i = 1; i < s.length; i++) expect(s[i]).toBeGreaterThanOrEqual(s[i - 1]);
    expect(-s[30]).toBeLessThan(-s[0] * 0.5);
    // The loss behind trainScore is the mean absolute error of the predictions.
    const p = await m.predict(X);
    expect(-s[30]).toBeCloseTo(y.reduce((sum, v, i) => sum + Math.abs(p[i] - v), 0) / y.length, 12);
  });

  it('robust to outliers that pull a squared-error model away', async () => {
    const rand = mulberry32(5);
    const X = Array.from({ length: 600 }, () => [rand()]);
    const y = X.map(([x], i) => 2 * x + 0.05 * rand() + (i % 25 === 0 ? 1000 : 0));
    const test = Array.from({ length: 200 }, (_, i) => [(i + 0.5) / 200]);
    const error = async (loss: 'absolute_error' | 'squared_error') => {
      const m = await new HistGradientBoostingRegressor({ loss, maxIter: 50, earlyStopping: false }).fit(X, y);
      const p = await m.predict(test);
      return test.reduce((sum, [x], i) => sum + Math.abs(p[i] - 2 * x), 0) / test.length;
    };
    const robust = await error('absolute_error');
    expect(robust).toBeLessThan(0.1);
    expect(robust * 10).toBeLessThan(await error('squared_error'));
  });
});
