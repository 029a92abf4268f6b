// trainTestSplit: scikit-learn's train_test_split (ShuffleSplit / StratifiedShuffleSplit) with a
// seeded generator of its own, so a randomState gives the same split on every machine.
import { randomInt } from 'node:crypto';
import { rangeError, typeError } from '../errors';
import { runJob, type JobOptions } from '../job';
import { addon } from '../native';
import { toMatrix, type Matrix, type MatrixInput } from '../tensor';
import { checkBoolean, step, type ResultOf } from './base';
import { labelCount, readLabels, sortedUniqueStrings, takeLabels, type Labels } from './labels';

export interface TrainTestSplitOptions extends JobOptions {
  /**
   * The test set: a fraction of the rows in (0, 1) (rounded up) or a number of rows. Default: the
   * rows trainSize leaves, or 0.25 when trainSize is not given either.
   */
  testSize?: number;
  /** The train set: a fraction in (0, 1) (rounded down) or a number of rows. Default: the rows testSize leaves. */
  trainSize?: number;
  /** Shuffle the rows before splitting. Default true; false takes the first rows for training, the next for testing. */
  shuffle?: boolean;
  /** Class labels, one per row: each class keeps (nearly) its share of rows in both sets. Needs shuffle. */
  stratify?: Labels;
  /** Seed (an integer from 0 to 2^32 - 1) for a reproducible split. Default: a new random seed each call. */
  randomState?: number;
}

export interface TrainTestSplit<X, Y> {
  XTrain: ResultOf<X>;
  XTest: ResultOf<X>;
  yTrain: Y;
  yTest: Y;
  /** The rows of X (and y) that went to each set, in the order they appear there. */
  trainIndex: Int32Array;
  testIndex: Int32Array;
}

/**
 * sfc32, Chris Doty-Humphrey's small fast counting generator: 32-bit integer arithmetic only, so
 * a seed gives the same sequence in every JavaScript engine.
 */
class Random {
  private a = 0x9e3779b9;
  private b = 0x243f6a88;
  private c = 0xb7e15162;
  private d: number;

