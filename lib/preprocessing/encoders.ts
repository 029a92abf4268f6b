// OneHotEncoder and LabelEncoder with scikit-learn's semantics. Numeric categories are found and
// coded natively (sorted distinct values per column, binary search per value, in parallel);
// string categories are coded here with one Map per column. Both share the native one-hot expansion.
import { rangeError, typeError } from '../errors';
import { runJob, type JobOptions } from '../job';
import { addon } from '../native';
import { toMatrix, type Matrix, type MatrixInput } from '../tensor';
import { checkChoice, checkedMatrix, checkFeatures, countFromJSON, Estimator, readEnvelope, step } from './base';
import { readLabels, sortedUniqueStrings, type Labels } from './labels';

/** A table of categorical values: numbers in a matrix, or strings read through `at`. */
type Categorical =
  | { kind: 'number'; m: Matrix; rows: number; cols: number }
  | { kind: 'string'; at: (row: number, col: number) => string; rows: number; cols: number };

/** Each column's categories: sorted distinct finite numbers, or distinct strings in their order. */
type CategoryLists = { kind: 'number'; lists: Float64Array[] } | { kind: 'string'; lists: string[][] };

/** CategoryLists prepared for coding. */
interface CategoryIndex {
  lists: CategoryLists;
  /** Column j's categories are codes offsets[j] .. offsets[j + 1] of the one-hot output. */
  offsets: Int32Array;
  /** Numbers: every list concatenated, for the native encoder. */
  flat: Float64Array;
  /** Strings: a code for each category, per column. */
  maps: Map<string, number>[];
}

function indexOf(lists: CategoryLists): CategoryIndex {
  const offsets = new Int32Array(lists.lists.length + 1);
  lists.lists.forEach((list, j) => (offsets[j + 1] = offsets[j] + list.length));
  const flat = new Float64Array(lists.kind === 'number' ? offsets[offsets.length - 1] : 0);
  if (lists.kind === 'number') lists.lists.forEach((list, j) => flat.set(list, offsets[j]));
  const maps = lists.kind === 'string' ? lists.lists.map((list) => new Map(list.map((c, code) => [c, code]))) : [];
  return { lists, offsets, flat, maps };
}

/** string[][] is read as strings; anything else must be a numeric matrix. */
function readCategorical(X: unknown): Categorical {
  if (!Array.isArray(X) || !Array.isArray(X[0]) || typeof X[0][0] !== 'string') {
    const m = toMatrix(X, 'X');
    return { kind: 'number', m, rows: m.rows, cols: m.cols };
  }
  const cols = X[0].length;
  X.forEach((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== cols) throw rangeError(`a row of ${cols} strings`, `X[${i}]`, row);
    row.forEach((v: unknown, j) => {
      if (typeof v !== 'string') throw typeError('a string (X[0][0] is a string)', `X[${i}][${j}]`, v);
    });
  });
  const rows = X as readonly (readonly string[])[];
  return { kind: 'string', at: (i, j) => rows[i][j], rows: rows.length, cols };
}

function labelsCategorical(y: unknown): Categorical {
  const labels = readLabels(y, 'y');
  const n = labels.values.length;
  if (labels.kind === 'number') return { kind: 'number', m: { data: labels.values, rows: n, cols: 1 }, rows: n, cols: 1 };
  return { kind: 'string', at: (i) => labels.values[i] as string, rows: n, cols: 1 };
}

function valueAt(x: Categorical, i: number, j: number): number | string {
  return x.kind === 'number' ? x.m.data[i * x.cols + j] : x.at(i, j);
}

function checkKind(x: Categorical, lists: CategoryLists, name: string): void {
  if (x.kind !== lists.kind) throw typeError(`${lists.kind === 'number' ? 'numbers' : 'strings'} (as in fit)`, name, valueAt(x, 0, 0));
}

