// Reductions along an axis of a row-major matrix: axis 0 gives one value per column, axis 1 one per row.
import { describe, expect, it } from 'vitest';
import { argmax, argmin, max, mean, min, norm, std, sum, variance, type MatrixInput } from 'threadml';
import { allOps, expectClose, expectCloseF32, lane, reference, tolerance, uniform, type Op, type RefOptions } from './helpers';

type AxisOut = Float64Array | Float32Array | Int32Array;

function runAxis(op: Op, x: MatrixInput, axis: 0 | 1, options: RefOptions = {}): Promise<AxisOut> {
  const { skipNaN, ddof } = options;
  switch (op) {
    case 'sum':
      return sum(x, { skipNaN, axis });
    case 'mean':
      return mean(x, { skipNaN, axis });
    case 'variance':
      return variance(x, { skipNaN, ddof, axis });
    case 'std':
      return std(x, { skipNaN, ddof, axis });
    case 'min':
      return min(x, { skipNaN, axis });
    case 'max':
      return max(x, { skipNaN, axis });
    case 'argmin':
      return argmin(x, { skipNaN, axis });
    case 'argmax':
      return argmax(x, { skipNaN, axis });
    case 'norm1':
      return norm(x, { ord: 1, axis });
    case 'norm2':
      return norm(x, { ord: 2, axis });
    case 'normInf':
      return norm(x, { ord: Infinity, axis });
  }
}

const isArg = (op: Op) => op === 'argmin' || op === 'argmax';

/** Checks type, length and every entry of an axis result against the per-lane reference. */
function checkAxis(
  out: AxisOut,
  op: Op,
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  axis: 0 | 1,
  float32: boolean,
  options: RefOptions = {},
): void {
  const expectedType = isArg(op) ? Int32Array : float32 ? Float32Array : Float64Array;
  expect(out).toBeInstanceOf(expectedType);
  expect(out.length).toBe(axis === 0 ? cols : rows);
  for (let k = 0; k < out.length; k++) {
    const expected = reference(op, lane(data, rows, cols, axis, k), options);
    const label = `${op} axis ${axis} [${k}]`;
    if (float32 && !isArg(op)) expectCloseF32(out[k], expected, label);
    else expectClose(out[k], expected, tolerance(op), label);
  }
}

const SHAPES: [number, number][] = [
  [1, 5000], // 1xN: axis 0 is the identity-like case, axis 1 one long row
  [5000, 1], // Nx1
  [3, 5],
  [1000, 37],
  [300, 2000], // several column strips
  [20000, 3], // many row blocks
  [2, 9000], // rows longer than one 4096-element chunk
];

for (const dtype of ['Float64Array', 'Float32Array'] as const) {
  const float32 = dtype === 'Float32Array';
  describe(`${dtype} matrices`, () => {
    for (const [rows, cols] of SHAPES) {
      const f64 = uniform(rows * cols, rows * 7919 + cols);
      const data = float32 ? Float32Array.from(f64) : f64;
      const values = Float64Array.from(data);
      const m = { data, rows, cols };
      for (const axis of [0, 1] as const) {
        for (const op of allOps) {
          it(`${op} axis ${axis} of ${rows}x${cols}`, async () => {
            checkAxis(await runAxis(op, m, axis), op, values, rows, cols, axis, float32);
          });
        }
        it(`variance and std ddof 1, axis ${axis} of ${rows}x${cols}`, async () => {
          checkAxis(await runAxis('variance', m, axis, { ddof: 1 }), 'variance', values, rows, cols, axis, float32, { ddof: 1 });
          checkAxis(await runAxis('std', m, axis, { ddof: 1 }), 'std', values, rows, cols, axis, float32, { ddof: 1 });
        });
      }
    }
  });
}

