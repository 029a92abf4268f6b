// StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler and Normalizer against straightforward
// JS references with scikit-learn's semantics: statistics, transforms, inverse round trips,
// partialFit over batches, NaN, float32, JSON round trips, errors, threads, abort and progress.
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  MaxAbsScaler,
  MinMaxScaler,
  Normalizer,
  NotFittedError,
  RobustScaler,
  StandardScaler,
  type Matrix,
} from 'threadml';
import { expectClose, fsum, rejection, uniform } from './helpers';

type Columns = number[][];

/** Column j's values that are not NaN. */
function columns(m: Matrix): Columns {
  return Array.from({ length: m.cols }, (_, j) => {
    const out: number[] = [];
    for (let i = 0; i < m.rows; i++) if (!Number.isNaN(m.data[i * m.cols + j])) out.push(m.data[i * m.cols + j]);
    return out;
  });
}

function refMean(v: number[]): number {
  return v.length === 0 ? NaN : fsum(v) / v.length;
}

function refVar(v: number[]): number {
  const mu = refMean(v);
  return v.length === 0 ? NaN : fsum(v.map((x) => (x - mu) * (x - mu))) / v.length;
}

/** NumPy's percentile with linear interpolation (its _lerp), NaN already removed. */
function refPercentile(v: number[], p: number): number {
  if (v.length === 0) return NaN;
  const s = [...v].sort((a, b) => a - b);
  const pos = (s.length - 1) * (p / 100);
  const lo = Math.min(Math.floor(pos), s.length - 1);
  const hi = Math.min(lo + 1, s.length - 1);
  const t = pos - lo;
  const d = s[hi] - s[lo];
  return t >= 0.5 ? s[hi] - d * (1 - t) : s[lo] + d * t;
}

function refMedian(v: number[]): number {
  if (v.length === 0) return NaN;
  const s = [...v].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
}

/** A rows x cols matrix of uniform values with column-dependent offsets and spreads, NaN at `nanEvery`. */
function testMatrix(rows: number, cols: number, seed: number, nanEvery = 0): Matrix<Float64Array> {
  const data = uniform(rows * cols, seed);
  for (let i = 0; i < data.length; i++) {
    const j = i % cols;
    data[i] = data[i] * (j + 1) + 10 * j - 3;
    if (nanEvery > 0 && (i * 7919) % nanEvery === 0) data[i] = NaN;
  }
  return { data, rows, cols };
}

/** out[i][j] must equal f(x[i][j], j) (NaN stays NaN) to `rel` relative to max(1, |expected|). */
function expectMap(out: Matrix, x: Matrix, f: (v: number, j: number) => number, rel = 1e-12): void {
  expect(out.rows).toBe(x.rows);
  expect(out.cols).toBe(x.cols);
  expect(out.data.constructor).toBe(x.data.constructor);
  for (let i = 0; i < x.data.length; i++) {
    const expected = f(x.data[i], i % x.cols);
    if (Number.isNaN(expected)) expect(out.data[i], `element ${i}`).toBeNaN();
    else if (Math.abs(out.data[i] - expected) > rel * Math.max(1, Math.abs(expected)))
      expect.fail(`element ${i}: ${out.data[i]} differs from ${expected} by more than ${rel}`);
  }
}

function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  for (let j = 0; j < expected.length; j++) expectClose(actual[j], expected[j], rel, `${label}[${j}]`);
}

const slice = (m: Matrix<Float64Array>, r0: number, r1: number): Matrix<Float64Array> => ({
  data: m.data.slice(r0 * m.cols, r1 * m.cols),
  rows: r1 - r0,
  cols: m.cols,
});

const toF32 = (m: Matrix): Matrix<Float32Array> => ({ data: Float32Array.from(m.data), rows: m.rows, cols: m.cols });

