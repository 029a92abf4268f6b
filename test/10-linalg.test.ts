// Linear algebra: gemm/matmul against a naive triple loop, gemv, axpy, transpose, batched GEMM,
// ml-matrix in and out, bit-identical results for any thread count, abort, and every kind of bad input.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Matrix as MlMatrix, MatrixTransposeView } from 'ml-matrix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  axpy,
  gemm,
  gemmBatched,
  gemv,
  getThreads,
  matmul,
  matmulBatched,
  matrix,
  matrixBatch,
  setThreads,
  transpose,
  type FloatArray,
  type Matrix,
} from 'threadml';
import { addon } from '../lib/native';
import { mulberry32, rejection } from './helpers';

type DType = 'float64' | 'float32';

function random(n: number, seed: number, dtype: DType): FloatArray {
  const rand = mulberry32(seed);
  const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = 2 * rand() - 1;
  return out;
}

function randomMatrix(rows: number, cols: number, seed: number, dtype: DType): Matrix {
  return matrix(random(rows * cols, seed, dtype), rows, cols);
}

/** Element (i, j) of op(X) for a row-major X. */
const at = (x: Matrix, trans: boolean, i: number, j: number): number => (trans ? x.data[j * x.cols + i] : x.data[i * x.cols + j]);

/**
 * The naive triple loop in float64, with each element's error bound: (k + 2) roundings of the
 * output type's unit, relative to sum |alpha a b| + |beta c| (how far any summation order can stray).
 */
function naiveGemm(a: Matrix, b: Matrix, o: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number; C?: Matrix }, eps: number) {
  const { transA = false, transB = false, alpha = 1, beta = 0 } = o;
  const m = transA ? a.cols : a.rows;
  const k = transA ? a.rows : a.cols;
  const n = transB ? b.rows : b.cols;
  const value = new Float64Array(m * n);
  const bound = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      let mag = 0;
      for (let p = 0; p < k; p++) {
        const t = at(a, transA, i, p) * at(b, transB, p, j);
        s += t;
        mag += Math.abs(t);
      }
      const c = beta !== 0 && o.C !== undefined ? o.C.data[i * n + j] : 0;
      value[i * n + j] = alpha * s + beta * c;
      bound[i * n + j] = (k + 2) * eps * (Math.abs(alpha) * mag + Math.abs(beta * c)) + 1e-300;
    }
  return { value, bound, rows: m, cols: n };
}

const epsOf = (dtype: DType) => (dtype === 'float32' ? 2 ** -24 : 2 ** -53);

function expectWithin(actual: ArrayLike<number>, ref: { value: Float64Array; bound: Float64Array }, label: string): void {
  expect(actual.length, label).toBe(ref.value.length);
  for (let i = 0; i < ref.value.length; i++)
    if (!(Math.abs(actual[i] - ref.value[i]) <= ref.bound[i]))
      expect.fail(`${label}: element ${i} is ${actual[i]}, expected ${ref.value[i]} within ${ref.bound[i]}`);
}

function sameBytes(a: FloatArray, b: FloatArray): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

// [m, n, k]: vectors, single elements, odd sizes, and shapes large enough for 2, 4 and 8 tiles.
const shapes: [number, number, number][] = [
  [1, 1, 1],
  [1, 9, 5],
  [9, 1, 5],
  [7, 5, 1],
  [1, 200, 300],
  [300, 1, 200],
  [33, 17, 9],
  [100, 3, 50],
  [3, 100, 50],
  [130, 70, 91],
  [600, 520, 40],
  [1100, 300, 33],
  [1500, 800, 16],
  // Across the AVX-512 kernel's blocks: 12-row tiles, 16/32-column panels, 256-deep passes, row
  // blocks of 96/192 and tasks of at most 512/1024 columns.
  [13, 33, 257],
  [25, 47, 513],
  [385, 97, 300],
  [200, 1030, 1],
  [11, 15, 256],
];