describe('axis results by hand', () => {
  const m = { data: new Float64Array([1, 2, 3, 4, 5, 6]), rows: 2, cols: 3 };
  it('sum, mean, min, max, argmin, argmax of [[1, 2, 3], [4, 5, 6]]', async () => {
    expect(await sum(m, { axis: 0 })).toEqual(new Float64Array([5, 7, 9]));
    expect(await sum(m, { axis: 1 })).toEqual(new Float64Array([6, 15]));
    expect(await mean(m, { axis: 0 })).toEqual(new Float64Array([2.5, 3.5, 4.5]));
    expect(await mean(m, { axis: 1 })).toEqual(new Float64Array([2, 5]));
    expect(await variance(m, { axis: 0 })).toEqual(new Float64Array([2.25, 2.25, 2.25]));
    expect(await variance(m, { axis: 1, ddof: 1 })).toEqual(new Float64Array([1, 1]));
    expect(await min(m, { axis: 1 })).toEqual(new Float64Array([1, 4]));
    expect(await max(m, { axis: 0 })).toEqual(new Float64Array([4, 5, 6]));
    expect(await argmin(m, { axis: 0 })).toEqual(new Int32Array([0, 0, 0]));
    expect(await argmax(m, { axis: 1 })).toEqual(new Int32Array([2, 2]));
    expect(await norm({ data: new Float64Array([3, 4, 0, 0]), rows: 2, cols: 2 }, { axis: 1 })).toEqual(
      new Float64Array([5, 0]),
    );
  });

  it('argmin/argmax along an axis pick the first of tied values', async () => {
    // [[1, 5, 1],
    //  [5, 5, 0],
    //  [4, 2, 0]]
    const t = { data: new Float64Array([1, 5, 1, 5, 5, 0, 4, 2, 0]), rows: 3, cols: 3 };
    expect(await argmin(t, { axis: 0 })).toEqual(new Int32Array([0, 2, 1]));
    expect(await argmax(t, { axis: 0 })).toEqual(new Int32Array([1, 0, 0]));
    expect(await argmin(t, { axis: 1 })).toEqual(new Int32Array([0, 2, 2]));
    expect(await argmax(t, { axis: 1 })).toEqual(new Int32Array([1, 0, 0]));
    // Ties far apart, in different row blocks of a tall matrix.
    const tall = new Float64Array(20000 * 2).fill(1);
    tall[2 * 1500] = -5;
    tall[2 * 19000] = -5;
    tall[2 * 700 + 1] = 8;
    tall[2 * 18000 + 1] = 8;
    const out = await argmin({ data: tall, rows: 20000, cols: 2 }, { axis: 0 });
    expect(out).toEqual(new Int32Array([1500, 0]));
    expect(await argmax({ data: tall, rows: 20000, cols: 2 }, { axis: 0 })).toEqual(new Int32Array([0, 700]));
  });

  it('axis sums are compensated: 1e16, 1, -1e16 down each column and along each row', async () => {
    const rows = 3000;
    const data = new Float64Array(rows * 2);
    for (let r = 0; r < rows; r++) {
      const v = [1e16, 1, -1e16][r % 3];
      data[2 * r] = v;
      data[2 * r + 1] = -v;
    }
    expect(await sum({ data, rows, cols: 2 }, { axis: 0 })).toEqual(new Float64Array([1000, -1000]));
    expect(await sum({ data: new Float64Array([1e16, 1, -1e16, 1, 1e16, -1e16]), rows: 2, cols: 3 }, { axis: 1 })).toEqual(
      new Float64Array([1, 1]),
    );
    // Rows longer than one chunk: 2 x 9000 with the pattern along each row.
    const wide = new Float64Array(2 * 9000);
    for (let i = 0; i < wide.length; i++) wide[i] = [1e16, 1, -1e16][i % 3];
    expect(await sum({ data: wide, rows: 2, cols: 9000 }, { axis: 1 })).toEqual(new Float64Array([3000, 3000]));
    expect(await mean({ data: wide, rows: 2, cols: 9000 }, { axis: 1 })).toEqual(new Float64Array([1 / 3, 1 / 3]));
  });

  it('float32 matrices give float32 results rounded from a float64 accumulation', async () => {
    const rows = 100000;
    const data = new Float32Array(rows).fill(0.1);
    const out = await sum({ data, rows, cols: 1 }, { axis: 0 });
    expect(out).toBeInstanceOf(Float32Array);
    expect(out[0]).toBe(Math.fround(rows * Math.fround(0.1)));
    const rowOut = await mean({ data, rows: 1, cols: rows }, { axis: 1 });
    expect(rowOut[0]).toBe(Math.fround(0.1));
  });
});

describe('matrix input forms', () => {
  const rowsArr = [
    [1, 2, 3],
    [4, 5, 6],
    [7, 8, 10],
  ];
  const flat = rowsArr.flat();
  it('number[][] gives Float64Array results', async () => {
    const out = await mean(rowsArr, { axis: 0 });
    expect(out).toBeInstanceOf(Float64Array);
    expect(out).toEqual(new Float64Array([4, 5, 19 / 3]));
    expect(await sum(rowsArr, { axis: 1 })).toEqual(new Float64Array([6, 15, 25]));
    expect(await argmax(rowsArr, { axis: 1 })).toEqual(new Int32Array([2, 2, 2]));
  });

  it('ml-matrix-like objects: {rows, columns, to1DArray()} and {rows, columns, data: rows[]}', async () => {
    const like = { rows: 3, columns: 3, to1DArray: () => flat.slice() };
    expect(await sum(like, { axis: 0 })).toEqual(new Float64Array([12, 15, 19]));
    expect(await std(like, { axis: 1 })).toEqual(
      Float64Array.from(rowsArr, (r) => reference('std', r)),
    );
    const withRows = { rows: 3, columns: 3, data: rowsArr.map((r) => Float64Array.from(r)) };
    expect(await max(withRows, { axis: 0 })).toEqual(new Float64Array([7, 8, 10]));
    expect(await argmin(withRows, { axis: 1 })).toEqual(new Int32Array([0, 0, 0]));
  });

  it('a random 1000x37 number[][] matches the same matrix as {data, rows, cols}', async () => {
    const data = uniform(1000 * 37, 3);
    const nested = Array.from({ length: 1000 }, (_, r) => Array.from(data.subarray(r * 37, r * 37 + 37)));
    for (const axis of [0, 1] as const) {
      expect(await variance(nested, { axis })).toEqual(await variance({ data, rows: 1000, cols: 37 }, { axis }));
      expect(await argmin(nested, { axis })).toEqual(await argmin({ data, rows: 1000, cols: 37 }, { axis }));
    }
  });
});

describe('norm 2 along an axis rescales huge and tiny values like the whole-array norm', () => {
  for (const axis of [0, 1] as const) {
    for (const value of [1e200, 1e-200]) {
      it(`axis ${axis}, values ${value}`, async () => {
        const m = { data: new Float64Array(4).fill(value), rows: 2, cols: 2 };
        const out = await norm(m, { axis });
        for (let k = 0; k < 2; k++) expectClose(out[k], Math.SQRT2 * value, 1e-15, `[${k}]`);
      });
    }
  }
});
