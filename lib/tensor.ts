// Input coercion: the typed values every public function accepts, converted and checked once.
import { rangeError, typeError } from './errors';

export type FloatArray = Float64Array | Float32Array;

/** A row-major matrix: element (i, j) is data[i * cols + j]. */
export interface Matrix<T extends FloatArray = FloatArray> {
  data: T;
  rows: number;
  cols: number;
}

/** What an ml-matrix `Matrix` (or anything shaped like it) offers. */
export interface MatrixLike {
  rows: number;
  columns: number;
  to1DArray?(): number[];
  data?: ArrayLike<number>[];
}

export type VectorInput = FloatArray | readonly number[];
export type MatrixInput<T extends FloatArray = FloatArray> = Matrix<T> | readonly (readonly number[])[] | MatrixLike;

/** Builds a row-major matrix, checking that the shape matches the data. */
export function matrix<T extends FloatArray>(data: T, rows: number, cols: number): Matrix<T> {
  const m = { data, rows, cols };
  checkMatrix(m, 'matrix');
  return m;
}

function isFloatArray(value: unknown): value is FloatArray {
  return value instanceof Float64Array || value instanceof Float32Array;
}

function isDetached(x: FloatArray): boolean {
  if (x.length !== 0 || x.buffer.byteLength !== 0) return false;
  try {
    new Uint8Array(x.buffer);
    return false;
  } catch {
    return true;
  }
}

function checkAttached(x: FloatArray, name: string): void {
  if (isDetached(x)) throw new TypeError(`Expected an attached buffer for ${name} but received a detached ArrayBuffer`);
}

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A non-empty Float64Array/Float32Array, or a number[] copied into a Float64Array. */
export function toVector(x: unknown, name: string): FloatArray {
  let v: FloatArray;
  if (isFloatArray(x)) {
    checkAttached(x, name);
    v = x;
  } else if (Array.isArray(x)) {
    v = Float64Array.from(x as number[], (value, i) => {
      if (typeof value !== 'number') throw typeError('an array of numbers', `${name}[${i}]`, value);
      return value;
    });
  } else {
    throw typeError('a Float64Array, Float32Array or number[]', name, x);
  }
  if (v.length === 0) throw rangeError('a non-empty array', name, v);
  return v;
}

function checkMatrix(m: Matrix, name: string): void {
  if (!isFloatArray(m.data)) throw typeError('a Float64Array or Float32Array', `${name}.data`, m.data);
  checkAttached(m.data, `${name}.data`);
  if (!isSize(m.rows) || m.rows === 0) throw rangeError('a positive integer', `${name}.rows`, m.rows);
  if (!isSize(m.cols) || m.cols === 0) throw rangeError('a positive integer', `${name}.cols`, m.cols);
  if (m.rows * m.cols !== m.data.length)
    throw rangeError(`an array of length rows * cols = ${m.rows * m.cols}`, `${name}.data`, m.data);
}

export function isMatrixInput(x: unknown): boolean {
  if (x === null || typeof x !== 'object') return false;
  if (Array.isArray(x)) return x.length > 0 && Array.isArray(x[0]);
  return ('data' in x && 'rows' in x && 'cols' in x) || ('rows' in x && 'columns' in x);
}

/** Accepts {data, rows, cols}, number[][] and ml-matrix-like objects; arrays are converted once. */
export function toMatrix(x: unknown, name: string): Matrix {
  if (x === null || typeof x !== 'object') throw typeError('a matrix ({data, rows, cols} or number[][])', name, x);
  if (Array.isArray(x)) return fromRows(x, name);
  if ('data' in x && 'cols' in x) {
    const m = x as Matrix;
    checkMatrix(m, name);
    return m;
  }
  const like = x as MatrixLike;
  if (isSize(like.rows) && isSize(like.columns)) {
    if (typeof like.to1DArray === 'function') {
      const m = { data: Float64Array.from(like.to1DArray()), rows: like.rows, cols: like.columns };
      checkMatrix(m, name);
      return m;
    }
    if (Array.isArray(like.data)) return fromRows(like.data, name);
  }
  throw typeError('a matrix ({data, rows, cols}, number[][] or an ml-matrix Matrix)', name, x);
}

function fromRows(rows: readonly unknown[], name: string): Matrix {
  if (rows.length === 0) throw rangeError('at least one row', name, rows);
  const first = rows[0];
  if (!Array.isArray(first) && !ArrayBuffer.isView(first)) throw typeError('an array of rows', `${name}[0]`, first);
  const cols = (first as ArrayLike<number>).length;
  if (cols === 0) throw rangeError('at least one column', `${name}[0]`, first);
  const data = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => {
    if (!Array.isArray(row) && !ArrayBuffer.isView(row)) throw typeError('an array of numbers', `${name}[${i}]`, row);
    const r = row as ArrayLike<unknown>;
    if (r.length !== cols) throw rangeError(`a row of length ${cols}`, `${name}[${i}]`, row);
    for (let j = 0; j < cols; j++) {
      const value = r[j];
      if (typeof value !== 'number') throw typeError('a number', `${name}[${i}][${j}]`, value);
      data[i * cols + j] = value;
    }
  });
  return { data, rows: rows.length, cols };
}