describe('StandardScaler', () => {
  it('matches values computed by hand on a small matrix', async () => {
    const scaler = new StandardScaler();
    const out = await scaler.fitTransform([
      [1, 10],
      [2, 10],
      [3, 10],
      [6, 10],
    ]);
    // column 0: mean 3, variance (4 + 1 + 0 + 9) / 4 = 3.5; column 1 is constant: scale 1.
    expect([...scaler.mean]).toEqual([3, 10]);
    expect([...(scaler.var as Float64Array)]).toEqual([3.5, 0]);
    expect([...(scaler.scale as Float64Array)]).toEqual([Math.sqrt(3.5), 1]);
    expect([...scaler.nSamplesSeen]).toEqual([4, 4]);
    expect(scaler.nFeaturesIn).toBe(2);
    const s = Math.sqrt(3.5);
    expect([...out.data]).toEqual([-2 / s, 0, -1 / s, 0, 0, 0, 3 / s, 0]);
  });

  for (const [rows, cols, nanEvery] of [
    [1000, 7, 0],
    [500, 13, 11],
    [60_000, 12, 0], // several row blocks and two threads
    [40, 1500, 97], // wide
  ] as const) {
    it(`fit and transform match the JS reference on ${rows}x${cols}${nanEvery ? ' with NaN' : ''}`, async () => {
      const x = testMatrix(rows, cols, rows + cols, nanEvery);
      const scaler = await new StandardScaler().fit(x);
      const cs = columns(x);
      const mean = cs.map(refMean);
      const variance = cs.map(refVar);
      expectAllClose(scaler.mean, mean, 1e-14, 'mean');
      expectAllClose(scaler.var as Float64Array, variance, 1e-12, 'var');
      expect([...scaler.nSamplesSeen]).toEqual(cs.map((c) => c.length));
      const out = await scaler.transform(x);
      expectMap(out, x, (v, j) => (v - mean[j]) / Math.sqrt(variance[j]));
      const back = await scaler.inverseTransform(out);
      expectMap(back, x, (v) => v, 1e-13);
    });
  }

  it('withMean false divides only; withStd false subtracts only (var and scale null)', async () => {
    const x = testMatrix(300, 4, 5);
    const cs = columns(x);
    const std = cs.map((c) => Math.sqrt(refVar(c)));
    const mean = cs.map(refMean);
    const noMean = new StandardScaler({ withMean: false });
    expectMap(await noMean.fitTransform(x), x, (v, j) => v / std[j]);
    const noStd = new StandardScaler({ withStd: false });
    expectMap(await noStd.fitTransform(x), x, (v, j) => v - mean[j]);
    expect(noStd.var).toBeNull();
    expect(noStd.scale).toBeNull();
    const neither = new StandardScaler({ withMean: false, withStd: false });
    expectMap(await neither.fitTransform(x), x, (v) => v, 0);
  });

  it('partialFit over batches equals fit on the whole (NaN-aware counts per column)', async () => {
    const x = testMatrix(3000, 9, 77, 13);
    // Column 2 of the middle batch has no values at all.
    for (let i = 1000; i < 2000; i++) x.data[i * 9 + 2] = NaN;
    const whole = await new StandardScaler().fit(x);
    const streamed = new StandardScaler();
    for (const [r0, r1] of [[0, 1], [1, 1000], [1000, 2000], [2000, 3000]]) await streamed.partialFit(slice(x, r0, r1));
    expect([...streamed.nSamplesSeen]).toEqual([...whole.nSamplesSeen]);
    expectAllClose(streamed.mean, whole.mean, 1e-13, 'mean');
    expectAllClose(streamed.var as Float64Array, whole.var as Float64Array, 1e-12, 'var');
  });

  it('partialFit calls that are not awaited run in call order', async () => {
    const x = testMatrix(400, 3, 8);
    const streamed = new StandardScaler();
    await Promise.all([streamed.partialFit(slice(x, 0, 100)), streamed.partialFit(slice(x, 100, 400))]);
    expect([...streamed.nSamplesSeen]).toEqual([400, 400, 400]);
    expectAllClose(streamed.mean, (await new StandardScaler().fit(x)).mean, 1e-13, 'mean');
  });

  it('a column without values has NaN statistics; NaN stays NaN in the output', async () => {
    const x = { data: Float64Array.from([1, NaN, 2, NaN, 4, NaN]), rows: 3, cols: 2 };
    const scaler = await new StandardScaler().fit(x);
    expect(scaler.mean[1]).toBeNaN();
    expect(scaler.nSamplesSeen[1]).toBe(0);
    const out = await scaler.transform({ data: Float64Array.from([NaN, 1]), rows: 1, cols: 2 });
    expect(out.data[0]).toBeNaN();
    expect(out.data[1]).toBeNaN();
  });

  it('float32 input gives float32 output within one float32 rounding', async () => {
    const x64 = testMatrix(2000, 5, 3, 17);
    const x = toF32(x64);
    const scaler = await new StandardScaler().fit(x);
    const cs = columns({ data: Float64Array.from(x.data), rows: x.rows, cols: x.cols });
    const mean = cs.map(refMean);
    const std = cs.map((c) => Math.sqrt(refVar(c)));
    expectAllClose(scaler.mean, mean, 1e-14, 'mean');
    const out = await scaler.transform(x);
    expect(out.data).toBeInstanceOf(Float32Array);
    expectMap(out, x, (v, j) => (v - mean[j]) / std[j], 2 ** -23);
  });

  it('gives bit-identical results for 1 and 2 threads', async () => {
    const x = testMatrix(200_000, 8, 4, 31);
    const one = new StandardScaler();
    const two = new StandardScaler();
    const a = await one.fitTransform(x, { threads: 1 });
    const b = await two.fitTransform(x, { threads: 2 });
    expect(Buffer.from(one.mean.buffer).equals(Buffer.from(two.mean.buffer))).toBe(true);
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
  });
});

