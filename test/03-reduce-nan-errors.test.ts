// NaN and Infinity semantics (NumPy's, with skipNaN for the nan* variants), and every kind of bad input:
// the error class, the one message format, and that errors arrive as rejections.
import { describe, expect, it } from 'vitest';
import { argmax, argmin, dot, max, mean, min, norm, std, sum, variance, type MatrixInput, type ReduceInput } from 'threadml';
import { allOps, expectClose, expectCloseF32, lane, reference, rejection, tolerance, uniform, type Op, type RefOptions } from './helpers';

function run(op: Op, input: ReduceInput, options: RefOptions & { axis?: 0 | 1 } = {}): Promise<any> {
  // Loosely typed on purpose: one helper drives whole-array and axis calls alike.
  const x: any = input;
  const o: any = {};
  for (const key of ['skipNaN', 'ddof', 'axis'] as const) if (options[key] !== undefined) o[key] = options[key];
  const axisOnly: any = options.axis === undefined ? {} : { axis: options.axis };
  switch (op) {
    case 'sum':
      return sum(x, o);
    case 'mean':
      return mean(x, o);
    case 'variance':
      return variance(x, o);
    case 'std':
      return std(x, o);
    case 'min':
      return min(x, o);
    case 'max':
      return max(x, o);
    case 'argmin':
      return argmin(x, o);
    case 'argmax':
      return argmax(x, o);
    case 'norm1':
      return norm(x, { ...axisOnly, ord: 1 });
    case 'norm2':
      return norm(x, { ...axisOnly, ord: 2 });
    case 'normInf':
      return norm(x, { ...axisOnly, ord: Infinity });
  }
}

const skippable: Op[] = ['sum', 'mean', 'variance', 'std', 'min', 'max', 'argmin', 'argmax'];
const THIS_FILE = '03-reduce-nan-errors.test.ts';

