// KFold and StratifiedKFold: scikit-learn's cross-validation splitters (the same fold sizes; test
// indices ascending). Shuffling is seeded by randomState, so a seeded split is reproducible.
import { rangeError, typeError } from '../errors';

/** One train/test split: row indices, ascending. */
export interface Split {
  train: Int32Array;
  test: Int32Array;
}

export interface KFoldOptions {
  /** Number of folds, at least 2. Default 5. */
  nSplits?: number;
  /** Shuffle rows (KFold) or each class's rows (StratifiedKFold) before splitting. Default false. */
  shuffle?: boolean;
  /** Seed of the shuffle; without it each split() shuffles differently. */
  randomState?: number;
}

/** The splitter interface crossValScore and GridSearchCV accept. */
export interface CrossValidator {
  readonly nSplits: number;
  split(nRows: number, y?: ArrayLike<unknown>): Split[];
}

function checkOptions(options: KFoldOptions | undefined): Required<Omit<KFoldOptions, 'randomState'>> & { randomState?: number } {
  const o = options ?? {};
  if (o === null || typeof o !== 'object') throw typeError('an options object', 'options', o);
  const nSplits = o.nSplits ?? 5;
  if (!Number.isInteger(nSplits) || nSplits < 2) throw rangeError('an integer >= 2', 'options.nSplits', nSplits);
  const shuffle = o.shuffle ?? false;
  if (typeof shuffle !== 'boolean') throw typeError('a boolean', 'options.shuffle', shuffle);
  if (o.randomState !== undefined && (!Number.isInteger(o.randomState) || o.randomState < 0))
    throw rangeError('a non-negative integer', 'options.randomState', o.randomState);
  return { nSplits, shuffle, randomState: o.randomState };
}

/** mulberry32, a small seeded PRNG in [0, 1). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffleInPlace(a: Int32Array, rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
}

function checkRows(nRows: unknown, nSplits: number): number {
  if (!Number.isInteger(nRows)) throw typeError('an integer', 'nRows', nRows);
  if ((nRows as number) < nSplits) throw rangeError(`at least nSplits = ${nSplits} rows`, 'nRows', nRows);
  return nRows as number;
}

/** Splits from a fold number per row: fold k is the test set of split k, the rest its train set. */
function splitsFromFolds(fold: Int32Array, nSplits: number): Split[] {
  const splits: Split[] = [];
  for (let k = 0; k < nSplits; k++) {
    const test: number[] = [];
    const train: number[] = [];
    fold.forEach((f, row) => (f === k ? test : train).push(row));
    splits.push({ train: Int32Array.from(train), test: Int32Array.from(test) });
  }
  return splits;
}

abstract class Splitter implements CrossValidator {
  readonly nSplits: number;
  readonly shuffle: boolean;
  readonly randomState: number | undefined;

  constructor(options?: KFoldOptions) {
    const o = checkOptions(options);
    this.nSplits = o.nSplits;
    this.shuffle = o.shuffle;
    this.randomState = o.randomState;
  }

  protected rand(): () => number {
    return random(this.randomState ?? Math.floor(Math.random() * 2 ** 32));
  }

  abstract split(nRows: number, y?: ArrayLike<unknown>): Split[];
}

/** Consecutive folds (after an optional shuffle); the first nRows % nSplits folds have one row more. */
export class KFold extends Splitter {
  split(nRows: number): Split[] {
    const n = checkRows(nRows, this.nSplits);
    const order = Int32Array.from({ length: n }, (_, i) => i);
    if (this.shuffle) shuffleInPlace(order, this.rand());
    const fold = new Int32Array(n);
    let start = 0;
    for (let k = 0; k < this.nSplits; k++) {
      const size = Math.floor(n / this.nSplits) + (k < n % this.nSplits ? 1 : 0);
      for (let i = start; i < start + size; i++) fold[order[i]] = k;
      start += size;
    }
    return splitsFromFolds(fold, this.nSplits);
  }
}

/**
 * Folds that keep each class's share: rows sorted by class are dealt to folds in turn (as
 * scikit-learn allocates), so each class's count per fold differs by at most one across folds.
 */
export class StratifiedKFold extends Splitter {
  split(nRows: number, y?: ArrayLike<unknown>): Split[] {
    const n = checkRows(nRows, this.nSplits);
    if (y === undefined || y === null || typeof y !== 'object' || y.length !== n)
      throw typeError(`labels of length ${n}`, 'y', y);
    const byClass = new Map<string, number[]>();
    for (let row = 0; row < n; row++) {
      const key = `${typeof y[row]}:${String(y[row])}`;
      const rows = byClass.get(key);
      if (rows === undefined) byClass.set(key, [row]);
      else rows.push(row);
    }
    const largest = Math.max(...[...byClass.values()].map((rows) => rows.length));
    if (largest < this.nSplits) throw rangeError(`a class with at least nSplits = ${this.nSplits} members`, 'y', y);
    const rand = this.shuffle ? this.rand() : undefined;
    const fold = new Int32Array(n);
    let dealt = 0;
    for (const key of [...byClass.keys()].sort()) {
      const rows = Int32Array.from(byClass.get(key) as number[]);
      if (rand !== undefined) shuffleInPlace(rows, rand);
      for (const row of rows) fold[row] = dealt++ % this.nSplits;
    }
    return splitsFromFolds(fold, this.nSplits);
  }
}