describe('MinMaxScaler', () => {
  it('matches values computed by hand, with featureRange and clip', async () => {
    const scaler = new MinMaxScaler({ featureRange: [-1, 1] });
    const out = await scaler.fitTransform([
      [0, 5],
      [5, 5],
      [10, 5],
    ]);
    expect([...scaler.dataMin]).toEqual([0, 5]);
    expect([...scaler.dataMax]).toEqual([10, 5]);
    expect([...scaler.dataRange]).toEqual([10, 0]);
    expect([...scaler.scale]).toEqual([0.2, 2]); // a constant column's range counts as 1
    expect([...scaler.min]).toEqual([-1, -11]);
    expect(scaler.nSamplesSeen).toBe(3);
    expect([...out.data]).toEqual([-1, -1, 0, -1, 1, -1]);
    expect([...(await scaler.transform([[20, 5]])).data]).toEqual([3, -1]);
    const clipped = await new MinMaxScaler({ featureRange: [-1, 1], clip: true }).fit([[0], [10]]);
    expect([...(await clipped.transform([[20], [-5], [NaN], [5]])).data]).toEqual([1, -1, NaN, 0]);
  });

  it('matches the JS reference with NaN; inverseTransform round-trips; partialFit equals fit', async () => {
    const x = testMatrix(5000, 6, 21, 9);
    const cs = columns(x);
    const lo = cs.map((c) => Math.min(...c));
    const hi = cs.map((c) => Math.max(...c));
    const scaler = await new MinMaxScaler().fit(x);
    expect([...scaler.dataMin]).toEqual(lo);
    expect([...scaler.dataMax]).toEqual(hi);
    const out = await scaler.transform(x);
    expectMap(out, x, (v, j) => v * (1 / (hi[j] - lo[j])) + (0 - lo[j] * (1 / (hi[j] - lo[j]))), 1e-15);
    expectMap(await scaler.inverseTransform(out), x, (v) => v, 1e-12);
    const streamed = new MinMaxScaler();
    for (let r = 0; r < 5000; r += 1250) await streamed.partialFit(slice(x, r, r + 1250));
    expect([...streamed.dataMin]).toEqual(lo);
    expect([...streamed.dataMax]).toEqual(hi);
    expect(streamed.nSamplesSeen).toBe(5000);
  });
});

