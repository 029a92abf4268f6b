// readCsv: numeric CSV into a row-major matrix, parsed by native threads (see native/io/csv.h).
import fs from 'node:fs/promises';
import { rangeError, typeError } from '../errors';
import { runJob, type JobOptions } from '../job';
import { addon, type NativeCsvParams, type NativeCsvResult, type NativeJobOptions } from '../native';
import type { FloatArray, Matrix } from '../tensor';
import { sourceName, sourcePath, type Source } from './source';

export type CsvDType = 'float64' | 'float32';

export interface CsvOptions extends JobOptions {
  /** The first line (after skipRows, blank and comment lines) holds column names. Default false. */
  header?: boolean;
  /** One ASCII character other than a quote or line break. Default ','. */
  delimiter?: string;
  /** The columns to return, in this order: 0-based indices, or names from the header. Default: all. */
  columns?: readonly (number | string)[];
  /** Element type of the result. Default 'float64'. */
  dtype?: CsvDType;
  /** Lines to skip at the start of the file, before the header. Default 0. */
  skipRows?: number;
  /** Lines starting with this ASCII character are skipped. Default: none. */
  comment?: string;
}

/** A row-major matrix of the parsed values, with the returned columns' names when there is a header. */
export interface CsvResult<T extends FloatArray = FloatArray> extends Matrix<T> {
  header?: string[];
}

function asciiChar(value: unknown, name: string): number {
  if (typeof value !== 'string') throw typeError('a one-character string', name, value);
  const code = value.charCodeAt(0);
  if (value.length !== 1 || code > 127 || code === 0 || value === '"' || value === '\n' || value === '\r')
    throw rangeError('one ASCII character other than a quote or line break', name, value);
  return code;
}

function csvParams(options: CsvOptions | undefined, source: string): { params: NativeCsvParams; header: boolean } {
  const o: CsvOptions = options ?? {};
  if (typeof o !== 'object' || o === null) throw typeError('an options object', 'options', o);
  const header = o.header ?? false;
  if (typeof header !== 'boolean') throw typeError('a boolean', 'options.header', header);
  const delimiter = asciiChar(o.delimiter ?? ',', 'options.delimiter');
  const comment = o.comment === undefined ? -1 : asciiChar(o.comment, 'options.comment');
  if (comment === delimiter) throw rangeError('a comment character other than the delimiter', 'options.comment', o.comment);
  const dtype = o.dtype ?? 'float64';
  if (dtype !== 'float64' && dtype !== 'float32') throw rangeError('"float64" or "float32"', 'options.dtype', dtype);
  const skipRows = o.skipRows ?? 0;
  if (typeof skipRows !== 'number') throw typeError('a number', 'options.skipRows', skipRows);
  if (!Number.isSafeInteger(skipRows) || skipRows < 0) throw rangeError('a non-negative integer', 'options.skipRows', skipRows);
  const params: NativeCsvParams = { delimiter, comment, header, skipRows, float32: dtype === 'float32', source };
  if (o.columns !== undefined) params.columns = checkColumns(o.columns, header);
  return { params, header };
}

function checkColumns(columns: unknown, header: boolean): (number | string)[] {
  if (!Array.isArray(columns)) throw typeError('an array of column indices or names', 'options.columns', columns);
  if (columns.length === 0) throw rangeError('a non-empty array', 'options.columns', columns);
  const seen = new Set<number | string>();
  return columns.map((column: unknown, k) => {
    const name = `options.columns[${k}]`;
    if (typeof column === 'string') {
      if (!header) throw rangeError('a column index (names need header: true)', name, column);
    } else if (typeof column === 'number') {
      if (!Number.isSafeInteger(column) || column < 0) throw rangeError('a non-negative integer index', name, column);
    } else {
      throw typeError('a column index or name', name, column);
    }
    if (seen.has(column)) throw rangeError('distinct columns', name, column);
    seen.add(column);
    return column;
  });
}

/**
 * Reads a numeric CSV file (or its bytes) into a row-major matrix on native threads. A path is read
 * off the JS thread, so even a 1 GB file never blocks the event loop.
 *
 * Accepted: LF or CRLF line ends, with or without a final one; a UTF-8 BOM; blank lines and comment
 * lines are skipped; spaces and tabs around a value; quoted values ("1.5"); nan, inf, infinity in any
 * case; a leading '+'. Empty fields are NaN (like pandas); values beyond the float range become
 * ±Infinity or 0. Not supported: line breaks inside quotes, CR-only line ends, runs of spaces as one
 * delimiter. A malformed value or a line with the wrong number of fields rejects with a RangeError
 * naming its 1-based line in the file (header and skipped lines included) and column: the first such
 * error in the file, whatever the thread count.
 */
export function readCsv(source: Source, options: CsvOptions & { dtype: 'float32' }): Promise<CsvResult<Float32Array>>;
export function readCsv(source: Source, options?: CsvOptions & { dtype?: 'float64' }): Promise<CsvResult<Float64Array>>;
export function readCsv(source: Source, options?: CsvOptions): Promise<CsvResult>;
export function readCsv(source: Source, options?: CsvOptions): Promise<CsvResult> {
  try {
    const path = sourcePath(source, 'source');
    const { params, header } = csvParams(options, sourceName('CSV', path));
    return runJob(options, async (native) => {
      const { data, rows, cols, header: names } =
        path === undefined ? await addon.readCsv(source as Uint8Array, 0, params, native) : await readFile(path, params, native, options?.signal);
      return header ? { data, rows, cols, header: names } : { data, rows, cols };
    });
  } catch (error) {
    return Promise.reject(error);
  }
}

async function readFile(path: string, params: NativeCsvParams, native: NativeJobOptions, signal?: AbortSignal): Promise<NativeCsvResult> {
  const handle = await fs.open(path, 'r');
  try {
    const stat = await handle.stat();
    // A regular file is read natively in parallel; a pipe or device has no size to plan with.
    if (stat.isFile()) return await addon.readCsv(handle.fd, stat.size, params, native);
    return await addon.readCsv(await handle.readFile({ signal }), 0, params, native);
  } finally {
    await handle.close();
  }
}