/** The sorted distinct values of each column (NaN and infinities refused). */
async function learnCategories(x: Categorical, options: JobOptions | undefined): Promise<CategoryLists> {
  if (x.kind === 'string') {
    const lists = Array.from({ length: x.cols }, (_, j) => sortedUniqueStrings(Array.from({ length: x.rows }, (_, i) => x.at(i, j))));
    return { kind: 'string', lists };
  }
  const { values, offsets } = await runJob(options, (native) => addon.columnUniques(x.m.data, x.rows, x.cols, false, native));
  return { kind: 'number', lists: Array.from({ length: x.cols }, (_, j) => values.slice(offsets[j], offsets[j + 1])) };
}

/** The code of each value among its column's categories, -1 where it is not one of them. */
async function encode(x: Categorical, index: CategoryIndex, options: JobOptions | undefined): Promise<Int32Array> {
  if (x.kind === 'number') return runJob(options, (native) => addon.encodeColumns(x.m.data, x.rows, x.cols, index.flat, index.offsets, native));
  const codes = new Int32Array(x.rows * x.cols);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) codes[i * x.cols + j] = index.maps[j].get(x.at(i, j)) ?? -1;
  return codes;
}

/** Throws a RangeError naming the first value that is not a known category. */
function rejectUnknown(x: Categorical, codes: Int32Array, expected: string, name: (i: number, j: number) => string): void {
  const at = codes.indexOf(-1);
  if (at < 0) return;
  const i = Math.floor(at / x.cols);
  const j = at % x.cols;
  throw rangeError(expected, name(i, j), valueAt(x, i, j));
}

const matrixName = (i: number, j: number) => `X[${i}][${j}]`;

/** A list of given categories: finite numbers in ascending order, or distinct strings. */
function readCategoryList(value: unknown, name: string): Float64Array | string[] {
  if (!Array.isArray(value) || value.length === 0) throw typeError('a non-empty array of numbers or strings', name, value);
  if (typeof value[0] === 'string') {
    const seen = new Set<string>();
    value.forEach((c: unknown, k) => {
      if (typeof c !== 'string') throw typeError('a string (the first category is a string)', `${name}[${k}]`, c);
      if (seen.has(c)) throw rangeError('distinct categories', `${name}[${k}]`, c);
      seen.add(c);
    });
    return [...seen];
  }
  return Float64Array.from(value, (c: unknown, k) => {
    if (typeof c !== 'number') throw typeError('a number (the first category is a number)', `${name}[${k}]`, c);
    if (!Number.isFinite(c)) throw rangeError('a finite number', `${name}[${k}]`, c);
    if (k > 0 && !(c > value[k - 1])) throw rangeError(`a number > ${name}[${k - 1}] (numeric categories ascend)`, `${name}[${k}]`, c);
    return c;
  });
}

/** Per-column category lists of one kind. */
function readCategoryLists(value: unknown, name: string): CategoryLists {
  if (!Array.isArray(value) || value.length === 0) throw typeError('a non-empty array of category lists', name, value);
  const lists = value.map((list, j) => readCategoryList(list, `${name}[${j}]`));
  const kind = lists[0] instanceof Float64Array ? 'number' : 'string';
  lists.forEach((list, j) => {
    if ((list instanceof Float64Array) !== (kind === 'number')) throw typeError(`${kind === 'number' ? 'numbers' : 'strings'} like ${name}[0]`, `${name}[${j}]`, list);
  });
  return kind === 'number' ? { kind, lists: lists as Float64Array[] } : { kind, lists: lists as string[][] };
}

function listsToJSON(lists: CategoryLists): (number[] | string[])[] {
  return lists.kind === 'number' ? lists.lists.map((list) => Array.from(list)) : lists.lists.map((list) => [...list]);
}

// ---- OneHotEncoder --------------------------------------------------------------------------

/** Numeric rows ({data, rows, cols}, number[][], ml-matrix) or string rows (string[][]). */
export type CategoricalInput = MatrixInput | readonly (readonly string[])[];