describe('MaxAbsScaler', () => {
  it('divides by the largest magnitude; zeros columns get scale 1; partialFit and inverse', async () => {
    const scaler = new MaxAbsScaler();
    const out = await scaler.fitTransform([
      [1, -4, 0],
      [-2, 2, 0],
      [NaN, 1, 0],
    ]);
    expect([...scaler.maxAbs]).toEqual([2, 4, 0]);
    expect([...scaler.scale]).toEqual([2, 4, 1]);
    expect([...out.data]).toEqual([0.5, -1, 0, -1, 0.5, 0, NaN, 0.25, 0]);
    expect([...(await scaler.inverseTransform(out)).data]).toEqual([1, -4, 0, -2, 2, 0, NaN, 1, 0]);
    const streamed = new MaxAbsScaler();
    await streamed.partialFit([[1, -4, 0]]);
    await streamed.partialFit([[-2, 2, 0], [NaN, 1, 0]]);
    expect([...streamed.maxAbs]).toEqual([2, 4, 0]);
    expect(streamed.nSamplesSeen).toBe(3);
  });
});

describe('RobustScaler', () => {
  it('centers on the median and scales by the interquartile range, by hand', async () => {
    const scaler = new RobustScaler();
    const out = await scaler.fitTransform([[1], [2], [3], [4], [100]]);
    // median 3; percentiles 25 and 75 at positions 1 and 3: 2 and 4, so the scale is 2.
    expect([...(scaler.center as Float64Array)]).toEqual([3]);
    expect([...(scaler.scale as Float64Array)]).toEqual([2]);
    expect([...out.data]).toEqual([-1, -0.5, 0, 0.5, 48.5]);
  });

  for (const [rows, cols, nanEvery] of [
    [101, 3, 0],
    [1000, 20, 7], // several column groups, NaN
    [4, 9, 0], // even counts: interpolation between two values
  ] as const) {
    it(`matches NumPy's nanmedian / nanpercentile reference on ${rows}x${cols}`, async () => {
      const x = testMatrix(rows, cols, 91 + rows, nanEvery);
      const cs = columns(x);
      const median = cs.map(refMedian);
      for (const quantileRange of [
        [25, 75],
        [10, 90],
        [0, 100],
        [33.3, 33.3],
      ] as [number, number][]) {
        const scaler = await new RobustScaler({ quantileRange }).fit(x);
        expect([...(scaler.center as Float64Array)]).toEqual(median);
        const iqr = cs.map((c) => refPercentile(c, quantileRange[1]) - refPercentile(c, quantileRange[0]));
        expect([...(scaler.scale as Float64Array)]).toEqual(iqr.map((s) => (s < 10 * Number.EPSILON ? 1 : s)));
        const out = await scaler.transform(x);
        const scale = scaler.scale as Float64Array;
        expectMap(out, x, (v, j) => (v - median[j]) / scale[j], 1e-15);
        expectMap(await scaler.inverseTransform(out), x, (v) => v, 1e-13);
      }
    });
  }

  it('withCentering / withScaling false leave center / scale null', async () => {
    const scaler = await new RobustScaler({ withCentering: false }).fit([[1], [2], [3]]);
    expect(scaler.center).toBeNull();
    expect([...(await scaler.transform([[2]])).data]).toEqual([2]);
    const unscaled = await new RobustScaler({ withScaling: false }).fit([[1], [2], [3]]);
    expect(unscaled.scale).toBeNull();
    expect([...(await unscaled.transform([[5]])).data]).toEqual([3]);
  });

  it('float32 stays float32', async () => {
    const x = toF32(testMatrix(99, 4, 5));
    const out = await new RobustScaler().fitTransform(x);
    expect(out.data).toBeInstanceOf(Float32Array);
  });
});