describe('gemm against a naive triple loop', () => {
  for (const dtype of ['float64', 'float32'] as const)
    for (const [si, [m, n, k]] of shapes.entries())
      it(`${dtype} ${m} x ${n} x ${k}, all four transpositions, alpha, beta and C`, async () => {
        for (const [ti, [transA, transB]] of ([[false, false], [true, false], [false, true], [true, true]] as const).entries()) {
          const seed = 1000 * si + 10 * ti;
          const a = transA ? randomMatrix(k, m, seed, dtype) : randomMatrix(m, k, seed, dtype);
          const b = transB ? randomMatrix(n, k, seed + 1, dtype) : randomMatrix(k, n, seed + 1, dtype);
          const C = randomMatrix(m, n, seed + 2, dtype);
          const label = `${dtype} ${m}x${n}x${k} transA=${transA} transB=${transB}`;
          const plain = await gemm(a, b, { transA, transB });
          expect(plain.data).toBeInstanceOf(a.data.constructor);
          expect([plain.rows, plain.cols]).toEqual([m, n]);
          expectWithin(plain.data, naiveGemm(a, b, { transA, transB }, epsOf(dtype)), label);
          const options = { transA, transB, alpha: -1.5, beta: 0.75, C };
          expectWithin((await gemm(a, b, options)).data, naiveGemm(a, b, options, epsOf(dtype)), `${label} alpha beta C`);
          if (!transA && !transB) expect(sameBytes((await matmul(a, b)).data, plain.data), `${label} matmul`).toBe(true);
        }
      });

  it('beta = 0 never reads C (NaN in C does not leak in); C is not modified', async () => {
    const a = randomMatrix(4, 3, 1, 'float64');
    const b = randomMatrix(3, 5, 2, 'float64');
    const C = matrix(new Float64Array(20).fill(NaN), 4, 5);
    const out = await gemm(a, b, { C });
    expect(out.data.some(Number.isNaN)).toBe(false);
    const withBeta = await gemm(a, b, { C: matrix(new Float64Array(20).fill(2), 4, 5), beta: 1 });
    for (let i = 0; i < 20; i++) expect(withBeta.data[i]).toBeCloseTo(out.data[i] + 2, 14);
    expect(C.data.every(Number.isNaN)).toBe(true);
  });

  it('accepts number[][] (as float64) and returns {data, rows, cols}', async () => {
    const out = await matmul(
      [
        [1, 2],
        [3, 4],
      ],
      [[5], [6]],
    );
    expect(out).toEqual({ data: new Float64Array([17, 39]), rows: 2, cols: 1 });
  });
});

describe('the AVX-512 kernel and the OpenBLAS path agree', () => {
  // Both sum each element in a different order, so they agree within the rounding bound, not bit for bit.
  const runChild = (env: NodeJS.ProcessEnv) =>
    new Promise<{ simd: string; results: { label: string; k: number; data: number[] }[] }>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'gemm-products.cjs')], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`exit ${code}: ${stderr}`))));
    });

  it('THREADML_SIMD=avx2 (OpenBLAS) gives the results of the default path within float tolerance', async () => {
    const { THREADML_SIMD: _, ...inherited } = process.env;
    const [native, blas] = await Promise.all([runChild(inherited), runChild({ ...inherited, THREADML_SIMD: 'avx2' })]);
    expect(blas.simd).not.toBe('avx512');
    expect(native.results.map((r) => r.label)).toEqual(blas.results.map((r) => r.label));
    for (const [i, mine] of native.results.entries()) {
      const theirs = blas.results[i];
      const eps = mine.label.startsWith('float32') ? 2 ** -24 : 2 ** -53;
      const scale = Math.max(...theirs.data.map(Math.abs));
      for (let j = 0; j < mine.data.length; j++)
        if (!(Math.abs(mine.data[j] - theirs.data[j]) <= 2 * (mine.k + 2) * eps * scale))
          expect.fail(`${mine.label}: element ${j} is ${mine.data[j]} here and ${theirs.data[j]} on OpenBLAS`);
    }
  }, 60_000);
});

