// Independent references for the test suite: a seeded PRNG, a correctly rounded sum (Shewchuk /
// Python's math.fsum) and slow, straightforward JS versions of every reduction with NumPy semantics.
import { expect } from 'vitest';

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform values in [lo, hi). */
export function uniform(n: number, seed: number, lo = -1, hi = 1): Float64Array {
  const rand = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rand();
  return out;
}

/** Random signs and magnitudes spread over 10^-8 .. 10^8: hard for a naive sum. */
export function mixedMagnitudes(n: number, seed: number): Float64Array {
  const rand = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (rand() < 0.5 ? -1 : 1) * rand() * 10 ** (16 * rand() - 8);
  return out;
}

/**
 * Correctly rounded sum of finite doubles (Shewchuk's algorithm, as in CPython's math.fsum).
 * `term(i)` supplies the i-th addend.
 */
export function fsumOf(n: number, term: (i: number) => number): number {
  const partials: number[] = [];
  for (let k = 0; k < n; k++) {
    let x = term(k);
    let i = 0;
    for (let j = 0; j < partials.length; j++) {
      let y = partials[j];
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[i++] = lo;
      x = hi;
    }
    partials.length = i;
    partials.push(x);
  }
  let m = partials.length;
  if (m === 0) return 0;
  let hi = partials[--m];
  let lo = 0;
  while (m > 0) {
    const x = hi;
    const y = partials[--m];
    hi = x + y;
    const yr = hi - x;
    lo = y - yr;
    if (lo !== 0) break;
  }
  // Round half-even across the remaining partials, exactly like math.fsum.
  if (m > 0 && ((lo < 0 && partials[m - 1] < 0) || (lo > 0 && partials[m - 1] > 0))) {
    const y = lo * 2;
    const x = hi + y;
    const yr = x - hi;
    if (y === yr) hi = x;
  }
  return hi;
}

export function fsum(x: ArrayLike<number>): number {
  return fsumOf(x.length, (i) => x[i]);
}

/** Plain left-to-right summation: what a naive JS loop gives. */
export function naiveSum(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}

export type Op = 'sum' | 'mean' | 'variance' | 'std' | 'min' | 'max' | 'argmin' | 'argmax' | 'norm1' | 'norm2' | 'normInf';
export const allOps: Op[] = ['sum', 'mean', 'variance', 'std', 'min', 'max', 'argmin', 'argmax', 'norm1', 'norm2', 'normInf'];

export interface RefOptions {
  skipNaN?: boolean;
  ddof?: number;
}

function present(x: ArrayLike<number>, skipNaN: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) if (!(skipNaN && Number.isNaN(x[i]))) out.push(x[i]);
  return out;
}

/** NumPy's semantics, computed slowly and (for sums) exactly, in float64. */
export function reference(op: Op, x: ArrayLike<number>, options: RefOptions = {}): number {
  const skipNaN = options.skipNaN ?? false;
  const anyNaN = Array.prototype.some.call(x, (v: number) => Number.isNaN(v));
  switch (op) {
    case 'sum': {
      const v = present(x, skipNaN);
      return v.some(Number.isNaN) ? NaN : fsum(v);
    }
    case 'mean': {
      const v = present(x, skipNaN);
      return v.length === 0 || v.some(Number.isNaN) ? NaN : fsum(v) / v.length;
    }
    case 'variance':
    case 'std': {
      const v = present(x, skipNaN);
      const dof = v.length - (options.ddof ?? 0);
      if (dof <= 0 || v.some(Number.isNaN)) return NaN;
      const m = fsum(v) / v.length;
      const variance = fsumOf(v.length, (i) => (v[i] - m) * (v[i] - m)) / dof;
      return op === 'std' ? Math.sqrt(variance) : variance;
    }
    case 'min':
    case 'max': {
      if (anyNaN && !skipNaN) return NaN;
      let best = NaN;
      for (let i = 0; i < x.length; i++) {
        const v = x[i];
        if (Number.isNaN(v)) continue;
        if (Number.isNaN(best) || (op === 'min' ? v < best : v > best)) best = v;
      }
      return best;
    }
    case 'argmin':
    case 'argmax': {
      let best = -1;
      for (let i = 0; i < x.length; i++) {
        const v = x[i];
        if (Number.isNaN(v)) {
          if (!skipNaN) return i;
          continue;
        }
        if (best < 0 || (op === 'argmin' ? v < x[best] : v > x[best])) best = i;
      }
      if (best < 0) throw new RangeError('all NaN');
      return best;
    }
    case 'norm1':
      return anyNaN ? NaN : fsumOf(x.length, (i) => Math.abs(x[i]));
    case 'norm2': {
      if (anyNaN) return NaN;
      let scale = 0;
      for (let i = 0; i < x.length; i++) scale = Math.max(scale, Math.abs(x[i]));
      if (scale === 0 || scale === Infinity) return scale;
      return Math.sqrt(fsumOf(x.length, (i) => (x[i] / scale) * (x[i] / scale))) * scale;
    }
    case 'normInf': {
      if (anyNaN) return NaN;
      let best = 0;
      for (let i = 0; i < x.length; i++) best = Math.max(best, Math.abs(x[i]));
      return best;
    }
  }
}

/** Column j (axis 0) or row i (axis 1) of a row-major matrix, as plain numbers. */
export function lane(data: ArrayLike<number>, rows: number, cols: number, axis: 0 | 1, k: number): number[] {
  const out: number[] = [];
  if (axis === 0) for (let r = 0; r < rows; r++) out.push(data[r * cols + k]);
  else for (let c = 0; c < cols; c++) out.push(data[k * cols + c]);
  return out;
}

/** Relative tolerance for a float64 result of `op` against the reference (0: must be exact). */
export function tolerance(op: Op): number {
  switch (op) {
    case 'min':
    case 'max':
    case 'argmin':
    case 'argmax':
    case 'normInf':
      return 0;
    case 'variance':
    case 'std':
      return 1e-13;
    default:
      return 1e-14;
  }
}

/** |actual - expected| <= rel * |expected|; NaN matches NaN; infinities must match exactly. */
export function expectClose(actual: number, expected: number, rel: number, label = ''): void {
  if (Number.isNaN(expected) || !Number.isFinite(expected) || rel === 0) {
    expect(actual, label).toBe(expected);
    return;
  }
  const err = Math.abs(actual - expected);
  const bound = rel * Math.abs(expected);
  if (!(err <= bound))
    expect.fail(`${label}: expected ${actual} to be within relative ${rel} of ${expected} (relative error ${err / Math.abs(expected)})`);
}

/** The distance between a float32 value and the next one up in magnitude. */
export function ulp32(v: number): number {
  const f = Math.fround(Math.abs(v));
  if (f === 0) return 2 ** -149;
  const e = Math.floor(Math.log2(f));
  return 2 ** (Math.max(e, -126) - 23);
}

/** Float32 results: within one float32 ulp of the float64 reference rounded to float32. */
export function expectCloseF32(actual: number, expected: number, label = ''): void {
  const e32 = Math.fround(expected);
  if (Number.isNaN(expected) || !Number.isFinite(e32)) {
    expect(actual, label).toBe(e32);
    return;
  }
  if (!(Math.abs(actual - e32) <= ulp32(e32)))
    expect.fail(`${label}: expected ${actual} to be within one float32 ulp of ${e32}`);
}

/** Awaits a promise that must reject; returns the rejection. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  return expect.fail('expected the promise to reject, but it resolved');
}