describe('NaN propagates like NumPy', () => {
  it('by hand', async () => {
    const x = [1, NaN, 3, NaN, -2];
    expect(await sum(x)).toBeNaN();
    expect(await mean(x)).toBeNaN();
    expect(await variance(x)).toBeNaN();
    expect(await std(x)).toBeNaN();
    expect(await min(x)).toBeNaN();
    expect(await max(x)).toBeNaN();
    expect(await argmin(x)).toBe(1); // index of the first NaN
    expect(await argmax(x)).toBe(1);
    expect(await norm(x)).toBeNaN();
    expect(await norm(x, { ord: 1 })).toBeNaN();
    expect(await norm(x, { ord: Infinity })).toBeNaN();
    expect(await dot(x, [1, 1, 1, 1, 1])).toBeNaN();
  });

  it('skipNaN gives nansum, nanmean, nanvar, nanstd, nanmin, nanmax, nanargmin, nanargmax', async () => {
    const x = [1, NaN, 3, NaN, -2];
    expect(await sum(x, { skipNaN: true })).toBe(2);
    expect(await mean(x, { skipNaN: true })).toBe(2 / 3);
    expectClose(await variance(x, { skipNaN: true }), 38 / 9, 1e-15, 'nanvar');
    expectClose(await variance(x, { skipNaN: true, ddof: 1 }), 19 / 3, 1e-15, 'nanvar ddof 1');
    expectClose(await std(x, { skipNaN: true, ddof: 1 }), Math.sqrt(19 / 3), 1e-15, 'nanstd ddof 1');
    expect(await min(x, { skipNaN: true })).toBe(-2);
    expect(await max(x, { skipNaN: true })).toBe(3);
    expect(await argmin(x, { skipNaN: true })).toBe(4);
    expect(await argmax(x, { skipNaN: true })).toBe(2);
    expect(await sum([1, 2], { skipNaN: false })).toBe(3);
  });

  it('all NaN with skipNaN: nansum 0, mean/var/min/max NaN, argmin/argmax RangeError', async () => {
    for (const n of [3, 5000]) {
      const x = new Float64Array(n).fill(NaN);
      expect(await sum(x, { skipNaN: true })).toBe(0);
      expect(await mean(x, { skipNaN: true })).toBeNaN();
      expect(await variance(x, { skipNaN: true })).toBeNaN();
      expect(await min(x, { skipNaN: true })).toBeNaN();
      expect(await max(x, { skipNaN: true })).toBeNaN();
      for (const f of [argmin, argmax]) {
        const error = await rejection(f(x, { skipNaN: true }));
        expect(error).toBeInstanceOf(RangeError);
        expect(error.message).toMatch(/^Expected .+ for x but received .*NaN/);
      }
    }
  });

  it('skipNaN with fewer values than ddof + 1 gives NaN', async () => {
    expect(await variance([NaN, 4, NaN], { skipNaN: true, ddof: 1 })).toBeNaN();
    expect(await variance([NaN, 4, NaN], { skipNaN: true })).toBe(0);
  });

  for (const dtype of ['Float64Array', 'Float32Array'] as const) {
    for (const n of [10, 5000, 300001]) {
      it(`${dtype} n=${n} with NaNs in several chunks: every op, with and without skipNaN`, async () => {
        const f64 = uniform(n, 31 + n);
        for (const p of [Math.floor(n / 2), n - 1, Math.floor(n / 3)]) f64[p] = NaN;
        const x = dtype === 'Float64Array' ? f64 : Float32Array.from(f64);
        const values = Float64Array.from(x);
        for (const op of allOps) {
          expectClose(await run(op, x), reference(op, values), tolerance(op), `${op}`);
        }
        for (const op of skippable) {
          expectClose(await run(op, x, { skipNaN: true }), reference(op, values, { skipNaN: true }), tolerance(op), `nan ${op}`);
        }
        expectClose(await variance(x, { skipNaN: true, ddof: 1 }), reference('variance', values, { skipNaN: true, ddof: 1 }), 1e-13);
      });
    }
  }

  for (const float32 of [false, true]) {
    it(`axis reductions with NaN lanes (${float32 ? 'float32' : 'float64'}), with and without skipNaN`, async () => {
      const rows = 600;
      const cols = 7;
      const f64 = uniform(rows * cols, 77);
      f64[5 * cols + 2] = NaN; // column 2, row 5
      f64[400 * cols + 2] = NaN; // column 2 again, another row block
      f64[599 * cols + 6] = NaN; // column 6, last row
      const data = float32 ? Float32Array.from(f64) : f64;
      const values = Float64Array.from(data);
      const m = { data, rows, cols };
      for (const axis of [0, 1] as const) {
        for (const [op, options] of [
          ...allOps.map((op) => [op, {}] as const),
          ...skippable.map((op) => [op, { skipNaN: true }] as const),
        ]) {
          const out = await run(op, m, { ...options, axis });
          for (let k = 0; k < out.length; k++) {
            const expected = reference(op, lane(values, rows, cols, axis, k), options);
            const label = `${op} ${JSON.stringify(options)} axis ${axis} [${k}]`;
            if (float32 && op !== 'argmin' && op !== 'argmax') expectCloseF32(out[k], expected, label);
            else expectClose(out[k], expected, tolerance(op), label);
          }
        }
      }
    });
  }

  it('an all-NaN column with skipNaN: nanmean NaN, nanargmin rejects with a RangeError', async () => {
    const m = { data: new Float64Array([NaN, 1, NaN, 2]), rows: 2, cols: 2 };
    const out = await mean(m, { axis: 0, skipNaN: true });
    expect(out[0]).toBeNaN();
    expect(out[1]).toBe(1.5);
    expect(await sum(m, { axis: 0, skipNaN: true })).toEqual(new Float64Array([0, 3]));
    expect(await argmin(m, { axis: 0 })).toEqual(new Int32Array([0, 0])); // first NaN of column 0; 1 < 2 in column 1
    expect(await argmax(m, { axis: 0 })).toEqual(new Int32Array([0, 1]));
    expect(await rejection(argmin(m, { axis: 0, skipNaN: true }))).toBeInstanceOf(RangeError);
    expect(await rejection(argmax({ data: new Float64Array([1, 2, NaN, NaN]), rows: 2, cols: 2 }, { axis: 1, skipNaN: true }))).toBeInstanceOf(
      RangeError,
    );
  });
});