describe('gemv', () => {
  // [rows, cols]: small, many row tasks, and transposed cases with several row blocks and column panels.
  const cases: [number, number][] = [
    [1, 1],
    [1, 40],
    [40, 1],
    [17, 23],
    [1000, 600],
    [2000, 300],
    [70, 5000],
  ];
  for (const dtype of ['float64', 'float32'] as const)
    for (const [ci, [rows, cols]] of cases.entries())
      it(`${dtype} ${rows} x ${cols}, plain and transposed, with alpha, beta and y`, async () => {
        const a = randomMatrix(rows, cols, 50 + ci, dtype);
        for (const trans of [false, true]) {
          const [inner, outer] = trans ? [rows, cols] : [cols, rows];
          const x = matrix(random(inner, 60 + ci, dtype), inner, 1);
          const y = matrix(random(outer, 70 + ci, dtype), outer, 1);
          const label = `${dtype} ${rows}x${cols} trans=${trans}`;
          const plain = await gemv(a, x.data, { trans });
          expect(plain).toBeInstanceOf(a.data.constructor);
          expectWithin(plain, naiveGemm(a, x, { transA: trans }, epsOf(dtype)), label);
          const o = { alpha: 2.5, beta: -0.5 };
          expectWithin(await gemv(a, x.data, { trans, ...o, y: y.data }), naiveGemm(a, x, { transA: trans, ...o, C: y }, epsOf(dtype)), `${label} alpha beta y`);
        }
      });
});

describe('axpy', () => {
  it('float64: alpha * x + y exactly as the JS expression, as a new array', async () => {
    for (const n of [1, 7, 300_001]) {
      const x = random(n, 1, 'float64');
      const y = random(n, 2, 'float64');
      const yCopy = y.slice();
      const out = await axpy(-0.3, x, y);
      expect(out).toBeInstanceOf(Float64Array);
      expect(out).not.toBe(y);
      expect(sameBytes(y, yCopy)).toBe(true);
      for (let i = 0; i < n; i++) if (out[i] !== -0.3 * x[i] + y[i]) expect.fail(`element ${i}`);
    }
  });

  it('float32: one float32 rounding per operation', async () => {
    const n = 100_003;
    const x = random(n, 3, 'float32');
    const y = random(n, 4, 'float32');
    const alpha = Math.fround(1.7);
    const out = await axpy(1.7, x, y);
    expect(out).toBeInstanceOf(Float32Array);
    for (let i = 0; i < n; i++) if (out[i] !== Math.fround(Math.fround(alpha * x[i]) + y[i])) expect.fail(`element ${i}`);
  });

  it('number[] inputs', async () => {
    expect(await axpy(2, [1, 2], [10, 20])).toEqual(new Float64Array([12, 24]));
  });
});

describe('transpose', () => {
  for (const dtype of ['float64', 'float32'] as const)
    it(`${dtype}: exact, for vectors, odd and blocked shapes`, async () => {
      for (const [rows, cols] of [
        [1, 1],
        [1, 37],
        [37, 1],
        [5, 3],
        [300, 517],
        [1030, 20],
      ]) {
        const a = randomMatrix(rows, cols, rows + cols, dtype);
        const t = await transpose(a);
        expect(t.data).toBeInstanceOf(a.data.constructor);
        expect([t.rows, t.cols]).toEqual([cols, rows]);
        for (let i = 0; i < rows; i++)
          for (let j = 0; j < cols; j++) if (t.data[j * rows + i] !== a.data[i * cols + j]) expect.fail(`${rows}x${cols} (${i}, ${j})`);
      }
    });
});