describe('Normalizer', () => {
  it('divides each row by its l2, l1 or max norm; zero rows stay zero', async () => {
    const x = [
      [3, 4],
      [0, 0],
      [-1, 3],
    ];
    expect([...(await new Normalizer().transform(x)).data]).toEqual([0.6, 0.8, 0, 0, -1 / Math.sqrt(10), 3 / Math.sqrt(10)]);
    expect([...(await new Normalizer({ norm: 'l1' }).transform(x)).data]).toEqual([3 / 7, 4 / 7, 0, 0, -0.25, 0.75]);
    expect([...(await new Normalizer({ norm: 'max' }).transform(x)).data]).toEqual([0.75, 1, 0, 0, -1 / 3, 1]);
  });

  it('matches the JS reference on a large matrix, float64 and float32', async () => {
    const x = testMatrix(4000, 30, 12);
    const out = await new Normalizer().fitTransform(x);
    const norms = Array.from({ length: x.rows }, (_, i) => Math.sqrt(fsum(Array.from(x.data.subarray(i * 30, i * 30 + 30), (v) => v * v))));
    expect([out.rows, out.cols, out.data.constructor]).toEqual([x.rows, x.cols, Float64Array]);
    for (let i = 0; i < x.data.length; i++) expect(Math.abs(out.data[i] - x.data[i] / norms[Math.floor(i / 30)])).toBeLessThan(1e-15);
    const out32 = await new Normalizer({ norm: 'l1' }).transform(toF32(x));
    expect(out32.data).toBeInstanceOf(Float32Array);
  });

  it('refuses NaN and infinity, naming the position', async () => {
    const error = await rejection(new Normalizer().transform([[1, 2], [3, NaN]]));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('Expected a finite number for X[1][1] but received NaN');
    expect((await rejection(new Normalizer().fit([[Infinity, 2]]))).message).toBe('Expected a finite number for X[0][0] but received Infinity');
  });

  it('works unfitted; after fit it checks the number of columns', async () => {
    const normalizer = await new Normalizer().fit([[1, 2, 3]]);
    expect(normalizer.nFeaturesIn).toBe(3);
    expect(await rejection(normalizer.transform([[1, 2]]))).toBeInstanceOf(RangeError);
  });
});

