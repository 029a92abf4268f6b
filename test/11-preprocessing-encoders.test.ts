// SimpleImputer, OneHotEncoder and LabelEncoder: values by hand and against JS references, NaN and
// missing-value markers, unknown categories, string and numeric categories, float32, JSON, errors.
import { describe, expect, it } from 'vitest';
import { LabelEncoder, NotFittedError, OneHotEncoder, SimpleImputer, type Matrix } from 'threadml';
import { fsum, mulberry32, rejection } from './helpers';

const values = (m: Matrix) => [...m.data];

describe('SimpleImputer', () => {
  const x = [
    [1, NaN, 7],
    [3, NaN, 7],
    [3, 4, NaN],
    [NaN, 6, 5],
    [10, 4, 5],
  ];

  it('fills NaN with the mean, median, most frequent value or a constant, by hand', async () => {
    const mean = new SimpleImputer();
    expect(values(await mean.fitTransform(x))).toEqual([1, 14 / 3, 7, 3, 14 / 3, 7, 3, 4, 6, 17 / 4, 6, 5, 10, 4, 5]);
    expect([...mean.statistics]).toEqual([17 / 4, 14 / 3, 6]);
    const median = await new SimpleImputer({ strategy: 'median' }).fit(x);
    expect([...median.statistics]).toEqual([3, 4, 6]); // even counts: the mean of the two middle values
    const frequent = await new SimpleImputer({ strategy: 'mostFrequent' }).fit(x);
    expect([...frequent.statistics]).toEqual([3, 4, 5]); // 5 and 7 tie: the smallest wins
    const constant = new SimpleImputer({ strategy: 'constant', fillValue: -1 });
    expect(values(await constant.fitTransform(x))).toEqual([1, -1, 7, 3, -1, 7, 3, 4, -1, -1, 6, 5, 10, 4, 5]);
  });

  it('treats a numeric missingValues as missing and refuses NaN then', async () => {
    const imputer = new SimpleImputer({ missingValues: -1, strategy: 'median' });
    const out = await imputer.fitTransform([
      [1, -1],
      [5, 2],
      [-1, 4],
    ]);
    expect([...imputer.statistics]).toEqual([3, 3]);
    expect(values(out)).toEqual([1, 3, 5, 2, 3, 4]);
    const error = await rejection(imputer.transform([[NaN, 1]]));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('Expected a finite number for X[0][0] but received NaN');
    expect(await rejection(new SimpleImputer({ missingValues: 0 }).fit([[1], [NaN]]))).toBeInstanceOf(RangeError);
  });

  it('drops columns that were empty in fit, unless keepEmptyFeatures or strategy constant', async () => {
    const data = [
      [1, NaN, 2],
      [3, NaN, NaN],
    ];
    const dropping = new SimpleImputer();
    const out = await dropping.fitTransform(data);
    expect(dropping.statistics[1]).toBeNaN();
    expect([out.rows, out.cols]).toEqual([2, 2]);
    expect(values(out)).toEqual([1, 2, 3, 2]);
    const keeping = new SimpleImputer({ keepEmptyFeatures: true });
    expect(values(await keeping.fitTransform(data))).toEqual([1, 0, 2, 3, 0, 2]);
    expect([...keeping.statistics]).toEqual([2, 0, 2]);
    const constant = new SimpleImputer({ strategy: 'constant' });
    expect(values(await constant.fitTransform(data))).toEqual([1, 0, 2, 3, 0, 0]);
    const none = await new SimpleImputer().fitTransform([[NaN], [NaN]]);
    expect([none.rows, none.cols, none.data.length]).toEqual([2, 0, 0]);
  });

  it('matches JS references on a large matrix with NaN, float64 and float32, for 1 and 2 threads', async () => {
    const rows = 100_000;
    const cols = 7;
    const rand = mulberry32(5);
    const data = Float64Array.from({ length: rows * cols }, () => (rand() < 0.2 ? NaN : Math.floor(rand() * 50) / 4));
    const x = { data, rows, cols };
    const present = Array.from({ length: cols }, (_, j) => Array.from({ length: rows }, (_, i) => data[i * cols + j]).filter((v) => !Number.isNaN(v)));
    const sorted = present.map((c) => [...c].sort((a, b) => a - b));
    const reference = {
      mean: present.map((c) => fsum(c) / c.length),
      median: sorted.map((s) => (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2),
      mostFrequent: present.map((c) => {
        const counts = new Map<number, number>();
        for (const v of c) counts.set(v, (counts.get(v) ?? 0) + 1);
        return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
      }),
    };
    for (const strategy of ['mean', 'median', 'mostFrequent'] as const) {
      const one = await new SimpleImputer({ strategy }).fit(x, { threads: 1 });
      const two = await new SimpleImputer({ strategy }).fit(x, { threads: 2 });
      expect([...one.statistics], strategy).toEqual([...two.statistics]);
      for (let j = 0; j < cols; j++) expect(Math.abs(one.statistics[j] - reference[strategy][j])).toBeLessThanOrEqual(1e-14 * reference[strategy][j]);
      const out = await two.transform(x);
      let wrong = 0;
      for (let i = 0; i < data.length; i++) wrong += out.data[i] === (Number.isNaN(data[i]) ? two.statistics[i % cols] : data[i]) ? 0 : 1;
      expect(wrong, strategy).toBe(0);
    }
    const out32 = await new SimpleImputer({ strategy: 'median' }).fitTransform({ data: Float32Array.from(data), rows, cols });
    expect(out32.data).toBeInstanceOf(Float32Array);
    expect(out32.data.some(Number.isNaN)).toBe(false);
  });

  it('round-trips through JSON (NaN statistics included) and checks it', async () => {
    const imputer = await new SimpleImputer({ missingValues: -1, strategy: 'mostFrequent' }).fit([
      [1, -1],
      [1, -1],
    ]);
    const json = JSON.parse(JSON.stringify(imputer));
    expect(json.state.statistics).toEqual([1, null]);
    const restored = SimpleImputer.fromJSON(json);
    expect(restored.missingValues).toBe(-1);
    expect(values(await restored.transform([[-1, 5]]))).toEqual([1]);
    expect(SimpleImputer.fromJSON(new SimpleImputer().toJSON()).missingValues).toBeNaN();
    expect(() => SimpleImputer.fromJSON({ ...json, params: { ...json.params, strategy: 'mode' } })).toThrow(
      "Expected 'mean' or 'median' or 'mostFrequent' or 'constant' for json.params.strategy but received the string \"mode\"",
    );
    expect(() => SimpleImputer.fromJSON({ ...json, state: { nFeaturesIn: 2, statistics: [1] } })).toThrow(/json\.state\.statistics/);
  });

  it('errors: not fitted, shape, options', async () => {
    expect(await rejection(new SimpleImputer().transform(x))).toBeInstanceOf(NotFittedError);
    const imputer = await new SimpleImputer().fit(x);
    expect(await rejection(imputer.transform([[1, 2]]))).toBeInstanceOf(RangeError);
    expect(() => new SimpleImputer({ strategy: 'mode' as never })).toThrow(RangeError);
    expect(() => new SimpleImputer({ missingValues: Infinity })).toThrow(RangeError);
    expect(() => new SimpleImputer({ fillValue: '0' as never })).toThrow(TypeError);
    expect((await rejection(imputer.transform([[Infinity, 1, 2]]))).message).toBe('Expected a finite number or NaN for X[0][0] but received Infinity');
  });
});

describe('OneHotEncoder', () => {
  it('encodes numeric categories by hand (sorted distinct values per column)', async () => {
    const encoder = new OneHotEncoder();
    const out = await encoder.fitTransform([
      [3, 10],
      [1, 10],
      [3, 20],
    ]);
    expect(encoder.categories.map((c) => [...c])).toEqual([
      [1, 3],
      [10, 20],
    ]);
    expect(encoder.nFeaturesIn).toBe(2);
    expect([out.rows, out.cols]).toEqual([3, 4]);
    expect(values(out)).toEqual([0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1]);
    expect(out.data).toBeInstanceOf(Float64Array);
    const back = (await encoder.inverseTransform(out)) as Matrix;
    expect(values(back)).toEqual([3, 10, 1, 10, 3, 20]);
  });

  it('encodes strings; given string categories keep their order', async () => {
    const rows = [
      ['red', 'S'],
      ['blue', 'M'],
      ['red', 'L'],
    ];
    const encoder = new OneHotEncoder();
    const out = await encoder.fitTransform(rows);
    expect(encoder.categories).toEqual([
      ['blue', 'red'],
      ['L', 'M', 'S'],
    ]);
    expect(values(out)).toEqual([0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0]);
    expect(await encoder.inverseTransform(out)).toEqual(rows);
    const given = new OneHotEncoder({ categories: [['red', 'blue', 'green'], ['S', 'M', 'L']] });
    expect(values(await given.fitTransform(rows))).toEqual([1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1]);
  });

  it('unknown categories: an error naming the value, or zeros with handleUnknown ignore', async () => {
    const strict = await new OneHotEncoder().fit([[1], [2]]);
    const error = await rejection(strict.transform([[2], [7]]));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('Expected a category seen in fit for X[1][0] but received 7');
    const lenient = await new OneHotEncoder({ handleUnknown: 'ignore' }).fit([['a'], ['b']]);
    const out = await lenient.transform([['b'], ['z']]);
    expect(values(out)).toEqual([0, 1, 0, 0]);
    expect(await lenient.inverseTransform(out)).toEqual([['b'], [null]]);
    expect((await rejection(strict.inverseTransform([[0, 0]]))).message).toMatch(/handleUnknown is 'error'/);
    const numeric = await new OneHotEncoder({ handleUnknown: 'ignore' }).fit([[1], [2]]);
    const back = (await numeric.inverseTransform([[0, 0], [0, 1]])) as Matrix;
    expect(values(back)).toEqual([NaN, 2]);
  });

  it('given numeric categories must ascend, and (handleUnknown error) cover X in fit', async () => {
    expect(() => new OneHotEncoder({ categories: [[2, 1]] })).toThrow('Expected a number > options.categories[0][0] (numeric categories ascend) for options.categories[0][1] but received 1');
    expect(() => new OneHotEncoder({ categories: [['a', 'a']] })).toThrow(RangeError);
    expect(() => new OneHotEncoder({ categories: [[1, 'a'] as never] })).toThrow(TypeError);
    const error = await rejection(new OneHotEncoder({ categories: [[1, 2]] }).fit([[1], [3]]));
    expect(error.message).toBe('Expected one of the categories given in options.categories for X[1][0] but received 3');
    const encoder = await new OneHotEncoder({ categories: [[1, 2, 5]], handleUnknown: 'ignore' }).fit([[1], [3]]);
    expect(values(await encoder.transform([[5], [3]]))).toEqual([0, 0, 1, 0, 0, 0]);
    expect(await rejection(new OneHotEncoder({ categories: [[1], [2]] }).fit([[1]]))).toBeInstanceOf(RangeError);
  });

  it('float32 input gives float32 output unless dtype says otherwise', async () => {
    const x = { data: Float32Array.from([0, 1, 1]), rows: 3, cols: 1 };
    expect((await new OneHotEncoder().fitTransform(x)).data).toBeInstanceOf(Float32Array);
    expect((await new OneHotEncoder({ dtype: 'float64' }).fitTransform(x)).data).toBeInstanceOf(Float64Array);
    expect((await new OneHotEncoder({ dtype: 'float32' }).fitTransform([['a']])).data).toBeInstanceOf(Float32Array);
  });

  it('matches a JS reference on a large integer matrix', async () => {
    const rows = 60_000;
    const cols = 5;
    const rand = mulberry32(9);
    const data = Float64Array.from({ length: rows * cols }, (_, i) => Math.floor(rand() * (2 + (i % cols))) - 1);
    const encoder = new OneHotEncoder();
    const out = await encoder.fitTransform({ data, rows, cols });
    const sizes = Array.from({ length: cols }, (_, j) => 2 + j);
    expect(encoder.categories.map((c) => c.length)).toEqual(sizes);
    const width = sizes.reduce((a, b) => a + b, 0);
    expect(out.cols).toBe(width);
    const expected = new Float64Array(rows * width);
    for (let i = 0; i < rows; i++) {
      let offset = 0;
      for (let j = 0; j < cols; j++) {
        expected[i * width + offset + data[i * cols + j] + 1] = 1;
        offset += sizes[j];
      }
    }
    expect(Buffer.from(out.data.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  });

  it('refuses NaN, mixed kinds and wrong shapes', async () => {
    expect((await rejection(new OneHotEncoder().fit([[1], [NaN]]))).message).toBe('Expected a finite number for X[1][0] but received NaN');
    const encoder = await new OneHotEncoder().fit([['a', 'b']]);
    const kind = await rejection(encoder.transform([[1, 2]]));
    expect(kind).toBeInstanceOf(TypeError);
    expect(kind.message).toBe('Expected strings (as in fit) for X[0][0] but received 1');
    expect(await rejection(encoder.transform([['a']]))).toBeInstanceOf(RangeError);
    expect(await rejection(encoder.transform([['a', 3]] as never))).toBeInstanceOf(TypeError);
    expect(await rejection(new OneHotEncoder().transform([['a']]))).toBeInstanceOf(NotFittedError);
    expect(() => new OneHotEncoder({ handleUnknown: 'skip' as never })).toThrow(RangeError);
  });

  it('round-trips through JSON and checks it', async () => {
    for (const encoder of [
      await new OneHotEncoder({ handleUnknown: 'ignore', dtype: 'float32' }).fit([[1.5, 2], [3, 2]]),
      await new OneHotEncoder({ categories: [['x', 'y']] }).fit([['y']]),
    ]) {
      const json = JSON.parse(JSON.stringify(encoder));
      const restored = OneHotEncoder.fromJSON(json);
      expect(restored.toJSON()).toEqual(encoder.toJSON());
      expect(restored.categories).toEqual(encoder.categories);
    }
    const json = new OneHotEncoder().toJSON();
    expect(() => OneHotEncoder.fromJSON({ ...json, state: { nFeaturesIn: 1, categories: [[3, 1]] } })).toThrow(/json\.state\.categories\[0\]\[1\]/);
    expect(() => OneHotEncoder.fromJSON({ ...json, state: { nFeaturesIn: 2, categories: [[1]] } })).toThrow(RangeError);
  });
});

describe('LabelEncoder', () => {
  it('encodes strings as indexes of the sorted classes, and back', async () => {
    const encoder = new LabelEncoder();
    expect([...(await encoder.fitTransform(['paris', 'tokyo', 'amsterdam', 'paris']))]).toEqual([1, 2, 0, 1]);
    expect(encoder.classes).toEqual(['amsterdam', 'paris', 'tokyo']);
    expect(await encoder.inverseTransform([2, 0])).toEqual(['tokyo', 'amsterdam']);
  });

  it('encodes numbers (any typed array or number[]) natively', async () => {
    const encoder = await new LabelEncoder().fit(new Int32Array([5, -2, 5, 9]));
    expect(encoder.classes).toEqual(Float64Array.from([-2, 5, 9]));
    expect([...(await encoder.transform([9, 9, -2]))]).toEqual([2, 2, 0]);
    expect(await encoder.inverseTransform(Int32Array.from([1, 0]))).toEqual(Float64Array.from([5, -2]));
    const rand = mulberry32(3);
    const y = Float64Array.from({ length: 200_000 }, () => Math.floor(rand() * 1000) / 10);
    const big = new LabelEncoder();
    const codes = await big.fitTransform(y);
    const classes = big.classes as Float64Array;
    expect([...classes]).toEqual([...new Set(y)].sort((a, b) => a - b));
    for (let i = 0; i < y.length; i += 997) expect(classes[codes[i]]).toBe(y[i]);
  });

  it('errors: unseen labels, NaN, mixed kinds, bad codes, not fitted', async () => {
    const encoder = await new LabelEncoder().fit([1, 2]);
    expect((await rejection(encoder.transform([2, 3]))).message).toBe('Expected a label seen in fit for y[1] but received 3');
    expect((await rejection(encoder.transform([1, NaN]))).message).toBe('Expected a finite number for y[1] but received NaN');
    expect(await rejection(encoder.transform(['1']))).toBeInstanceOf(TypeError);
    expect(await rejection(encoder.transform([]))).toBeInstanceOf(RangeError);
    expect((await rejection(encoder.inverseTransform([2]))).message).toBe('Expected an integer from 0 to 1 for codes[0] but received 2');
    expect(await rejection(new LabelEncoder().transform([1]))).toBeInstanceOf(NotFittedError);
    expect(await rejection(new LabelEncoder().fit(['a', 1] as never))).toBeInstanceOf(TypeError);
  });

  it('round-trips through JSON and checks it', async () => {
    for (const y of [['b', 'a'], [3, 1, 2]]) {
      const encoder = await new LabelEncoder().fit(y as string[] | number[]);
      const restored = LabelEncoder.fromJSON(JSON.parse(JSON.stringify(encoder)));
      expect(restored.classes).toEqual(encoder.classes);
    }
    const json = new LabelEncoder().toJSON();
    expect(() => LabelEncoder.fromJSON({ ...json, state: { classes: ['b', 'a'] } })).toThrow(/sorted/);
    expect(() => LabelEncoder.fromJSON({ ...json, state: { classes: [2, 1] } })).toThrow(RangeError);
    expect(() => LabelEncoder.fromJSON({ ...json, format: 'threadml.OneHotEncoder' })).toThrow(/json\.format/);
  });
});