describe('batched GEMM', () => {
  /** Item i of a batch as a matrix view. */
  const item = (x: { data: FloatArray; rows: number; cols: number }, i: number): Matrix =>
    matrix(x.data.subarray(i * x.rows * x.cols, (i + 1) * x.rows * x.cols), x.rows, x.cols);

  for (const dtype of ['float64', 'float32'] as const)
    it(`${dtype}: every item equals its own gemm, with transpositions, broadcasting and C`, async () => {
      const [batch, m, n, k] = [13, 9, 7, 5];
      for (const [transA, transB] of [
        [false, false],
        [true, true],
        [true, false],
      ] as const) {
        const A = matrixBatch(random(batch * m * k, 1, dtype), batch, transA ? k : m, transA ? m : k);
        const B = matrixBatch(random(batch * k * n, 2, dtype), batch, transB ? n : k, transB ? k : n);
        const Cs = matrixBatch(random(batch * m * n, 3, dtype), batch, m, n);
        const shared = randomMatrix(transB ? n : k, transB ? k : n, 4, dtype);
        const bias = randomMatrix(m, n, 5, dtype);
        const options = { transA, transB, alpha: 0.5, beta: 2 };
        const perItem = await gemmBatched(A, B, { ...options, C: Cs });
        const broadcastB = await gemmBatched(A, shared, { ...options, C: bias });
        expect([perItem.batch, perItem.rows, perItem.cols]).toEqual([batch, m, n]);
        expect(perItem.data).toBeInstanceOf(A.data.constructor);
        for (let i = 0; i < batch; i++) {
          const one = await gemm(item(A, i), item(B, i), { ...options, C: item(Cs, i) });
          expect(sameBytes(item(perItem, i).data, one.data), `item ${i}`).toBe(true);
          expectWithin(item(broadcastB, i).data, naiveGemm(item(A, i), shared, { ...options, C: bias }, epsOf(dtype)), `broadcast B item ${i}`);
        }
      }
    });

  it('broadcasts A too, and matmulBatched is the plain product', async () => {
    const A = randomMatrix(3, 4, 1, 'float64');
    const B = matrixBatch(random(5 * 4 * 2, 2, 'float64'), 5, 4, 2);
    const out = await matmulBatched(A, B);
    expect([out.batch, out.rows, out.cols]).toEqual([5, 3, 2]);
    for (let i = 0; i < 5; i++) expect(sameBytes(item(out, i).data, (await matmul(A, item(B, i))).data)).toBe(true);
  });

  it('many tiny items and a few large ones', async () => {
    for (const [batch, size] of [
      [2000, 3],
      [3, 400],
    ]) {
      const A = matrixBatch(random(batch * size * size, 7, 'float32'), batch, size, size);
      const out = await matmulBatched(A, A);
      for (const i of [0, batch - 1])
        expectWithin(item(out, i).data, naiveGemm(item(A, i), item(A, i), {}, epsOf('float32')), `${batch} x ${size}, item ${i}`);
    }
  });
});