export interface OneHotEncoderOptions {
  /**
   * 'auto' (default): the distinct values of each column in fit, sorted. Or one list per column:
   * numbers in ascending order, or strings (kept in the given order).
   */
  categories?: 'auto' | readonly (readonly number[] | readonly string[])[];
  /** 'error' (default): an unknown category in transform is a RangeError; 'ignore': its columns stay 0. */
  handleUnknown?: 'error' | 'ignore';
  /** The output's float type. Default: float32 for Float32Array input, float64 otherwise. */
  dtype?: 'float64' | 'float32';
}

interface OneHotState {
  nFeaturesIn: number;
  index: CategoryIndex;
}

interface OneHotParams {
  categories: 'auto' | CategoryLists;
  handleUnknown: 'error' | 'ignore';
  dtype: 'float64' | 'float32' | undefined;
}

function readOneHotOptions(options: OneHotEncoderOptions, name: string): OneHotParams {
  const categories = options.categories ?? 'auto';
  return {
    categories: categories === 'auto' ? 'auto' : readCategoryLists(categories, `${name}.categories`),
    handleUnknown: checkChoice(options.handleUnknown, `${name}.handleUnknown`, ['error', 'ignore'] as const, 'error'),
    dtype: options.dtype === undefined ? undefined : checkChoice(options.dtype, `${name}.dtype`, ['float64', 'float32'] as const, 'float64'),
  };
}

/**
 * Encodes each categorical column as one 0/1 column per category (a dense float matrix): column
 * j's categories occupy output columns in the order of `categories[j]`. Categories are numbers
 * (NaN and infinities refused) or strings.
 */
export class OneHotEncoder extends Estimator<OneHotState> {
  protected readonly estimatorName = 'OneHotEncoder';
  private readonly options: OneHotParams;

  constructor(options: OneHotEncoderOptions = {}) {
    super();
    this.options = readOneHotOptions(options, 'options');
  }

  get handleUnknown(): 'error' | 'ignore' {
    return this.options.handleUnknown;
  }

  /** The categories of each column, in output order: Float64Array for numbers, string[] for strings. */
  get categories(): readonly (Float64Array | readonly string[])[] {
    return this.fitted().index.lists.lists;
  }

  /** The number of columns seen in fit. */
  get nFeaturesIn(): number {
    return this.fitted().nFeaturesIn;
  }

  /** Learns the categories of each column; resolves to this encoder. */
  async fit(X: CategoricalInput, options?: JobOptions): Promise<this> {
    this.state = await this.fitCategorical(readCategorical(X), options);
    return this;
  }

  /** The one-hot matrix: rows x (total number of categories). */
  async transform(X: CategoricalInput, options?: JobOptions): Promise<Matrix> {
    const state = this.fitted();
    return this.transformCategorical(readCategorical(X), state, options);
  }

  /** fit(X) then transform(X), with one progress from 0 to 1. */
  async fitTransform(X: CategoricalInput, options?: JobOptions): Promise<Matrix> {
    const x = readCategorical(X);
    const state = await this.fitCategorical(x, step(options, 0, 2));
    this.state = state;
    return this.transformCategorical(x, state, step(options, 1, 2));
  }

