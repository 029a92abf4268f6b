// Whole-array reductions against slow JS references: every op, both float types, many sizes.
import { describe, expect, it } from 'vitest';
import { argmax, argmin, dot, max, mean, min, norm, std, sum, variance, type ReduceInput } from 'threadml';
import {
  allOps,
  expectClose,
  fsum,
  mixedMagnitudes,
  naiveSum,
  reference,
  tolerance,
  uniform,
  type Op,
  type RefOptions,
} from './helpers';

/** Calls the threadml function for `op` with the reference's options. */
function run(op: Op, x: ReduceInput, options: RefOptions = {}): Promise<number> {
  switch (op) {
    case 'sum':
      return sum(x, options);
    case 'mean':
      return mean(x, options);
    case 'variance':
      return variance(x, options);
    case 'std':
      return std(x, options);
    case 'min':
      return min(x, options);
    case 'max':
      return max(x, options);
    case 'argmin':
      return argmin(x, options);
    case 'argmax':
      return argmax(x, options);
    case 'norm1':
      return norm(x, { ord: 1 });
    case 'norm2':
      return norm(x, { ord: 2 });
    case 'normInf':
      return norm(x, { ord: Infinity });
  }
}

// Sizes around the 16 SIMD lanes, the 4096-element chunks and the 64-chunk tasks.
const SIZES = [1, 2, 15, 16, 17, 4095, 4096, 4097, 65537, 300001];

describe('the references themselves', () => {
  it('fsum is correctly rounded where a naive sum is not', () => {
    expect(fsum([1e16, 1, -1e16])).toBe(1);
    expect(fsum(new Array(10).fill(0.1))).toBe(1);
    expect(naiveSum(new Array(10).fill(0.1))).not.toBe(1);
    expect(fsum([1, 1e100, 1, -1e100])).toBe(2);
    expect(fsum([2 ** 53, 1, 1e-30])).toBe(2 ** 53 + 2); // the half-way case rounds up thanks to 1e-30
  });

  it('reference ops agree with hand-computed values', () => {
    const x = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(reference('mean', x)).toBe(5);
    expect(reference('variance', x)).toBe(4);
    expect(reference('variance', x, { ddof: 1 })).toBe(32 / 7);
    expect(reference('std', x)).toBe(2);
    expect(reference('argmin', [3, 1, 1])).toBe(1);
    expect(reference('argmax', [3, 9, 9])).toBe(1);
    expect(reference('norm2', [3, 4])).toBe(5);
    expect(reference('norm1', [-3, 4])).toBe(7);
    expect(reference('normInf', [-3, 2])).toBe(3);
  });
});

for (const dtype of ['Float64Array', 'Float32Array'] as const) {
  describe(`${dtype}: every op against the JS reference`, () => {
    for (const n of SIZES) {
      const f64 = uniform(n, 1000 + n);
      const x = dtype === 'Float64Array' ? f64 : Float32Array.from(f64);
      // The reference sees exactly the values threadml sees (float32 values widened to float64).
      const values = Float64Array.from(x);

      for (const op of allOps) {
        it(`${op} of n=${n}`, async () => {
          expectClose(await run(op, x), reference(op, values), tolerance(op), op);
        });
      }
      for (const ddof of [0, 1]) {
        it(`variance and std with ddof ${ddof}, n=${n}`, async () => {
          const expectedVar = reference('variance', values, { ddof });
          const expectedStd = reference('std', values, { ddof });
          expectClose(await variance(x, { ddof }), expectedVar, 1e-13, 'variance');
          expectClose(await std(x, { ddof }), expectedStd, 1e-13, 'std');
        });
      }
      it(`dot of n=${n}`, async () => {
        const g = uniform(n, 7000 + n);
        const y = dtype === 'Float64Array' ? g : Float32Array.from(g);
        const yv = Float64Array.from(y);
        // float32 products are exact in float64, so this is the exact float64-accumulated result.
        const expected = fsum(values.map((v, i) => v * yv[i]));
        expectClose(await dot(x, y), expected, 1e-14, 'dot');
      });
    }
  });
}