describe('ml-matrix in and out', () => {
  const A = new MlMatrix([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const B = new MlMatrix([
    [1, 0],
    [2, -1],
    [0.5, 3],
  ]);

  it('matmul and gemm return an ml-matrix Matrix equal to mmul', async () => {
    const product = await matmul(A, B);
    expect(product).toBeInstanceOf(MlMatrix);
    expect(product.to2DArray()).toEqual(A.mmul(B).to2DArray());
    const scaled = await gemm(A, B, { alpha: 2, beta: 1, C: MlMatrix.ones(2, 2) });
    expect(scaled).toBeInstanceOf(MlMatrix);
    expect(scaled.to2DArray()).toEqual(A.mmul(B).mul(2).add(1).to2DArray());
  });

  it('transpose returns the same class; subclasses stay subclasses; views give a Matrix', async () => {
    const t = await transpose(A);
    expect(t).toBeInstanceOf(MlMatrix);
    expect(t.to2DArray()).toEqual(A.transpose().to2DArray());
    class Tagged extends MlMatrix {}
    const tagged = new Tagged(A.to2DArray());
    expect(await matmul(tagged, B)).toBeInstanceOf(Tagged);
    const view = new MatrixTransposeView(A);
    const back = (await transpose(view)) as unknown as MlMatrix;
    expect(back).toBeInstanceOf(MlMatrix);
    expect(back.to2DArray()).toEqual(A.to2DArray());
  });

  it('a plain {data, rows, cols} A gives a plain matrix even with an ml-matrix B', async () => {
    const out = await matmul(matrix(new Float64Array([1, 1, 1]), 1, 3), B);
    expect(out).not.toBeInstanceOf(MlMatrix);
    expect(out).toEqual({ data: new Float64Array([3.5, 2]), rows: 1, cols: 2 });
  });

  it('gemv takes an ml-matrix A and returns a Float64Array', async () => {
    expect(await gemv(A, [1, 1, 1])).toEqual(new Float64Array([6, 15]));
  });
});

// When A (m x k) fits in 512 KB, the AVX-512 kernel cuts C into column strips only (each strip
// packs its own columns of B); one element more and it cuts rows too. Strips are 16/32 columns
// (one float64/float32 panel) or more; transposed B is packed in 8 x 8 blocks with a k tail.
describe('gemm column strips: naive triple loop, and the same bytes on 1, 2 and 3 threads', () => {
  const defaultBudget = getThreads();
  beforeAll(() => setThreads(3));
  afterAll(() => setThreads(defaultBudget));

  const stripShapes: [DType, number, number, number][] = [
    ['float64', 256, 256, 256], // A exactly 512 KB: strips only
    ['float64', 257, 256, 256], // one row more: blocks of rows and columns
    ['float64', 128, 250, 512], // 512 KB, a last strip narrower than a panel
    ['float64', 200, 40, 301], // too few columns for the task count: rows split as well
    ['float32', 512, 256, 256], // A exactly 512 KB
    ['float32', 513, 256, 256],
    ['float32', 256, 100, 131], // k tail of the 8-deep transposes
    ['float32', 190, 13, 77], // a single panel, 13 of 32 columns used
  ];
  for (const [dtype, m, n, k] of stripShapes)
    it(`${dtype} ${m} x ${n} x ${k}, plain and transposed B, alpha, beta and C`, async () => {
      for (const transB of [false, true]) {
        const seed = m + n + k + (transB ? 1 : 0);
        const a = randomMatrix(m, k, seed, dtype);
        const b = transB ? randomMatrix(n, k, seed + 1, dtype) : randomMatrix(k, n, seed + 1, dtype);
        const options = { transB, alpha: 0.5, beta: -2, C: randomMatrix(m, n, seed + 2, dtype) };
        const label = `${dtype} ${m}x${n}x${k} transB=${transB}`;
        const one = (await gemm(a, b, { ...options, threads: 1 })).data;
        expectWithin(one, naiveGemm(a, b, options, epsOf(dtype)), label);
        for (const threads of [2, 3])
          expect(sameBytes((await gemm(a, b, { ...options, threads })).data, one), `${label}: threads ${threads} vs 1`).toBe(true);
      }
    }, 30_000);
});

// Results of 64 KB and more live in blocks that are reused once the GC frees their arrays.
describe('results in reused memory', () => {
  it('every result is complete, and results still alive are never overwritten', async () => {
    const n = 128; // 128 KB of float64 per result
    const identity = matrix(new Float64Array(n * n), n, n);
    for (let i = 0; i < n; i++) identity.data[i * n + i] = 1;
    const kept: (() => void)[] = [];
    for (let call = 0; call < 400; call++) {
      // 400 results of 128 KB make garbage enough for several collections.
      const a = randomMatrix(n, n, call, 'float64');
      const product = (await matmul(a, identity)).data;
      const flipped = (await transpose(a)).data;
      const check = (label: string) => {
        expect(sameBytes(product, a.data), `matmul by the identity, ${label}`).toBe(true);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) if (flipped[j * n + i] !== a.data[i * n + j]) expect.fail(`transpose, ${label}, (${i}, ${j})`);
      };
      check(`call ${call}`);
      if (call % 40 === 0) kept.push(() => check(`call ${call}, checked again at the end`));
    }
    for (const check of kept) check();
  }, 30_000);
});

describe('bit-identical results for threads 1, 2, 3 and 4', () => {
  const defaultBudget = getThreads();
  beforeAll(() => setThreads(4));
  afterAll(() => setThreads(defaultBudget));

  const calls: [string, (threads: number) => Promise<FloatArray>][] = [
    ['gemm 1100 x 1030 x 300 float64', (t) => gemm(randomMatrix(1100, 300, 1, 'float64'), randomMatrix(300, 1030, 2, 'float64'), { threads: t }).then((r) => r.data)],
    ['gemm transA transB 700 x 900 x 257 float32', (t) => gemm(randomMatrix(257, 700, 3, 'float32'), randomMatrix(900, 257, 4, 'float32'), { transA: true, transB: true, threads: t }).then((r) => r.data)],
    ['gemm 96 x 96 x 96 float64 (around the serial threshold)', (t) => gemm(randomMatrix(96, 96, 5, 'float64'), randomMatrix(96, 96, 6, 'float64'), { threads: t }).then((r) => r.data)],
    ['batched 64 x 48 x 48 float32', (t) => matmulBatched(matrixBatch(random(64 * 48 * 48, 7, 'float32'), 64, 48, 48), matrixBatch(random(64 * 48 * 48, 8, 'float32'), 64, 48, 48), { threads: t }).then((r) => r.data)],
    ['gemv transposed 3000 x 700 float64', (t) => gemv(randomMatrix(3000, 700, 9, 'float64'), random(3000, 10, 'float64'), { trans: true, threads: t })],
    ['gemv 3000 x 700 float32', (t) => gemv(randomMatrix(3000, 700, 11, 'float32'), random(700, 12, 'float32'), { threads: t })],
    ['transpose 1500 x 1700 float64', (t) => transpose(randomMatrix(1500, 1700, 13, 'float64'), { threads: t }).then((r) => r.data)],
    ['axpy 3e6 float64', (t) => axpy(0.1, random(3e6, 14, 'float64'), random(3e6, 15, 'float64'), { threads: t })],
  ];
  for (const [label, run] of calls)
    it(label, async () => {
      const one = await run(1);
      for (const threads of [2, 3, 4]) expect(sameBytes(await run(threads), one), `${label}: threads ${threads} vs 1`).toBe(true);
    }, 30_000);
});

describe('abort and progress', () => {
  it('aborting a big GEMM mid-run rejects with an AbortError well before the run would end', async () => {
    const n = 4096; // blocks of about 10 ms each per core
    const a = randomMatrix(n, n, 1, 'float32');
    const b = randomMatrix(n, n, 2, 'float32');
    const t0 = performance.now();
    await matmul(a, b);
    const full = performance.now() - t0;
    const controller = new AbortController();
    const pending = matmul(a, b, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, full / 4));
    const abortedAt = performance.now();
    controller.abort();
    const error = await rejection(pending);
    const end = performance.now();
    expect(error).toBeInstanceOf(AbortError);
    expect(error.name).toBe('AbortError');
    console.info(`gemm ${n} abort: full run ${full.toFixed(1)} ms, rejected ${(end - abortedAt).toFixed(1)} ms after abort()`);
    expect(end - abortedAt).toBeLessThan(full / 2);
  }, 30_000);

  it('reports progress up to 1 on a large product', async () => {
    const seen: number[] = [];
    await matmul(randomMatrix(2048, 2048, 1, 'float64'), randomMatrix(2048, 2048, 2, 'float64'), { onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen[seen.length - 1]).toBe(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]);
  });
});