  /**
   * The categories back from a one-hot matrix: each column block's largest entry picks its
   * category. An all-zero block (an unknown category under handleUnknown 'ignore') gives NaN for
   * numbers and null for strings; under 'error' it is a RangeError.
   */
  async inverseTransform(X: MatrixInput): Promise<Matrix<Float64Array> | (string | null)[][]> {
    const { nFeaturesIn, index } = this.fitted();
    const width = index.offsets[nFeaturesIn];
    const m = checkedMatrix(X, width);
    const codes = new Int32Array(m.rows * nFeaturesIn);
    for (let i = 0; i < m.rows; i++)
      for (let j = 0; j < nFeaturesIn; j++) {
        let best = -1;
        let sum = 0;
        for (let k = index.offsets[j]; k < index.offsets[j + 1]; k++) {
          const v = m.data[i * width + k];
          sum += v;
          if (best < 0 || v > m.data[i * width + best]) best = k;
        }
        if (sum === 0 && this.options.handleUnknown === 'error')
          throw rangeError(`a row with a non-zero entry in columns ${index.offsets[j]}..${index.offsets[j + 1] - 1} (handleUnknown is 'error')`, `X[${i}]`, 'all zeros');
        codes[i * nFeaturesIn + j] = sum === 0 ? -1 : best - index.offsets[j];
      }
    const lists = index.lists;
    if (lists.kind === 'number')
      return { data: Float64Array.from(codes, (c, at) => (c < 0 ? NaN : lists.lists[at % nFeaturesIn][c])), rows: m.rows, cols: nFeaturesIn };
    return Array.from({ length: m.rows }, (_, i) =>
      Array.from({ length: nFeaturesIn }, (_, j) => {
        const c = codes[i * nFeaturesIn + j];
        return c < 0 ? null : lists.lists[j][c];
      }),
    );
  }

  private async fitCategorical(x: Categorical, options: JobOptions | undefined): Promise<OneHotState> {
    const given = this.options.categories;
    if (given === 'auto') return { nFeaturesIn: x.cols, index: indexOf(await learnCategories(x, options)) };
    if (given.lists.length !== x.cols) throw rangeError(`${given.lists.length} columns (one per list in options.categories)`, 'X.cols', x.cols);
    checkKind(x, given, 'X[0][0]');
    const index = indexOf(given);
    const codes = await encode(x, index, options);
    if (this.options.handleUnknown === 'error') rejectUnknown(x, codes, 'one of the categories given in options.categories', matrixName);
    return { nFeaturesIn: x.cols, index };
  }

  private async transformCategorical(x: Categorical, state: OneHotState, options: JobOptions | undefined): Promise<Matrix> {
    checkFeatures(x.cols, state.nFeaturesIn);
    checkKind(x, state.index.lists, 'X[0][0]');
    const codes = await encode(x, state.index, step(options, 0, 2));
    if (this.options.handleUnknown === 'error') rejectUnknown(x, codes, 'a category seen in fit', matrixName);
    const float32 = (this.options.dtype ?? (x.kind === 'number' && x.m.data instanceof Float32Array ? 'float32' : 'float64')) === 'float32';
    const { offsets } = state.index;
    const data = await runJob(step(options, 1, 2), (native) => addon.oneHot(codes, x.rows, x.cols, offsets, float32, native));
    return { data, rows: x.rows, cols: offsets[x.cols] };
  }

  protected params(): Record<string, unknown> {
    const { categories, handleUnknown, dtype } = this.options;
    return { categories: categories === 'auto' ? 'auto' : listsToJSON(categories), handleUnknown, dtype: dtype ?? null };
  }

  protected stateToJSON(state: OneHotState): Record<string, unknown> {
    return { nFeaturesIn: state.nFeaturesIn, categories: listsToJSON(state.index.lists) };
  }

  /** Restores an encoder from its toJSON() output; a malformed object is a TypeError or RangeError. */
  static fromJSON(json: unknown): OneHotEncoder {
    const { params, state } = readEnvelope(json, 'OneHotEncoder');
    const options = { ...params, dtype: params.dtype ?? undefined } as OneHotEncoderOptions;
    readOneHotOptions(options, 'json.params'); // so that errors name json.params; the constructor's own check then passes
    const encoder = new OneHotEncoder(options);
    if (state !== null) {
      const nFeaturesIn = countFromJSON(state.nFeaturesIn, 'json.state.nFeaturesIn', true);
      const lists = readCategoryLists(state.categories, 'json.state.categories');
      if (lists.lists.length !== nFeaturesIn) throw rangeError(`${nFeaturesIn} category lists (nFeaturesIn)`, 'json.state.categories', state.categories);
      encoder.state = { nFeaturesIn, index: indexOf(lists) };
    }
    return encoder;
  }
}

