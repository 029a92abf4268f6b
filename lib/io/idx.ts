// loadIdx: IDX files (MNIST, Fashion-MNIST), raw or gzipped; loadFashionMnist on top of it.
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { rangeError, typeError } from '../errors';
import { runJob, type JobOptions } from '../job';
import { addon, type NativeIdxResult } from '../native';
import type { Matrix } from '../tensor';
import { sourceName, sourcePath, type Source } from './source';

const gunzip = promisify(zlib.gunzip);

export type IdxDType = 'float32' | 'float64' | 'int32';
export type IdxArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
/** The value type stored in the file (its magic number's type byte). */
export type IdxFileType = NativeIdxResult['type'];

export interface IdxOptions extends JobOptions {
  /** Convert the values; default: keep the file's type (ubyte → Uint8Array, …, double → Float64Array). */
  dtype?: IdxDType;
  /** Multiply every value by this (float dtypes only), e.g. 1 / 255 for pixels in [0, 1]. Default 1. */
  scale?: number;
}

/**
 * The values, flat in row-major order, and the file's shape. `rows` x `cols` views the data as a
 * matrix (rows = shape[0], cols = the product of the other dimensions: an image per row), so a float
 * result is directly a `Matrix`.
 */
export interface IdxResult<T extends IdxArray = IdxArray> {
  data: T;
  shape: number[];
  rows: number;
  cols: number;
  type: IdxFileType;
}

/** Codes shared with native/io/idx.h (IdxOutput). */
const outputCodes = { native: 0, float32: 1, float64: 2, int32: 3 } as const;

function idxParams(options: IdxOptions | undefined): { output: number; scale: number } {
  const o: IdxOptions = options ?? {};
  if (typeof o !== 'object' || o === null) throw typeError('an options object', 'options', o);
  const dtype = o.dtype;
  if (dtype !== undefined && dtype !== 'float32' && dtype !== 'float64' && dtype !== 'int32')
    throw rangeError('"float32", "float64" or "int32"', 'options.dtype', dtype);
  const scale = o.scale ?? 1;
  if (typeof scale !== 'number') throw typeError('a number', 'options.scale', scale);
  if (!Number.isFinite(scale)) throw rangeError('a finite number', 'options.scale', scale);
  if (o.scale !== undefined && dtype !== 'float32' && dtype !== 'float64')
    throw rangeError('dtype "float32" or "float64" when scale is given', 'options.dtype', dtype);
  return { output: outputCodes[dtype ?? 'native'], scale };
}

async function inflate(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  // node:zlib inflates on the thread pool, so a 30 MB gzip never blocks the event loop. Its default
  // 16 KiB output chunks cost a thread-pool round trip each; 1 MiB ones halve the time.
  try {
    return await gunzip(bytes, { chunkSize: 1 << 20 });
  } catch (error) {
    throw rangeError(`a valid gzip stream (${(error as Error).message})`, name, bytes);
  }
}

/**
 * Loads an IDX file (path or bytes; gzip is detected by its magic bytes 1f 8b). A truncated or
 * corrupted file rejects with a RangeError naming the file and the expected and actual lengths.
 */
export function loadIdx(source: Source, options: IdxOptions & { dtype: 'float32' }): Promise<IdxResult<Float32Array>>;
export function loadIdx(source: Source, options: IdxOptions & { dtype: 'float64' }): Promise<IdxResult<Float64Array>>;
export function loadIdx(source: Source, options: IdxOptions & { dtype: 'int32' }): Promise<IdxResult<Int32Array>>;
export function loadIdx(source: Source, options?: IdxOptions): Promise<IdxResult>;
export function loadIdx(source: Source, options?: IdxOptions): Promise<IdxResult> {
  try {
    const file = sourcePath(source, 'source');
    const { output, scale } = idxParams(options);
    const name = sourceName('IDX', file);
    return runJob(options, async (native) => {
      let bytes = file === undefined ? (source as Uint8Array) : await fs.readFile(file, { signal: options?.signal });
      const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
      if (gzipped) bytes = await inflate(bytes, name);
      const { data, shape, type } = await addon.loadIdx(bytes, gzipped ? `${name} (gunzipped)` : name, output, scale, native);
      const rows = shape[0];
      const cols = shape.slice(1).reduce((a, b) => a * b, 1);
      return { data, shape, rows, cols, type };
    });
  } catch (error) {
    return Promise.reject(error);
  }
}

export interface FashionMnist {
  /** 60,000 x 784 training images, pixels scaled to [0, 1]. */
  XTrain: Matrix<Float32Array>;
  /** 60,000 labels in 0..9. */
  yTrain: Int32Array;
  /** 10,000 x 784 test images. */
  XTest: Matrix<Float32Array>;
  yTest: Int32Array;
}

export const fashionMnistDir = '/usr/share/datasets/fashion-mnist';

const fashionMnistFiles = {
  XTrain: 'train-images-idx3-ubyte',
  yTrain: 'train-labels-idx1-ubyte',
  XTest: 't10k-images-idx3-ubyte',
  yTest: 't10k-labels-idx1-ubyte',
} as const;

/** The file for `base` in dir, gzipped or raw; a clear error when the dataset is missing. */
async function findFile(dir: string, base: string): Promise<string> {
  for (const candidate of [`${base}.gz`, base]) {
    const file = path.join(dir, candidate);
    try {
      await fs.access(file);
      return file;
    } catch {
      // try the next name
    }
  }
  const error = new Error(
    `Fashion-MNIST not found: no ${base}.gz or ${base} in ${dir}. Install it with \`apt-get install dataset-fashion-mnist\` ` +
      `(files in ${fashionMnistDir}), or pass the directory holding the four IDX files.`,
  );
  throw Object.assign(error, { code: 'ENOENT', path: path.join(dir, `${base}.gz`) });
}

/**
 * Fashion-MNIST (or MNIST: same file names) as float32 images in [0, 1] and Int32Array labels.
 * Default directory: where Debian's `dataset-fashion-mnist` package installs it.
 */
export async function loadFashionMnist(dir: string = fashionMnistDir, options?: Omit<JobOptions, 'onProgress'>): Promise<FashionMnist> {
  if (typeof dir !== 'string') throw typeError('a directory path', 'dir', dir);
  const opts = { signal: options?.signal, threads: options?.threads };
  const files = await Promise.all(Object.values(fashionMnistFiles).map((base) => findFile(dir, base)));
  const [XTrain, yTrain, XTest, yTest] = await Promise.all(
    files.map((file, i) =>
      i % 2 === 0 ? loadIdx(file, { ...opts, dtype: 'float32', scale: 1 / 255 }) : loadIdx(file, { ...opts, dtype: 'int32' }),
    ),
  );
  for (const [images, labels] of [
    [XTrain, yTrain],
    [XTest, yTest],
  ])
    if (images.shape.length !== 3 || labels.shape.length !== 1 || labels.rows !== images.rows)
      throw new RangeError(
        `Expected n x h x w images and n labels for the Fashion-MNIST files in ${dir} ` +
          `but received shapes ${images.shape.join(' x ')} and ${labels.shape.join(' x ')}`,
      );
  const matrix = (r: IdxResult): Matrix<Float32Array> => ({ data: r.data as Float32Array, rows: r.rows, cols: r.cols });
  return { XTrain: matrix(XTrain), yTrain: yTrain.data as Int32Array, XTest: matrix(XTest), yTest: yTest.data as Int32Array };
}