describe('every scaler', () => {
  const make = {
    StandardScaler: () => new StandardScaler({ withMean: false }),
    MinMaxScaler: () => new MinMaxScaler({ featureRange: [2, 5], clip: true }),
    MaxAbsScaler: () => new MaxAbsScaler(),
    RobustScaler: () => new RobustScaler({ quantileRange: [10, 80] }),
    Normalizer: () => new Normalizer({ norm: 'l1' }),
  };
  const fromJSON = {
    StandardScaler: StandardScaler.fromJSON,
    MinMaxScaler: MinMaxScaler.fromJSON,
    MaxAbsScaler: MaxAbsScaler.fromJSON,
    RobustScaler: RobustScaler.fromJSON,
    Normalizer: Normalizer.fromJSON,
  };
  const x = testMatrix(200, 5, 42, 0);
  x.data[7] = NaN;
  const positive = { data: x.data.map((v) => (Number.isNaN(v) ? 1 : Math.abs(v) + 1)), rows: x.rows, cols: x.cols };

  for (const name of Object.keys(make) as (keyof typeof make)[]) {
    const input = name === 'Normalizer' ? positive : x;

    it(`${name}: toJSON / fromJSON through JSON text gives the same transform`, async () => {
      const scaler = make[name]();
      const expected = await scaler.fitTransform(input);
      const json = JSON.parse(JSON.stringify(scaler));
      expect(json.format).toBe(`threadml.${name}`);
      expect(json.version).toBe(1);
      const restored = fromJSON[name](json);
      expect(restored.toJSON()).toEqual(scaler.toJSON());
      expect([...(await restored.transform(input)).data]).toEqual([...expected.data]);
      // An unfitted estimator round-trips too, and stays unfitted.
      const unfitted = fromJSON[name](JSON.parse(JSON.stringify(make[name]())));
      expect(unfitted.isFitted).toBe(false);
    });

    it(`${name}: a corrupted JSON object is a clear error`, () => {
      const good = make[name]();
      const json = JSON.parse(JSON.stringify(good));
      expect(() => fromJSON[name](null)).toThrow(TypeError);
      expect(() => fromJSON[name]({ ...json, format: 'threadml.Other' })).toThrow(/json\.format/);
      expect(() => fromJSON[name]({ ...json, version: 99 })).toThrow(/json\.version/);
      expect(() => fromJSON[name]({ ...json, state: { nFeaturesIn: -1 } })).toThrow(/json\.state\.nFeaturesIn/);
    });

    if (name !== 'Normalizer')
      it(`${name}: transform before fit is a NotFittedError; wrong shape, type and values are errors`, async () => {
        const scaler = make[name]();
        const unfitted = await rejection(scaler.transform(input));
        expect(unfitted).toBeInstanceOf(NotFittedError);
        expect(unfitted.message).toBe(`This ${name} is not fitted yet: call fit() before using it`);
        await scaler.fit(input);
        const shape = await rejection(scaler.transform([[1, 2, 3]]));
        expect(shape).toBeInstanceOf(RangeError);
        expect(shape.message).toBe('Expected 5 columns (the number of features seen in fit) for X.cols but received 3');
        expect(await rejection(scaler.transform({ data: new Int32Array(5), rows: 1, cols: 5 } as never))).toBeInstanceOf(TypeError);
        expect(await rejection(scaler.transform([]))).toBeInstanceOf(RangeError);
        expect(await rejection(make[name]().fit({ data: new Float64Array(0), rows: 0, cols: 5 }))).toBeInstanceOf(RangeError);
        const infinite = await rejection(make[name]().fit([[1, 2, 3, 4, 5], [1, 2, -Infinity, 4, 5]]));
        expect(infinite.message).toBe('Expected a finite number or NaN for X[1][2] but received -Infinity');
        expect((await rejection(scaler.transform([[1, 2, 3, 4, Infinity]]))).message).toBe(
          'Expected a finite number or NaN for X[0][4] but received Infinity',
        );
      });
  }

  it('StandardScaler: the JSON state is checked value by value', () => {
    const json = { format: 'threadml.StandardScaler', version: 1, params: { withMean: true, withStd: true } };
    const state = { nFeaturesIn: 2, nSamplesSeen: [3, 3], mean: [1, 2], var: [1, 1] };
    expect(StandardScaler.fromJSON({ ...json, state }).mean[1]).toBe(2);
    expect(() => StandardScaler.fromJSON({ ...json, state: { ...state, var: [1, -1] } })).toThrow(
      'Expected a number >= 0 for json.state.var[1] but received -1',
    );
    expect(() => StandardScaler.fromJSON({ ...json, state: { ...state, mean: [1] } })).toThrow(RangeError);
    expect(() => StandardScaler.fromJSON({ ...json, state: { ...state, mean: [1, 'x'] } })).toThrow(TypeError);
    expect(() => StandardScaler.fromJSON({ ...json, params: { withMean: 'yes' }, state })).toThrow(
      'Expected a boolean for json.params.withMean but received the string "yes"',
    );
    expect(() => StandardScaler.fromJSON({ ...json, params: { withStd: false }, state })).toThrow(/json\.state\.var/);
  });

  it('options are checked in the constructor', () => {
    expect(() => new StandardScaler({ withMean: 1 as never })).toThrow(TypeError);
    expect(() => new MinMaxScaler({ featureRange: [1, 1] })).toThrow('Expected a number > options.featureRange[0] (1) for options.featureRange[1] but received 1');
    expect(() => new RobustScaler({ quantileRange: [-5, 50] })).toThrow(RangeError);
    expect(() => new Normalizer({ norm: 'l3' as never })).toThrow("Expected 'l1' or 'l2' or 'max' for options.norm but received the string \"l3\"");
  });

  it('abort rejects with an AbortError; progress rises to 1 across fit and transform', async () => {
    const big = testMatrix(400_000, 10, 1);
    const controller = new AbortController();
    const pending = new StandardScaler().fitTransform(big, { signal: controller.signal, threads: 1 });
    controller.abort();
    expect(await rejection(pending)).toBeInstanceOf(AbortError);
    const seen: number[] = [];
    await new RobustScaler().fitTransform(big, { onProgress: (f) => seen.push(f) });
    expect(seen.length).toBeGreaterThan(2);
    expect(seen[seen.length - 1]).toBe(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
  });
});