describe('hard data', () => {
  it('sums of mixed magnitudes (10^-8 .. 10^8, both signs) are correctly rounded to 1e-14', async () => {
    for (const n of [4097, 300001]) {
      const x = mixedMagnitudes(n, 42 + n);
      const exact = fsum(x);
      expectClose(await sum(x), exact, 1e-14, `sum n=${n}`);
      expectClose(await mean(x), exact / n, 1e-14, `mean n=${n}`);
      expectClose(await norm(x, { ord: 1 }), reference('norm1', x), 1e-14, `norm1 n=${n}`);
      const y = mixedMagnitudes(n, 4242 + n);
      expectClose(await dot(x, y), fsum(x.map((v, i) => v * y[i])), 1e-14, `dot n=${n}`);
    }
  });

  it('variance is accurate for data with a large offset (1e6 + noise), where E[x^2] - E[x]^2 fails', async () => {
    for (const n of [4097, 300001]) {
      const x = uniform(n, 99 + n, 1e6 - 1, 1e6 + 1);
      const expected = reference('variance', x);
      expectClose(await variance(x), expected, 1e-12, `variance n=${n}`);
      expectClose(await std(x, { ddof: 1 }), reference('std', x, { ddof: 1 }), 1e-12, `std n=${n}`);
      expectClose(await mean(x), reference('mean', x), 1e-14, `mean n=${n}`);
      // The textbook one-pass formula loses most digits here: the test data is genuinely hard.
      const naive = naiveSum(x.map((v) => v * v)) / n - (naiveSum(x) / n) ** 2;
      expect(Math.abs(naive - expected) / expected).toBeGreaterThan(1e-9);
    }
  });

  it('1e16, 1, -1e16 patterns: the compensated sum is exact where a naive sum loses every 1', async () => {
    for (const triples of [1, 10, 4097, 100001]) {
      const x = new Float64Array(3 * triples);
      for (let t = 0; t < triples; t++) x.set([1e16, 1, -1e16], 3 * t);
      expect(naiveSum(x)).toBe(0);
      expect(await sum(x), `sum of ${triples} triples`).toBe(triples);
      expect(await mean(x)).toBe(triples / x.length);
    }
  });

  it('cancellation across chunks: 1e16 first, -1e16 last, ones in between', async () => {
    for (const n of [5000, 300001]) {
      const x = new Float64Array(n).fill(1);
      x[0] = 1e16;
      x[n - 1] = -1e16;
      expect(naiveSum(x)).not.toBe(n - 2);
      expect(await sum(x)).toBe(n - 2);
      expect(await sum(x, { threads: 1 })).toBe(n - 2);
    }
  });

  it('float32 input accumulates in float64: 1e6 copies of fround(0.1) sum exactly', async () => {
    const x = new Float32Array(1_000_000).fill(0.1);
    const expected = 1e6 * Math.fround(0.1); // exact: 13421773e6 * 2^-27 fits in 53 bits
    expect(await sum(x)).toBe(expected);
    expect(await mean(x)).toBe(Math.fround(0.1));
    // A float32 accumulator would be far off.
    let acc = 0;
    for (let i = 0; i < x.length; i++) acc = Math.fround(acc + x[i]);
    expect(Math.abs(acc - expected)).toBeGreaterThan(100);
  });

  it('norm 2 rescales pairs whose squares overflow (3e200, 4e200) or underflow (3e-200, 4e-200)', async () => {
    expectClose(await norm([3e200, 4e200]), 5e200, 1e-15, 'huge pair');
    expectClose(await norm([3e-200, 4e-200]), 5e-200, 1e-15, 'tiny pair');
    expectClose(await norm([1e200, 1e-200]), 1e200, 1e-15, 'huge and tiny');
    expect(await norm(new Float64Array(10))).toBe(0);
  });

  // 4096 fits in one chunk; 4097 and more combine several chunks' sums of squares.
  for (const n of [4, 4096, 4097, 300001]) {
    for (const value of [1e200, -1e-200, 1e154]) {
      it(`norm 2 of ${n} copies of ${value} is sqrt(${n}) * ${Math.abs(value)}`, async () => {
        expectClose(await norm(new Float64Array(n).fill(value)), Math.sqrt(n) * Math.abs(value), 1e-14);
      });
    }
  }

  it('norm 2 of random values scaled by 1e250 and 1e-250 (several chunks)', async () => {
    for (const scale of [1e250, 1e-250]) {
      const x = uniform(10000, 5).map((v) => v * scale);
      expectClose(await norm(x), reference('norm2', x), 1e-14, `scale ${scale}`);
    }
  });

  it('norm 2 of subnormal values', async () => {
    expect(await norm([5e-324])).toBe(5e-324);
    expectClose(await norm([3e-310, 4e-310]), 5e-310, 1e-9, 'subnormal pair'); // subnormals carry few digits
    expect(await norm([2.5e-308])).toBe(2.5e-308);
    // Along an axis too.
    expect(await norm([[5e-324, 5e-324]], { axis: 0 })).toEqual(new Float64Array([5e-324, 5e-324]));
    expect(await norm([[5e-324, 0]], { axis: 1 })).toEqual(new Float64Array([5e-324]));
  });

  it('extrema: first index on ties, exact values, signs', async () => {
    expect(await argmin([3, 1, 2, 1])).toBe(1);
    expect(await argmax([3, 7, 7, 1])).toBe(1);
    const big = new Float64Array(300001).fill(5);
    big[123456] = -2;
    big[200000] = -2;
    big[7] = 9;
    big[299999] = 9;
    expect(await argmin(big)).toBe(123456);
    expect(await argmax(big)).toBe(7);
    expect(await min(big)).toBe(-2);
    expect(await max(big)).toBe(9);
    expect(await norm(big, { ord: Infinity })).toBe(9);
    big[250000] = -10;
    expect(await norm(big, { ord: Infinity })).toBe(10);
    expect(await argmin(new Float32Array([1, 0.5, Math.fround(0.1), Math.fround(0.1)]))).toBe(2);
    expect(await min(new Float32Array([1, 0.5, 0.1]))).toBe(Math.fround(0.1));
  });

  it('variance edge cases: one element, ddof >= n gives NaN, fractional ddof', async () => {
    expect(await variance([5])).toBe(0);
    expect(await variance([5], { ddof: 1 })).toBeNaN();
    expect(await std([1, 2], { ddof: 2 })).toBeNaN();
    expect(await variance([1, 2, 3, 4], { ddof: 1.5 })).toBe(5 / 2.5);
    expect(await std([2, 4, 4, 4, 5, 5, 7, 9])).toBe(2);
    expect(await variance(new Float64Array(5000).fill(3.25))).toBe(0);
  });
});