describe('Infinity', () => {
  it('in a short array', async () => {
    expect(await sum([Infinity, 1])).toBe(Infinity);
    expect(await sum([-Infinity, 1, 2])).toBe(-Infinity);
    expect(await sum([Infinity, -Infinity])).toBeNaN();
    expect(await mean([-Infinity, 1, 2])).toBe(-Infinity);
    expect(await variance([Infinity, 1])).toBeNaN();
    expect(await std([1, -Infinity])).toBeNaN();
    expect(await min([Infinity, 1])).toBe(1);
    expect(await max([Infinity, 1])).toBe(Infinity);
    expect(await min([Infinity, Infinity])).toBe(Infinity);
    expect(await argmax([1, Infinity, Infinity])).toBe(1);
    expect(await argmin([1, -Infinity, -Infinity])).toBe(1);
    expect(await argmin([Infinity, Infinity])).toBe(0);
    for (const ord of [1, 2, Infinity] as const) expect(await norm([-Infinity, 1], { ord })).toBe(Infinity);
    expect(await norm([Infinity, NaN])).toBeNaN();
    expect(await dot([Infinity, 1], [1, 1])).toBe(Infinity);
    expect(await sum([Infinity, NaN], { skipNaN: true })).toBe(Infinity);
  });

  // One Infinity somewhere in the second 4096-element chunk of a longer array.
  for (const n of [5000, 300001]) {
    const x = new Float64Array(n).fill(1);
    x[4500] = Infinity;
    it(`sum and mean of n=${n} with one Infinity are Infinity`, async () => {
      expect(await sum(x)).toBe(Infinity);
      expect(await mean(x)).toBe(Infinity);
      expect(await sum(x, { skipNaN: true })).toBe(Infinity);
    });
    it(`norms and dot of n=${n} with one Infinity are Infinity`, async () => {
      expect(await norm(x, { ord: 1 })).toBe(Infinity);
      expect(await norm(x, { ord: 2 })).toBe(Infinity);
      expect(await norm(x, { ord: Infinity })).toBe(Infinity);
      expect(await dot(x, new Float64Array(n).fill(1))).toBe(Infinity);
    });
    it(`variance, max, argmax of n=${n} with one Infinity`, async () => {
      expect(await variance(x)).toBeNaN();
      expect(await max(x)).toBe(Infinity);
      expect(await argmax(x)).toBe(4500);
      expect(await min(x)).toBe(1);
    });
    it(`n=${n} with Infinity and -Infinity in different chunks sums to NaN`, async () => {
      const y = x.slice();
      y[10] = -Infinity;
      expect(await sum(y)).toBeNaN();
    });
  }

  it('a sum that overflows across chunks is Infinity (8192 x 1e305), as within one chunk (4096 x 1e305)', async () => {
    expect(await sum(new Float64Array(4096).fill(1e305))).toBe(Infinity);
    expect(await sum(new Float64Array(8192).fill(1e305))).toBe(Infinity);
    expect(await sum(new Float64Array(8192).fill(-1e305))).toBe(-Infinity);
  });

  it('variance with Infinity is NaN also with skipNaN (like numpy.nanvar)', async () => {
    expect(await variance([Infinity, 1, NaN], { skipNaN: true })).toBeNaN();
    expect(await variance([Infinity, Infinity], { skipNaN: true })).toBeNaN();
    expect(await std([-Infinity, 2, NaN], { skipNaN: true })).toBeNaN();
    expect(Array.from(await variance([[Infinity, Infinity], [Infinity, 1]], { skipNaN: true, axis: 1 }))).toEqual([NaN, NaN]);
    expect(Array.from(await variance([[Infinity, Infinity], [Infinity, 1]], { skipNaN: true, axis: 0 }))).toEqual([NaN, NaN]);
  });

  it('along axis 1 (rows within one chunk)', async () => {
    const m = { data: new Float64Array([Infinity, 1, 2, -Infinity, 1, 2]), rows: 2, cols: 3 };
    expect(await sum(m, { axis: 1 })).toEqual(new Float64Array([Infinity, -Infinity]));
    expect(await mean(m, { axis: 1 })).toEqual(new Float64Array([Infinity, -Infinity]));
    expect(await norm(m, { axis: 1 })).toEqual(new Float64Array([Infinity, Infinity]));
    expect(await max(m, { axis: 1 })).toEqual(new Float64Array([Infinity, 2]));
    expect(await argmin(m, { axis: 1 })).toEqual(new Int32Array([1, 0]));
    expect(Array.from(await variance(m, { axis: 1 }))).toEqual([NaN, NaN]);
  });

  it('along axis 0: sums, means and norms of a column holding Infinity are Infinity', async () => {
    const m = { data: new Float64Array([Infinity, 1, 1, -Infinity]), rows: 2, cols: 2 };
    expect(await sum(m, { axis: 0 })).toEqual(new Float64Array([Infinity, -Infinity]));
    expect(await mean(m, { axis: 0 })).toEqual(new Float64Array([Infinity, -Infinity]));
    expect(await norm(m, { axis: 0, ord: 1 })).toEqual(new Float64Array([Infinity, Infinity]));
    expect(await norm(m, { axis: 0, ord: 2 })).toEqual(new Float64Array([Infinity, Infinity]));
  });

  it('along axis 0: extrema and variance of a column holding Infinity', async () => {
    const m = { data: new Float64Array([Infinity, 1, 1, -Infinity]), rows: 2, cols: 2 };
    expect(await norm(m, { axis: 0, ord: Infinity })).toEqual(new Float64Array([Infinity, Infinity]));
    expect(await max(m, { axis: 0 })).toEqual(new Float64Array([Infinity, 1]));
    expect(await argmin(m, { axis: 0 })).toEqual(new Int32Array([1, 1]));
    expect(Array.from(await variance(m, { axis: 0 }))).toEqual([NaN, NaN]);
  });
});