describe('bad input: the error class, the one message format, and rejections rather than throws', () => {
  const a23 = randomMatrix(2, 3, 1, 'float64');
  const a32 = randomMatrix(3, 2, 2, 'float64');
  const f32 = randomMatrix(3, 2, 3, 'float32');
  const cases: [string, () => Promise<unknown>, typeof TypeError | typeof RangeError, RegExp][] = [
    ['inner dimensions', () => matmul(a23, a23), RangeError, /^Expected 3 rows \(the columns of op\(A\), A is 2 x 3\) for op\(B\) but received 2 \(B is 2 x 3\)$/],
    ['inner dimensions with transB', () => gemm(a23, a32, { transB: true }), RangeError, /^Expected 3 rows .* for op\(B\) but received 2/],
    ['mixed float types', () => matmul(a23, f32), TypeError, /^Expected a Float64Array \(the type of A\) for B.data but received a Float32Array of length 6$/],
    ['C of the wrong shape', () => gemm(a23, a32, { beta: 1, C: a23 }), RangeError, /^Expected a 2 x 2 matrix for options.C but received 2 x 3$/],
    ['NaN alpha', () => gemm(a23, a32, { alpha: NaN }), RangeError, /^Expected a finite number for options.alpha but received NaN$/],
    ['Infinity beta', () => gemm(a23, a32, { beta: Infinity }), RangeError, /^Expected a finite number for options.beta but received Infinity$/],
    ['string alpha', () => gemm(a23, a32, { alpha: '2' as unknown as number }), TypeError, /^Expected a number for options.alpha but received the string "2"$/],
    ['non-boolean transA', () => gemm(a23, a32, { transA: 1 as unknown as boolean }), TypeError, /^Expected a boolean for options.transA but received 1$/],
    ['not a matrix', () => matmul(42 as never, a32), TypeError, /^Expected a matrix .* for A but received 42$/],
    ['data shorter than rows * cols', () => matmul({ data: new Float64Array(5), rows: 2, cols: 3 }, a32), RangeError, /^Expected an array of length rows \* cols = 6 for A.data/],
    ['ragged rows', () => matmul([[1, 2], [3]], a23), RangeError, /^Expected a row of length 2 for A\[1\]/],
    ['zero threads', () => matmul(a23, a32, { threads: 0 }), RangeError, /^Expected an integer from 1 to 4096 for options.threads but received 0$/],
    ['gemv x length', () => gemv(a23, [1, 2]), RangeError, /^Expected an array of length 3 \(the columns of op\(A\), A is 2 x 3\) for x but received a Float64Array of length 2$/],
    ['gemv y length', () => gemv(a23, [1, 2, 3], { beta: 1, y: [1] }), RangeError, /^Expected an array of length 2 \(the rows of op\(A\)\) for options.y/],
    ['gemv mixed types', () => gemv(f32, [1, 2]), TypeError, /^Expected a Float32Array \(the type of A\) for x but received a Float64Array of length 2$/],
    ['axpy lengths', () => axpy(1, [1, 2], [1]), RangeError, /^Expected an array of length 2 \(the length of x\) for y but received a Float64Array of length 1$/],
    ['axpy NaN alpha', () => axpy(NaN, [1], [1]), RangeError, /^Expected a finite number for alpha but received NaN$/],
    ['axpy empty', () => axpy(1, [], []), RangeError, /^Expected a non-empty array for x/],
    ['transpose of a vector', () => transpose(new Float64Array(3) as never), TypeError, /^Expected a matrix .* for A but received a Float64Array of length 3$/],
    ['batch sizes', () => matmulBatched(matrixBatch(new Float64Array(8), 2, 2, 2), matrixBatch(new Float64Array(12), 3, 2, 2)), RangeError, /^Expected a batch of 2 or 1 \(the batch of A\) for B but received 3$/],
    ['batch length', () => matmulBatched({ data: new Float64Array(7), batch: 2, rows: 2, cols: 2 }, a23), RangeError, /^Expected an array of length batch \* rows \* cols = 8 for A.data but received a Float64Array of length 7$/],
    ['batch count', () => matmulBatched({ data: new Float64Array(8), batch: 0, rows: 2, cols: 2 }, a23), RangeError, /^Expected a positive integer for A.batch but received 0$/],
    ['batched C', () => gemmBatched(matrixBatch(new Float64Array(8), 2, 2, 2), matrix(new Float64Array(4), 2, 2), { beta: 1, C: matrixBatch(new Float64Array(12), 3, 2, 2) }), RangeError, /^Expected a 2 x 2 matrix or a batch of 2 of them for options.C but received 3 x 2 x 2$/],
  ];
  for (const [label, run, kind, message] of cases)
    it(label, async () => {
      const error = await rejection(run());
      expect(error).toBeInstanceOf(kind);
      expect(error.message).toMatch(message);
    });

  it('matrixBatch checks its shape at once', () => {
    expect(() => matrixBatch(new Float32Array(5), 2, 1, 2)).toThrow(RangeError);
  });

  it('a detached buffer is a TypeError', async () => {
    const data = new Float64Array(6);
    structuredClone(data.buffer, { transfer: [data.buffer] });
    for (const run of [() => matmul({ data, rows: 2, cols: 3 }, a32), () => transpose({ data, rows: 2, cols: 3 }), () => axpy(1, data, data)]) {
      const error = await rejection(run());
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toMatch(/^Expected an attached buffer for (A\.data|x) but received a detached ArrayBuffer$/);
    }
  });

  it('the native layer re-checks shapes whatever JS passes (no out-of-bounds reads)', () => {
    const x = new Float64Array(6);
    const jobs = {};
    expect(() => addon.gemm(x, 3, 3, x, 3, 2, { transA: false, transB: false, alpha: 1, beta: 0 }, jobs)).toThrow(RangeError);
    expect(() => addon.gemm(x, 2, 3, x, 2, 3, { transA: false, transB: false, alpha: 1, beta: 0 }, jobs)).toThrow(RangeError);
    expect(() => addon.gemm(x, 2, 3, x, 3, 2, { transA: false, transB: false, alpha: 1, beta: 1, C: new Float64Array(3) }, jobs)).toThrow(RangeError);
    expect(() => addon.gemmBatched(x, 4, 1, 2, x, 1, 2, 3, { transA: false, transB: false, alpha: 1, beta: 0 }, jobs)).toThrow(RangeError);
    expect(() => addon.gemmBatched(x, 3, 1, 2, x, 2, 1, 3, { transA: false, transB: true, alpha: 1, beta: 0 }, jobs)).toThrow(RangeError);
    expect(() => addon.gemv(x, 2, 3, new Float64Array(2), { trans: false, alpha: 1, beta: 0 }, jobs)).toThrow(RangeError);
    expect(() => addon.gemv(x, 2, 3, new Float64Array(2), { trans: true, alpha: 1, beta: 1, y: new Float64Array(2) }, jobs)).toThrow(RangeError);
    expect(() => addon.axpy(1, x, new Float64Array(5), jobs)).toThrow(RangeError);
    expect(() => addon.transpose(x, 4, 2, jobs)).toThrow(RangeError);
    expect(() => addon.transpose(x, -1, -6, jobs)).toThrow(RangeError);
    expect(() => addon.gemm(x, 2, 3, new Float32Array(6), 3, 2, { transA: false, transB: false, alpha: 1, beta: 0 }, jobs)).toThrow(TypeError);
    expect(() => addon.gemm(x, 2, 3, x, 3, 2, { transA: false, transB: false, alpha: NaN, beta: 0 }, jobs)).toThrow(RangeError);
  });
});