// ---- LabelEncoder ---------------------------------------------------------------------------

interface LabelState {
  index: CategoryIndex;
}

/**
 * Encodes class labels (numbers or strings) as integers 0 .. nClasses - 1 in the order of the
 * sorted distinct labels (`classes`), and back.
 */
export class LabelEncoder extends Estimator<LabelState> {
  protected readonly estimatorName = 'LabelEncoder';

  /** The distinct labels seen in fit, sorted: code k stands for classes[k]. */
  get classes(): Float64Array | readonly string[] {
    return this.fitted().index.lists.lists[0];
  }

  /** Learns the classes; resolves to this encoder. */
  async fit(y: Labels, options?: JobOptions): Promise<this> {
    this.state = { index: indexOf(await learnCategories(labelsCategorical(y), options)) };
    return this;
  }

  /** The code of each label (an Int32Array); a label not seen in fit is a RangeError. */
  async transform(y: Labels, options?: JobOptions): Promise<Int32Array> {
    const state = this.fitted();
    return this.codes(labelsCategorical(y), state, options);
  }

  /** fit(y) then transform(y). */
  async fitTransform(y: Labels, options?: JobOptions): Promise<Int32Array> {
    const x = labelsCategorical(y);
    const state = { index: indexOf(await learnCategories(x, step(options, 0, 2))) };
    this.state = state;
    return this.codes(x, state, step(options, 1, 2));
  }

  /** The labels of the given codes: a Float64Array for numeric classes, string[] for strings. */
  async inverseTransform(codes: Int32Array | readonly number[]): Promise<Float64Array | string[]> {
    const lists = this.fitted().index.lists;
    if (!(codes instanceof Int32Array) && !Array.isArray(codes)) throw typeError('an Int32Array or number[]', 'codes', codes);
    const n = lists.lists[0].length;
    const checked = Array.from(codes as ArrayLike<unknown>, (c, i) => {
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= n) throw rangeError(`an integer from 0 to ${n - 1}`, `codes[${i}]`, c);
      return c;
    });
    return lists.kind === 'number' ? Float64Array.from(checked, (c) => lists.lists[0][c]) : checked.map((c) => lists.lists[0][c]);
  }

  private async codes(x: Categorical, state: LabelState, options: JobOptions | undefined): Promise<Int32Array> {
    checkKind(x, state.index.lists, 'y[0]');
    const codes = await encode(x, state.index, options);
    rejectUnknown(x, codes, 'a label seen in fit', (i) => `y[${i}]`);
    return codes;
  }

  protected params(): Record<string, unknown> {
    return {};
  }

  protected stateToJSON(state: LabelState): Record<string, unknown> {
    return { classes: listsToJSON(state.index.lists)[0] };
  }

  /** Restores an encoder from its toJSON() output; a malformed object is a TypeError or RangeError. */
  static fromJSON(json: unknown): LabelEncoder {
    const { state } = readEnvelope(json, 'LabelEncoder');
    const encoder = new LabelEncoder();
    if (state !== null) {
      const classes = readCategoryList(state.classes, 'json.state.classes');
      if (classes instanceof Float64Array) encoder.state = { index: indexOf({ kind: 'number', lists: [classes] }) };
      else {
        classes.forEach((c, k) => {
          if (k > 0 && !(c > classes[k - 1])) throw rangeError(`a string after json.state.classes[${k - 1}] (classes are sorted)`, `json.state.classes[${k}]`, c);
        });
        encoder.state = { index: indexOf({ kind: 'string', lists: [classes] }) };
      }
    }
    return encoder;
  }
}
