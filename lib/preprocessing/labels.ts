// One-dimensional label arrays (targets, classes, strata): what is accepted, and row selection that
// keeps the input's kind.
import { rangeError, typeError } from '../errors';

/** Typed arrays of numbers (not BigInt). */
export type NumericArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray;

/** Labels: numbers in a typed array or a number[], or strings. */
export type Labels = NumericArray | readonly number[] | readonly string[];

/** Labels read for encoding: finite numbers as a Float64Array, or strings. */
export type ReadLabels = { kind: 'number'; values: Float64Array } | { kind: 'string'; values: readonly string[] };

function isNumericArray(y: unknown): y is NumericArray {
  return ArrayBuffer.isView(y) && !(y instanceof DataView) && !(y instanceof BigInt64Array) && !(y instanceof BigUint64Array);
}

/** The number of labels in y, or a TypeError when y is not a label array. */
export function labelCount(y: unknown, name: string): number {
  if (isNumericArray(y) || Array.isArray(y)) return (y as ArrayLike<unknown>).length;
  throw typeError('a typed array, number[] or string[]', name, y);
}

/** Non-empty labels, all finite numbers or all strings. */
export function readLabels(y: unknown, name: string): ReadLabels {
  if (labelCount(y, name) === 0) throw rangeError('a non-empty array', name, y);
  const values = y as ArrayLike<unknown>;
  if (typeof values[0] === 'string') {
    for (let i = 0; i < values.length; i++)
      if (typeof values[i] !== 'string') throw typeError('a string (the first label is a string)', `${name}[${i}]`, values[i]);
    return { kind: 'string', values: values as readonly string[] };
  }
  const numbers = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') throw typeError('a number (the first label is a number)', `${name}[${i}]`, v);
    if (!Number.isFinite(v)) throw rangeError('a finite number', `${name}[${i}]`, v);
    numbers[i] = v;
  }
  return { kind: 'number', values: numbers };
}

/** The sorted distinct strings (by UTF-16 code units, JavaScript's default order). */
export function sortedUniqueStrings(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** y[index[0]], y[index[1]], ... in an array of y's kind (the same typed array class, or a plain array). */
export function takeLabels<Y extends Labels>(y: Y, index: Int32Array): Y {
  if (isNumericArray(y)) {
    const out = new (y.constructor as new (length: number) => NumericArray)(index.length);
    for (let k = 0; k < index.length; k++) out[k] = y[index[k]];
    return out as Y;
  }
  return Array.from(index, (i) => (y as readonly (number | string)[])[i]) as unknown as Y;
}