  constructor(seed: number) {
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.uint32(); // mix the seed into every word
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (((this.c << 21) | (this.c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** Uniform integer in [0, n) for 1 <= n <= 2^32, without modulo bias. */
  below(n: number): number {
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const r = this.uint32();
      if (r < limit) return r % n;
    }
  }

  /** Fisher-Yates, in place. */
  shuffle<A extends { length: number; [i: number]: number }>(a: A): A {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  permutation(n: number): Int32Array {
    return this.shuffle(Int32Array.from({ length: n }, (_, i) => i));
  }
}

type Size = { fraction: number } | { count: number } | undefined;

function readSize(value: unknown, name: string, n: number): Size {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw typeError('a number', name, value);
  if (value > 0 && value < 1) return { fraction: value };
  if (Number.isInteger(value) && value >= 1 && value < n) return { count: value };
  throw rangeError(`a fraction in (0, 1) or an integer from 1 to ${n - 1} (the number of rows less one)`, name, value);
}

/** scikit-learn's _validate_shuffle_split: [nTrain, nTest]. */
function splitSizes(n: number, testSize: unknown, trainSize: unknown): [number, number] {
  let test = readSize(testSize, 'options.testSize', n);
  const train = readSize(trainSize, 'options.trainSize', n);
  if (test === undefined && train === undefined) test = { fraction: 0.25 };
  if (test !== undefined && train !== undefined && 'fraction' in test && 'fraction' in train && test.fraction + train.fraction > 1)
    throw rangeError(`a fraction <= ${1 - test.fraction} (1 - options.testSize)`, 'options.trainSize', train.fraction);
  let nTest = test === undefined ? 0 : 'fraction' in test ? Math.ceil(test.fraction * n) : test.count;
  let nTrain = train === undefined ? 0 : 'fraction' in train ? Math.floor(train.fraction * n) : train.count;
  if (train === undefined) nTrain = n - nTest;
  if (test === undefined) nTest = n - nTrain;
  if (nTrain + nTest > n)
    throw new RangeError(`Expected options.trainSize and options.testSize to add up to at most the ${n} rows of X but received ${nTrain} + ${nTest} rows`);
  if (nTrain === 0) throw new RangeError(`Expected a non-empty train set but received 0 of ${n} rows (testSize ${testSize}, trainSize ${trainSize})`);
  return [nTrain, nTest];
}

/**
 * scikit-learn's _approximate_mode: how many of `draws` rows each class gets, proportional to its
 * count; rows left over after rounding down go to the largest remainders, ties broken at random.
 */
function approximateMode(counts: readonly number[], draws: number, rng: Random): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  const continuous = counts.map((c) => (c / total) * draws);
  const floored = continuous.map(Math.floor);
  let need = draws - floored.reduce((a, b) => a + b, 0);
  const remainders = [...new Set(continuous.map((c, k) => c - floored[k]))].sort((a, b) => b - a);
  for (const value of remainders) {
    if (need <= 0) break;
    const tied = rng.shuffle(continuous.map((c, k) => (c - floored[k] === value ? k : -1)).filter((k) => k >= 0));
    for (const k of tied.slice(0, need)) floored[k] += 1;
    need -= Math.min(tied.length, need);
  }
  return floored;
}

/** StratifiedShuffleSplit's single split: per class, a random nI rows for train and the next tI for test. */
function stratifiedSplit(stratify: unknown, n: number, nTrain: number, nTest: number, rng: Random): [Int32Array, Int32Array] {
  const labels = readLabels(stratify, 'options.stratify');
  if (labels.values.length !== n) throw rangeError(`${n} labels (one per row of X)`, 'options.stratify', stratify);
  const values: ArrayLike<number | string> = labels.values;
  const classes: (number | string)[] =
    labels.kind === 'number' ? [...new Set(labels.values)].sort((a, b) => a - b) : sortedUniqueStrings(labels.values);
  const codeOf = new Map(classes.map((c, k) => [c, k]));
  const members: number[][] = classes.map(() => []);
  for (let i = 0; i < n; i++) members[codeOf.get(values[i]) as number].push(i);
  const counts = members.map((m) => m.length);
  const smallest = counts.indexOf(Math.min(...counts));
  if (counts[smallest] < 2)
    throw new RangeError(`Expected at least 2 rows of every class for options.stratify but received 1 row of class ${String(classes[smallest])}`);
  if (nTrain < classes.length) throw rangeError(`at least ${classes.length} train rows (one per class)`, 'the train set', nTrain);
  if (nTest < classes.length) throw rangeError(`at least ${classes.length} test rows (one per class)`, 'the test set', nTest);
  const trainPerClass = approximateMode(counts, nTrain, rng);
  const testPerClass = approximateMode(counts.map((c, k) => c - trainPerClass[k]), nTest, rng);
  const train: number[] = [];
  const test: number[] = [];
  members.forEach((rows, k) => {
    const order = rng.permutation(rows.length);
    for (let r = 0; r < trainPerClass[k] + testPerClass[k]; r++) (r < trainPerClass[k] ? train : test).push(rows[order[r]]);
  });
  return [rng.shuffle(Int32Array.from(train)), rng.shuffle(Int32Array.from(test))];
}

function takeRows(m: Matrix, index: Int32Array, options: JobOptions | undefined): Promise<Matrix> {
  return runJob(options, (native) => addon.takeRows(m.data, m.rows, m.cols, index, native)).then((data) => ({
    data,
    rows: index.length,
    cols: m.cols,
  }));
}

/**
 * Splits the rows of X and y into random train and test sets, like scikit-learn's train_test_split:
 * the same sizes (testSize rounded up, trainSize down), the same stratification scheme, and a
 * reproducible split for a given randomState. The permutation itself differs from scikit-learn's
 * (a different generator), so the same seed picks different rows than it does in Python.
 */
export async function trainTestSplit<X extends MatrixInput, Y extends Labels>(
  X: X,
  y: Y,
  options: TrainTestSplitOptions = {},
): Promise<TrainTestSplit<X, Y>> {
  if (options === null || typeof options !== 'object') throw typeError('an options object', 'options', options);
  const m = toMatrix(X, 'X');
  if (labelCount(y, 'y') !== m.rows) throw rangeError(`${m.rows} labels (one per row of X)`, 'y', y);
  const [nTrain, nTest] = splitSizes(m.rows, options.testSize, options.trainSize);
  const shuffle = checkBoolean(options.shuffle, 'options.shuffle', true);
  const seed = options.randomState;
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32))
    throw rangeError('an integer from 0 to 2^32 - 1', 'options.randomState', seed);
  const rng = new Random(seed ?? randomInt(2 ** 32));
  let trainIndex: Int32Array;
  let testIndex: Int32Array;
  if (options.stratify !== undefined) {
    if (!shuffle) throw rangeError('shuffle: true (a stratified split shuffles)', 'options.shuffle', false);
    [trainIndex, testIndex] = stratifiedSplit(options.stratify, m.rows, nTrain, nTest, rng);
  } else if (shuffle) {
    const order = rng.permutation(m.rows);
    testIndex = order.slice(0, nTest);
    trainIndex = order.slice(nTest, nTest + nTrain);
  } else {
    trainIndex = Int32Array.from({ length: nTrain }, (_, i) => i);
    testIndex = Int32Array.from({ length: nTest }, (_, i) => nTrain + i);
  }
  const XTrain = await takeRows(m, trainIndex, step(options, 0, 2));
  const XTest = await takeRows(m, testIndex, step(options, 1, 2));
  return {
    XTrain: XTrain as ResultOf<X>,
    XTest: XTest as ResultOf<X>,
    yTrain: takeLabels(y, trainIndex),
    yTest: takeLabels(y, testIndex),
    trainIndex,
    testIndex,
  };
}