/** Asserts a rejection (not a throw) with the given class and message. */
async function expectRejects(call: () => Promise<unknown>, kind: typeof TypeError | typeof RangeError, message: RegExp): Promise<void> {
  let promise: Promise<unknown> | undefined;
  expect(() => {
    promise = call();
  }).not.toThrow();
  expect(promise).toBeInstanceOf(Promise);
  const error = await rejection(promise as Promise<unknown>);
  expect(error).toBeInstanceOf(kind);
  expect(error.message).toMatch(message);
}

const FORMAT = /^Expected .+ for [\w.[\]]+ but received .+$/;

describe('bad input: class, message and argument name', () => {
  const reducers = { sum, mean, variance, std, min, max, argmin, argmax, norm } as Record<string, (x: any, o?: any) => Promise<unknown>>;

  it('empty input is a RangeError for every function', async () => {
    for (const f of Object.values(reducers)) {
      for (const empty of [[], new Float64Array(0), new Float32Array(0)]) {
        await expectRejects(() => f(empty), RangeError, /^Expected a non-empty array for x but received .*length 0/);
      }
      await expectRejects(() => f([[]]), RangeError, FORMAT);
    }
    await expectRejects(() => dot([], []), RangeError, /^Expected a non-empty array for x/);
  });

  it('a wrong input type is a TypeError naming x', async () => {
    const cases: [unknown, string][] = [
      [new Int32Array(3), 'an? Int32Array of length 3'],
      ['abc', 'the string "abc"'],
      [{}, 'an object'],
      [null, 'null'],
      [undefined, 'undefined'],
      [42, '42'],
    ];
    for (const f of Object.values(reducers)) {
      for (const [value, shown] of cases) {
        await expectRejects(() => f(value), TypeError, new RegExp(`^Expected .+ for x but received ${shown}$`));
      }
    }
    await expectRejects(() => dot(new Float64Array(2), new Int32Array(2) as any), TypeError, /^Expected .+ for y but received/);
    await expectRejects(() => dot(new Float64Array(2), new Float32Array(2)), TypeError, /^Expected a Float64Array .*for y but received a Float32Array/);
    await expectRejects(() => sum([1, '2'] as any), TypeError, /^Expected .+ for x\[1\] but received the string "2"$/);
    await expectRejects(() => sum([[1, 2], [3, '4']] as any), TypeError, /^Expected .+ for x\[1\]\[1\] but received the string "4"$/);
    await expectRejects(() => sum({ data: new Int32Array(4), rows: 2, cols: 2 } as any), TypeError, /^Expected .+ for x\.data but received/);
    await expectRejects(() => sum(new Float64Array(4), { axis: 0 } as any), TypeError, /^Expected a matrix .*for x but received/);
  });

  it('a shape mismatch is a RangeError (with and without axis)', async () => {
    const bad = { data: new Float64Array(5), rows: 2, cols: 3 };
    await expectRejects(() => sum(bad), RangeError, /rows \* cols = 6.*5/);
    await expectRejects(() => mean(bad, { axis: 0 }), RangeError, /rows \* cols = 6.*5/);
    await expectRejects(() => sum({ data: new Float64Array(4), rows: 0, cols: 4 }), RangeError, /^Expected .+ for x\.rows but received 0$/);
    await expectRejects(() => sum({ data: new Float64Array(4), rows: 2, cols: 2.5 }), RangeError, /^Expected .+ for x\.cols but received 2\.5$/);
    await expectRejects(() => sum([[1, 2], [3]]), RangeError, /^Expected a row of length 2 for x\[1\] but received an array of length 1$/);
    await expectRejects(() => sum({ rows: 2, columns: 2, to1DArray: () => [1, 2, 3] }, { axis: 0 }), RangeError, /rows \* cols = 4/);
  });

  it('the shape-mismatch message follows the one format and names x.data', async () => {
    await expectRejects(() => sum({ data: new Float64Array(5), rows: 2, cols: 3 }), RangeError, FORMAT);
    await expectRejects(() => sum({ data: new Float64Array(5), rows: 2, cols: 3 }), RangeError, /for x\.data but received/);
  });

  it('axis other than 0 or 1 is a RangeError', async () => {
    const m = [[1, 2]];
    for (const [axis, shown] of [[2, '2'], [-1, '-1'], ['0', 'the string "0"'], [0.5, '0.5']] as const)
      await expectRejects(() => sum(m, { axis } as any), RangeError, new RegExp(`^Expected 0 or 1 for options\\.axis but received ${shown}$`));
  });

  it('bad options are TypeErrors (kind) or RangeErrors (value), naming the option', async () => {
    const x = [1, 2, 3];
    const cases: [() => Promise<unknown>, typeof TypeError | typeof RangeError, RegExp][] = [
      [() => sum(x, { threads: 0 }), RangeError, /^Expected an integer from 1 to 4096 for options\.threads but received 0$/],
      [() => sum(x, { threads: 5000 }), RangeError, /for options\.threads but received 5000$/],
      [() => sum(x, { threads: 1.5 }), TypeError, /^Expected an integer for options\.threads but received 1\.5$/],
      [() => sum(x, { threads: '2' as any }), TypeError, /for options\.threads but received the string "2"$/],
      [() => variance(x, { ddof: -1 }), RangeError, /^Expected .+ for options\.ddof but received -1$/],
      [() => std(x, { ddof: Infinity }), RangeError, /for options\.ddof but received Infinity$/],
      [() => variance(x, { ddof: NaN }), RangeError, /for options\.ddof but received NaN$/],
      [() => variance(x, { ddof: '1' as any }), TypeError, /for options\.ddof but received the string "1"$/],
      [() => mean(x, { signal: {} as any }), TypeError, /^Expected an AbortSignal for options\.signal but received an object$/],
      [() => mean(x, { signal: new AbortController() as any }), TypeError, /for options\.signal but received an instance of AbortController$/],
      [() => mean(x, { onProgress: 1 as any }), TypeError, /^Expected a function for options\.onProgress but received 1$/],
      [() => norm(x, { ord: 3 as any }), RangeError, /^Expected 1, 2 or Infinity for options\.ord but received 3$/],
      [() => norm(x, { ord: -Infinity as any }), RangeError, /for options\.ord but received -Infinity$/],
      [() => norm(x, { ord: '2' as any }), RangeError, /for options\.ord but received the string "2"$/],
      [() => min(x, { skipNaN: 'yes' as any }), TypeError, /^Expected a boolean for options\.skipNaN but received the string "yes"$/],
      [() => norm(x, { skipNaN: true } as any), TypeError, /for options\.skipNaN but received true$/],
      [() => sum(x, null as any), TypeError, /^Expected an options object for options but received null$/],
      [() => sum(x, 5 as any), TypeError, /for options but received 5$/],
      [() => dot(x, x, { threads: 0 }), RangeError, /for options\.threads but received 0$/],
      [() => dot(x, [1, 2]), RangeError, /^Expected an array of length 3 .*for y but received a Float64Array of length 2$/],
    ];
    for (const [call, kind, message] of cases) {
      await expectRejects(call, kind, message);
      await expectRejects(call, kind, FORMAT);
    }
  });

  it('a detached buffer is a TypeError mentioning detached', async () => {
    const detach = (a: Float64Array | Float32Array) => {
      structuredClone(a.buffer, { transfer: [a.buffer as ArrayBuffer] });
      return a;
    };
    await expectRejects(() => sum(detach(new Float64Array(8))), TypeError, /^Expected .+ for x but received .*detached/);
    await expectRejects(() => argmax(detach(new Float32Array(8))), TypeError, /detached/);
    await expectRejects(() => mean({ data: detach(new Float64Array(4)), rows: 2, cols: 2 }, { axis: 1 }), TypeError, /for x\.data .*detached/);
    await expectRejects(() => dot(new Float64Array(8), detach(new Float64Array(8))), TypeError, /for y .*detached/);
  });

  it('a native error (nanargmin of all NaN) rejects with the caller\'s file in its stack', async () => {
    // 10000 doubles: large enough to run on the thread pool, so the error is created on a later tick.
    for (const n of [3, 10000]) {
      const error = await rejection(argmin(new Float64Array(n).fill(NaN), { skipNaN: true }));
      expect(error).toBeInstanceOf(RangeError);
      expect(error.stack).toContain(THIS_FILE);
      expect(error.stack).toContain(error.message);
    }
    const axisError = await rejection(argmax({ data: new Float64Array(20000).fill(NaN), rows: 100, cols: 200 } as MatrixInput, { axis: 1, skipNaN: true }));
    expect(axisError).toBeInstanceOf(RangeError);
    expect(axisError.stack).toContain(THIS_FILE);
  });
});
