// trainTestSplit: scikit-learn's sizes and rounding, stratification proportions, determinism with
// randomState, no overlap and full coverage, row selection that keeps types, and bad input.
import { describe, expect, it } from 'vitest';
import { trainTestSplit, type Matrix } from 'threadml';
import { rejection } from './helpers';

function rowsMatrix(rows: number, cols: number): Matrix<Float64Array> {
  // Row i holds i, i + 0.5, ...: every row says where it came from.
  return { data: Float64Array.from({ length: rows * cols }, (_, k) => Math.floor(k / cols) + (k % cols) / cols), rows, cols };
}

function expectRowsOf(part: Matrix, index: Int32Array, cols: number): void {
  expect([part.rows, part.cols]).toEqual([index.length, cols]);
  for (let r = 0; r < index.length; r++) expect(part.data[r * cols]).toBe(index[r]);
}

describe('trainTestSplit', () => {
  it('splits 25% off for testing by default, rows and labels together, with no overlap', async () => {
    const X = rowsMatrix(103, 3);
    const y = Int32Array.from({ length: 103 }, (_, i) => i * 10);
    const split = await trainTestSplit(X, y, { randomState: 0 });
    expect(split.testIndex.length).toBe(26); // ceil(0.25 * 103)
    expect(split.trainIndex.length).toBe(77);
    expectRowsOf(split.XTrain, split.trainIndex, 3);
    expectRowsOf(split.XTest, split.testIndex, 3);
    expect(split.yTrain).toBeInstanceOf(Int32Array);
    expect([...split.yTest]).toEqual([...split.testIndex].map((i) => i * 10));
    const all = [...split.trainIndex, ...split.testIndex].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 103 }, (_, i) => i));
  });

  it('follows scikit-learn\'s sizes: test fractions round up, train fractions down, counts are exact', async () => {
    const X = rowsMatrix(10, 1);
    const y = Array.from({ length: 10 }, (_, i) => i);
    const sizes = async (options: object) => {
      const s = await trainTestSplit(X, y, { randomState: 1, ...options });
      return [s.trainIndex.length, s.testIndex.length];
    };
    expect(await sizes({ testSize: 0.33 })).toEqual([6, 4]);
    expect(await sizes({ trainSize: 0.66 })).toEqual([6, 4]);
    expect(await sizes({ testSize: 3 })).toEqual([7, 3]);
    expect(await sizes({ trainSize: 2, testSize: 0.5 })).toEqual([2, 5]);
    expect(await sizes({ trainSize: 0.4, testSize: 0.3 })).toEqual([4, 3]);
  });

  it('is deterministic for a randomState and differs between seeds', async () => {
    const X = rowsMatrix(500, 2);
    const y = new Float64Array(500);
    const a = await trainTestSplit(X, y, { randomState: 42 });
    const b = await trainTestSplit(X, y, { randomState: 42 });
    const c = await trainTestSplit(X, y, { randomState: 43 });
    expect([...a.trainIndex]).toEqual([...b.trainIndex]);
    expect([...a.testIndex]).toEqual([...b.testIndex]);
    expect([...a.testIndex]).not.toEqual([...c.testIndex]);
    const unseeded = await trainTestSplit(X, y);
    expect(unseeded.testIndex.length).toBe(125);
  });

  it('takes the first rows for training without shuffle', async () => {
    const split = await trainTestSplit(rowsMatrix(8, 2), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], { shuffle: false, testSize: 0.25 });
    expect([...split.trainIndex]).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...split.testIndex]).toEqual([6, 7]);
    expect(split.yTest).toEqual(['g', 'h']);
  });

  it('stratifies: each class keeps its share in both sets', async () => {
    const n = 1000;
    const y = Array.from({ length: n }, (_, i) => (i % 10 < 6 ? 'common' : i % 10 < 9 ? 'middle' : 'rare'));
    const split = await trainTestSplit(rowsMatrix(n, 2), y, { testSize: 0.2, stratify: y, randomState: 7 });
    const count = (labels: string[], c: string) => labels.filter((v) => v === c).length;
    expect(['common', 'middle', 'rare'].map((c) => count(split.yTest, c))).toEqual([120, 60, 20]);
    expect(['common', 'middle', 'rare'].map((c) => count(split.yTrain, c))).toEqual([480, 240, 80]);
    // Uneven shares: counts stay within one row of the exact proportion.
    const z = Int32Array.from({ length: 101 }, (_, i) => (i < 50 ? 0 : i < 84 ? 1 : 2));
    const uneven = await trainTestSplit(rowsMatrix(101, 1), z, { testSize: 0.3, stratify: z, randomState: 3 });
    expect(uneven.testIndex.length).toBe(31);
    for (const [c, total] of [[0, 50], [1, 34], [2, 17]]) {
      const inTest = [...uneven.yTest].filter((v) => v === c).length;
      expect(Math.abs(inTest - (total * 31) / 101)).toBeLessThan(1);
    }
    const all = [...uneven.trainIndex, ...uneven.testIndex].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 101 }, (_, i) => i));
    const again = await trainTestSplit(rowsMatrix(101, 1), z, { testSize: 0.3, stratify: z, randomState: 3 });
    expect([...again.testIndex]).toEqual([...uneven.testIndex]);
  });

  it('keeps float32 rows float32 and splits large matrices natively', async () => {
    const rows = 300_000;
    const X = { data: Float32Array.from({ length: rows * 4 }, (_, k) => Math.floor(k / 4)), rows, cols: 4 };
    const split = await trainTestSplit(X, new Uint8Array(rows), { testSize: 0.1, randomState: 5 });
    expect(split.XTrain.data).toBeInstanceOf(Float32Array);
    expect(split.yTrain).toBeInstanceOf(Uint8Array);
    expectRowsOf(split.XTest, split.testIndex, 4);
  });

  it('rejects bad sizes, lengths and strata', async () => {
    const X = rowsMatrix(10, 2);
    const y = Array.from({ length: 10 }, (_, i) => i % 2);
    const message = async (options: object, labels: unknown = y) => (await rejection(trainTestSplit(X, labels as number[], options))).message;
    expect(await message({ testSize: 1.5 })).toBe('Expected a fraction in (0, 1) or an integer from 1 to 9 (the number of rows less one) for options.testSize but received 1.5');
    expect(await message({ testSize: 0 })).toMatch(/options\.testSize/);
    expect(await message({ testSize: 10 })).toMatch(/options\.testSize/);
    expect(await message({ testSize: 0.6, trainSize: 0.5 })).toMatch(/options\.trainSize/);
    expect(await message({ testSize: 6, trainSize: 5 })).toBe('Expected options.trainSize and options.testSize to add up to at most the 10 rows of X but received 5 + 6 rows');
    expect(await message({}, [1, 2])).toBe('Expected 10 labels (one per row of X) for y but received an array of length 2');
    expect(await message({ randomState: -1 })).toMatch(/options\.randomState/);
    expect(await message({ stratify: [...y.slice(0, 9), 7] })).toBe('Expected at least 2 rows of every class for options.stratify but received 1 row of class 7');
    expect(await message({ stratify: y, shuffle: false })).toMatch(/options\.shuffle/);
    expect(await message({ stratify: y.slice(1) })).toMatch(/options\.stratify/);
    expect(await message({ stratify: y, testSize: 1 })).toMatch(/at least 2 test rows/);
    expect(await rejection(trainTestSplit(X, 'abc' as never))).toBeInstanceOf(TypeError);
    expect(await rejection(trainTestSplit([[1]], [1]))).toBeInstanceOf(RangeError);
  });
});