describe('input forms', () => {
  it('number[] is accepted', async () => {
    expect(await sum([1, 2, 3.5])).toBe(6.5);
    expect(await mean([1, 2, 3, 4])).toBe(2.5);
    expect(await variance([2, 4, 4, 4, 5, 5, 7, 9])).toBe(4);
    expect(await argmax([1, 5, 7, 2])).toBe(2);
    expect(await dot([1, 2, 3], [4, 5, 6])).toBe(32);
  });

  it('number[][], {data, rows, cols} and ml-matrix-like objects reduce over all elements without axis', async () => {
    expect(await sum([[1, 2], [3, 4]])).toBe(10);
    expect(await mean([[1, 2], [3, 4]])).toBe(2.5);
    expect(await variance([[1, 2], [3, 4]])).toBe(1.25);
    expect(await argmax([[1, 5], [7, 2]])).toBe(2); // flat row-major index
    expect(await argmin([[1, 5], [7, 0]])).toBe(3);
    expect(await norm([[3, 0], [0, 4]])).toBe(5); // Frobenius
    expect(await sum({ data: new Float32Array([1, 2, 3, 4, 5, 6]), rows: 2, cols: 3 })).toBe(21);
    expect(await max({ rows: 2, columns: 2, to1DArray: () => [1, 9, 3, 4] })).toBe(9);
  });

  it('arrays on a SharedArrayBuffer (the way to share data with worker_threads) are accepted', async () => {
    for (const n of [10, 100000]) {
      const x = new Float64Array(new SharedArrayBuffer(8 * n));
      x.set(uniform(n, 3));
      expectClose(await sum(x), fsum(x), 1e-14, `sum n=${n}`);
      const y = new Float32Array(new SharedArrayBuffer(4 * n)).fill(0.5);
      expect(await mean(y)).toBe(0.5);
    }
    const m = { data: new Float64Array(new SharedArrayBuffer(8 * 6)).fill(2), rows: 2, cols: 3 };
    expect(await sum(m, { axis: 0 })).toEqual(new Float64Array([4, 4, 4]));
  });

  it('typed-array views with a byte offset read the right elements', async () => {
    const base = Float64Array.from({ length: 20000 }, (_, i) => i);
    const view = base.subarray(3, 10003); // 3 .. 10002
    expect(await sum(view)).toBe((10002 * 10003) / 2 - 3);
    expect(await argmin(view)).toBe(0);
    expect(await min(view)).toBe(3);
    const f32 = new Float32Array(new Float64Array([1, 2, 3, 4]).buffer, 4, 5); // odd float32 offset
    expect(await sum(f32)).toBe(fsum(Float64Array.from(f32)));
  });
});
