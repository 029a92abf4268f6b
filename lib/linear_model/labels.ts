// Class labels: numbers or strings, encoded as indices into the sorted distinct labels (as
// scikit-learn's classes_), once, on the JS thread.
import { rangeError, typeError } from '../errors';

export type Label = number | string;

/** Numeric labels in any array form (typed arrays included), or string labels. */
export type LabelInput = ArrayLike<number> | readonly string[];

/** One label array, checked: all finite numbers or all strings, and as long as X has rows. */
function checkLabels(y: unknown, name: string, rows: number): { values: ArrayLike<Label>; numeric: boolean } {
  if (!(Array.isArray(y) || (ArrayBuffer.isView(y) && !(y instanceof DataView))))
    throw typeError('an array of numbers or strings', name, y);
  const values = y as unknown as ArrayLike<unknown>;
  if (values.length !== rows) throw rangeError(`an array of length ${rows} (the rows of X)`, name, y);
  if (typeof (y as ArrayLike<unknown>)[0] === 'bigint') throw typeError('an array of numbers or strings', name, y);
  const numeric = typeof values[0] !== 'string';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (numeric ? typeof v !== 'number' : typeof v !== 'string')
      throw typeError(numeric ? 'a number (like the first label)' : 'a string (like the first label)', `${name}[${i}]`, v);
    if (numeric && !Number.isFinite(v)) throw rangeError('a finite number', `${name}[${i}]`, v);
  }
  return { values: values as ArrayLike<Label>, numeric };
}

/** The sorted distinct labels of y and each row's index into them. */
export function encodeLabels(y: unknown, name: string, rows: number): { classes: Label[]; indices: Int32Array } {
  const { values, numeric } = checkLabels(y, name, rows);
  const distinct = new Set<Label>();
  for (let i = 0; i < values.length; i++) distinct.add(values[i]);
  const classes = [...distinct];
  if (numeric) (classes as number[]).sort((a, b) => a - b);
  else classes.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { classes, indices: indexLabels(values, classes, name, true) };
}

/**
 * Each label's index in `classes`; a label outside them is an error when `strict`, else -1 (counted
 * wrong by score).
 */
function indexLabels(values: ArrayLike<Label>, classes: readonly Label[], name: string, strict: boolean): Int32Array {
  const lookup = new Map<Label, number>(classes.map((c, i) => [c, i]));
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const index = lookup.get(values[i]);
    if (index === undefined) {
      if (strict) throw rangeError(`one of the model's classes (${classes.slice(0, 10).join(', ')})`, `${name}[${i}]`, values[i]);
      out[i] = -1;
    } else out[i] = index;
  }
  return out;
}

/** Labels for class indices: a Float64Array for numeric classes, string[] for string classes. */
export function labelsOf(indices: Int32Array, classes: readonly Label[]): Float64Array | string[] {
  if (typeof classes[0] === 'number') {
    const out = new Float64Array(indices.length);
    for (let i = 0; i < indices.length; i++) out[i] = classes[indices[i]] as number;
    return out;
  }
  return Array.from(indices, (i) => classes[i] as string);
}

/** Checked labels for score and objective: the same kind as the model's classes. */
export function checkedLabels(y: unknown, classes: readonly Label[], name: string, rows: number, strict: boolean): Int32Array {
  const { values, numeric } = checkLabels(y, name, rows);
  if (numeric !== (typeof classes[0] === 'number'))
    throw typeError(`${typeof classes[0]} labels (like the model's classes)`, name, y);
  return indexLabels(values, classes, name, strict);
}
