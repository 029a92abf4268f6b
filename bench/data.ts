// Seeded synthetic data for benchmarks and tests: same seed, same data, on every machine and run.
// No dependency on the addon, so tests can import it freely.
import type { FloatArray, Matrix } from '../lib/tensor';

export type DType = 'float64' | 'float32';
export type ArrayOf<D extends DType> = D extends 'float32' ? Float32Array : Float64Array;

/** Where and how an array is allocated. */
export interface ArrayOptions<D extends DType = DType> {
  /** Default 42. */
  seed?: number;
  /** Default 'float64'. */
  dtype?: D;
  /** Back the array with a SharedArrayBuffer (for worker_threads). Default false. */
  shared?: boolean;
}

/** xoshiro128** seeded through splitmix32: fast in JS (32-bit integer ops only) and well distributed. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | undefined;

  constructor(seed = 42) {
    let state = seed >>> 0;
    const splitmix32 = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = splitmix32();
    this.s1 = splitmix32();
    this.s2 = splitmix32();
    this.s3 = splitmix32();
  }

  /** Uniform 32-bit unsigned integer. */
  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.uint32() >>> 5;
    const lo = this.uint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), n <= 2^53. */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Marsaglia's polar method). */
  normal(): number {
    if (this.spare !== undefined) {
      const value = this.spare;
      this.spare = undefined;
      return value;
    }
    for (;;) {
      const u = 2 * this.next() - 1;
      const v = 2 * this.next() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        this.spare = v * f;
        return u * f;
      }
    }
  }

  /** Fisher-Yates shuffle in place. */
  shuffle(x: { length: number; [i: number]: number }): void {
    for (let i = x.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = x[i];
      x[i] = x[j];
      x[j] = t;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A zeroed Float64Array/Float32Array of length n, on a SharedArrayBuffer if asked. */
export function allocate<D extends DType = 'float64'>(n: number, dtype?: D, shared = false): ArrayOf<D> {
  const bytesPerElement = dtype === 'float32' ? 4 : 8;
  const buffer = shared ? new SharedArrayBuffer(n * bytesPerElement) : new ArrayBuffer(n * bytesPerElement);
  return (dtype === 'float32' ? new Float32Array(buffer) : new Float64Array(buffer)) as ArrayOf<D>;
}

/** A copy of x on a SharedArrayBuffer. */
export function toShared<T extends FloatArray>(x: T): T {
  const copy = allocate(x.length, x instanceof Float32Array ? 'float32' : 'float64', true) as T;
  copy.set(x);
  return copy;
}

/** n values uniform in [low, high). */
export function uniform<D extends DType = 'float64'>(
  n: number,
  options: ArrayOptions<D> & { low?: number; high?: number } = {},
): ArrayOf<D> {
  const { low = 0, high = 1 } = options;
  const rng = new Rng(options.seed);
  const x = allocate(n, options.dtype, options.shared);
  const width = high - low;
  for (let i = 0; i < n; i++) x[i] = low + width * rng.next();
  return x;
}

/** n values from a normal distribution. */
export function normal<D extends DType = 'float64'>(
  n: number,
  options: ArrayOptions<D> & { mean?: number; std?: number } = {},
): ArrayOf<D> {
  const { mean = 0, std = 1 } = options;
  const rng = new Rng(options.seed);
  const x = allocate(n, options.dtype, options.shared);
  for (let i = 0; i < n; i++) x[i] = mean + std * rng.normal();
  return x;
}

/**
 * n (even) values spread uniformly over (0, 2 * center) whose exact mean is `center`: they come in
 * shuffled pairs center ± d, with d a multiple of the unit in the last place of 2 * center in the
 * dtype, so both members are exactly representable. The exact sum is n * center, so any error in a
 * computed sum or mean is the summation's own rounding error.
 */
export function knownMean<D extends DType = 'float64'>(
  n: number,
  options: ArrayOptions<D> & { center?: number } = {},
): { data: ArrayOf<D>; mean: number } {
  const { center = 1000 } = options;
  if (n % 2 !== 0) throw new RangeError(`Expected an even n but received ${n}`);
  const mantissaBits = options.dtype === 'float32' ? 24 : 53;
  const quantum = 2 ** (Math.floor(Math.log2(2 * center)) + 1 - mantissaBits);
  if (!(center > 0) || center % quantum !== 0 || Math.fround(center) !== center)
    throw new RangeError(`Expected a center exactly representable in ${options.dtype ?? 'float64'} but received ${center}`);
  const steps = center / quantum;
  const rng = new Rng(options.seed);
  const data = allocate(n, options.dtype, options.shared);
  for (let i = 0; i < n; i += 2) {
    const d = Math.floor(rng.next() * steps) * quantum;
    data[i] = center + d;
    data[i + 1] = center - d;
  }
  rng.shuffle(data);
  return { data, mean: center };
}

export interface ClassificationOptions<D extends DType = 'float64'> {
  nSamples: number;
  /** Default 20. */
  nFeatures?: number;
  /** Features that carry the class signal. Default 2. */
  nInformative?: number;
  /** Random linear combinations of the informative features. Default 2. */
  nRedundant?: number;
  /** Default 2. */
  nClasses?: number;
  /** Default 2. */
  nClustersPerClass?: number;
  /** Distance of the cluster centres from the origin along each informative axis. Default 1. */
  classSep?: number;
  /** Fraction of labels replaced by a random class. Default 0.01. */
  flipY?: number;
  seed?: number;
  dtype?: D;
  shared?: boolean;
}

/**
 * A classification problem in the manner of scikit-learn's make_classification: each class owns
 * nClustersPerClass Gaussian clusters centred on hypercube vertices of the informative subspace, each
 * with its own random covariance; columns are [informative, redundant, noise] (no feature shuffle);
 * rows come in random class order. Not bit-compatible with scikit-learn, but the same kind of task.
 */
export function makeClassification<D extends DType = 'float64'>(
  options: ClassificationOptions<D>,
): { X: Matrix<ArrayOf<D>>; y: Int32Array } {
  const {
    nSamples,
    nFeatures = 20,
    nInformative = 2,
    nRedundant = 2,
    nClasses = 2,
    nClustersPerClass = 2,
    classSep = 1,
    flipY = 0.01,
  } = options;
  if (nInformative < 1 || nInformative + nRedundant > nFeatures)
    throw new RangeError(`Expected 1 <= nInformative and nInformative + nRedundant <= nFeatures (${nFeatures})`);
  if (nClasses < 2 || nClustersPerClass < 1) throw new RangeError('Expected nClasses >= 2 and nClustersPerClass >= 1');
  const rng = new Rng(options.seed);
  const nClusters = nClasses * nClustersPerClass;
  // Centres on distinct hypercube vertices while there are enough of them.
  const seen = new Set<string>();
  const centres: Float64Array[] = [];
  for (let c = 0; c < nClusters; c++) {
    let centre: Float64Array;
    let key: string;
    do {
      centre = Float64Array.from({ length: nInformative }, () => (rng.uint32() & 1 ? classSep : -classSep));
      key = centre.join();
    } while (seen.has(key) && seen.size < 2 ** nInformative);
    seen.add(key);
    centres.push(centre);
  }
  const covariances = centres.map(() => Float64Array.from({ length: nInformative * nInformative }, () => 2 * rng.next() - 1));
  const redundant = Float64Array.from({ length: nInformative * nRedundant }, () => 2 * rng.next() - 1);

  const data = allocate(nSamples * nFeatures, options.dtype, options.shared);
  const y = new Int32Array(nSamples);
  const z = new Float64Array(nInformative);
  const informative = new Float64Array(nInformative);
  for (let i = 0; i < nSamples; i++) {
    const cluster = rng.int(nClusters);
    y[i] = cluster % nClasses;
    const row = i * nFeatures;
    const centre = centres[cluster];
    const a = covariances[cluster];
    for (let k = 0; k < nInformative; k++) z[k] = rng.normal();
    for (let j = 0; j < nInformative; j++) {
      let v = centre[j];
      for (let k = 0; k < nInformative; k++) v += z[k] * a[k * nInformative + j];
      informative[j] = v;
      data[row + j] = v;
    }
    for (let r = 0; r < nRedundant; r++) {
      let v = 0;
      for (let k = 0; k < nInformative; k++) v += informative[k] * redundant[k * nRedundant + r];
      data[row + nInformative + r] = v;
    }
    for (let j = nInformative + nRedundant; j < nFeatures; j++) data[row + j] = rng.normal();
    if (flipY > 0 && rng.next() < flipY) y[i] = rng.int(nClasses);
  }
  return { X: { data, rows: nSamples, cols: nFeatures }, y };
}

export interface RegressionOptions<D extends DType = 'float64'> {
  nSamples: number;
  /** Default 100. */
  nFeatures?: number;
  /** Features with a non-zero coefficient. Default 10. */
  nInformative?: number;
  /** Standard deviation of the Gaussian noise added to y. Default 0. */
  noise?: number;
  /** Default 0. */
  bias?: number;
  seed?: number;
  dtype?: D;
  shared?: boolean;
}

/** y = X · coef + bias + noise with X standard normal and coef uniform in [0, 100) on the informative columns. */
export function makeRegression<D extends DType = 'float64'>(
  options: RegressionOptions<D>,
): { X: Matrix<ArrayOf<D>>; y: Float64Array; coef: Float64Array } {
  const { nSamples, nFeatures = 100, nInformative = 10, noise = 0, bias = 0 } = options;
  if (nInformative < 0 || nInformative > nFeatures)
    throw new RangeError(`Expected 0 <= nInformative <= nFeatures (${nFeatures})`);
  const rng = new Rng(options.seed);
  const coef = new Float64Array(nFeatures);
  for (let j = 0; j < nInformative; j++) coef[j] = 100 * rng.next();
  const data = allocate(nSamples * nFeatures, options.dtype, options.shared);
  const y = new Float64Array(nSamples);
  for (let i = 0; i < nSamples; i++) {
    let target = bias;
    for (let j = 0; j < nFeatures; j++) {
      const v = rng.normal();
      data[i * nFeatures + j] = v;
      target += coef[j] * data[i * nFeatures + j];
    }
    y[i] = noise > 0 ? target + noise * rng.normal() : target;
  }
  return { X: { data, rows: nSamples, cols: nFeatures }, y, coef };
}

/** Features and labels of one side of a train/test split. */
export interface Split {
  X: Matrix;
  y: Int32Array;
}

export function firstRows(s: Split, rows: number): Split {
  return { X: { data: s.X.data.subarray(0, rows * s.X.cols), rows, cols: s.X.cols }, y: s.y.subarray(0, rows) };
}

/** The model suites' synthetic binary task: `rows` x 28 (20 informative) for training, rows / 10 for testing. */
export function syntheticBinary(rows: number): { train: Split; test: Split } {
  const testRows = rows / 10;
  const { X, y } = makeClassification({ nSamples: rows + testRows, nFeatures: 28, nInformative: 20, nRedundant: 2, seed: 42 });
  const test = { X: { data: X.data.subarray(rows * 28), rows: testRows, cols: 28 }, y: y.subarray(rows) };
  return { train: firstRows({ X, y }, rows), test };
}
