// loadIdx on IDX files of every value type written by the test (raw and gzipped, from a path and from
// bytes), conversions, truncated and corrupted files, and Fashion-MNIST when it is installed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFashionMnist, loadIdx, type IdxArray } from 'threadml';
import { mulberry32, rejection } from './helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadml-idx-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface IdxType {
  code: number;
  name: string;
  array: new (n: number) => IdxArray;
  write: (view: DataView, offset: number, value: number) => void;
  /** Random values covering the type's range (integers) or awkward floats. */
  sample: (rand: () => number) => number;
}

const types: IdxType[] = [
  { code: 0x08, name: 'ubyte', array: Uint8Array, write: (v, o, x) => v.setUint8(o, x), sample: (r) => Math.floor(r() * 256) },
  { code: 0x09, name: 'byte', array: Int8Array, write: (v, o, x) => v.setInt8(o, x), sample: (r) => Math.floor(r() * 256) - 128 },
  { code: 0x0b, name: 'short', array: Int16Array, write: (v, o, x) => v.setInt16(o, x), sample: (r) => Math.floor(r() * 65536) - 32768 },
  { code: 0x0c, name: 'int', array: Int32Array, write: (v, o, x) => v.setInt32(o, x), sample: (r) => Math.floor(r() * 2 ** 32) - 2 ** 31 },
  { code: 0x0d, name: 'float', array: Float32Array, write: (v, o, x) => v.setFloat32(o, x), sample: (r) => Math.fround((r() - 0.5) * 1e6) },
  { code: 0x0e, name: 'double', array: Float64Array, write: (v, o, x) => v.setFloat64(o, x), sample: (r) => (r() - 0.5) * 1e300 },
];

function sizeOf(type: IdxType): number {
  return new type.array(1).BYTES_PER_ELEMENT;
}

/** An IDX file: magic, big-endian dimensions, big-endian values. */
function idxBytes(type: IdxType, shape: number[], values: ArrayLike<number>): Buffer {
  const header = 4 + 4 * shape.length;
  const bytes = Buffer.alloc(header + values.length * sizeOf(type));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint8(2, type.code);
  view.setUint8(3, shape.length);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  for (let i = 0; i < values.length; i++) type.write(view, header + i * sizeOf(type), values[i]);
  return bytes;
}

function sampleValues(type: IdxType, n: number, seed: number): IdxArray {
  const rand = mulberry32(seed);
  const values = new type.array(n);
  for (let i = 0; i < n; i++) values[i] = type.sample(rand);
  return values;
}

function writeFile(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('every IDX value type, raw and gzipped', () => {
  const shape = [3, 4, 5];
  for (const type of types) {
    const values = sampleValues(type, 60, type.code);
    const raw = idxBytes(type, shape, values);
    const gz = zlib.gzipSync(raw);
    it(`${type.name}: the file's own type by default, from a path, a .gz path and bytes`, async () => {
      const sources = [writeFile(`${type.name}.idx`, raw), writeFile(`${type.name}.idx.gz`, gz), raw, new Uint8Array(gz)];
      for (const source of sources) {
        const r = await loadIdx(source);
        expect(r.data).toBeInstanceOf(type.array);
        expect(r.data).toEqual(values);
        expect(r.shape).toEqual(shape);
        expect(r.rows).toBe(3);
        expect(r.cols).toBe(20);
        expect(r.type).toBe(type.name);
      }
    });

    it(`${type.name}: to float64 and float32 with a scale (value * scale, rounded once)`, async () => {
      const scale = 1 / 255;
      const f64 = await loadIdx(gz, { dtype: 'float64', scale });
      const f32 = await loadIdx(raw, { dtype: 'float32', scale });
      expect(f64.data).toBeInstanceOf(Float64Array);
      expect(f32.data).toBeInstanceOf(Float32Array);
      for (let i = 0; i < values.length; i++) {
        expect(f64.data[i]).toBe(values[i] * scale);
        expect(f32.data[i]).toBe(Math.fround(values[i] * scale));
      }
      expect((await loadIdx(raw, { dtype: 'float64' })).data).toEqual(Float64Array.from(values));
    });

    if (type.code <= 0x0c)
      it(`${type.name}: to int32`, async () => {
        const r = await loadIdx(raw, { dtype: 'int32' });
        expect(r.data).toEqual(Int32Array.from(values));
      });
    else
      it(`${type.name}: int32 is refused for float files`, async () => {
        const error = await rejection(loadIdx(raw, { dtype: 'int32' }));
        expect(error).toBeInstanceOf(RangeError);
        expect(error.message).toBe(`Expected dtype "float32" or "float64" for the IDX buffer (of ${type.name} values) but received "int32"`);
      });
  }

  it('1-D labels and empty dimensions', async () => {
    const labels = await loadIdx(idxBytes(types[0], [4], [3, 1, 4, 1]), { dtype: 'int32' });
    expect(labels).toMatchObject({ shape: [4], rows: 4, cols: 1, data: new Int32Array([3, 1, 4, 1]) });
    const empty = await loadIdx(idxBytes(types[4], [0, 28, 28], []));
    expect(empty).toMatchObject({ shape: [0, 28, 28], rows: 0, cols: 784 });
    expect(empty.data).toEqual(new Float32Array(0));
  });

  it('a large conversion is identical on 1 and 2 threads', async () => {
    const values = sampleValues(types[2], 3_000_000, 7);
    const raw = idxBytes(types[2], [3000, 1000], values);
    const one = await loadIdx(raw, { dtype: 'float32', scale: 0.001, threads: 1 });
    const two = await loadIdx(raw, { dtype: 'float32', scale: 0.001, threads: 2 });
    expect(Buffer.from(one.data.buffer).equals(Buffer.from(two.data.buffer))).toBe(true);
    expect(one.data[2_999_999]).toBe(Math.fround(values[2_999_999] * 0.001));
  });
});

describe('truncated and corrupted files', () => {
  const good = idxBytes(types[0], [2, 3], [1, 2, 3, 4, 5, 6]);

  async function expectRange(source: string | Uint8Array, message: string): Promise<void> {
    const error = await rejection(loadIdx(source));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe(message);
  }

  it('a file one byte short or long names the file and both lengths', async () => {
    const short = writeFile('short.idx', good.subarray(0, good.length - 1));
    await expectRange(short, `Expected 18 bytes (12 header bytes and 2 x 3 ubyte values) for IDX file ${JSON.stringify(short)} but received 17 bytes`);
    await expectRange(Buffer.concat([good, Buffer.from([0])]), 'Expected 18 bytes (12 header bytes and 2 x 3 ubyte values) for the IDX buffer but received 19 bytes');
  });

  it('a truncated gzipped file is named, and says the length after gunzip', async () => {
    const gz = writeFile('short.idx.gz', zlib.gzipSync(good.subarray(0, 15)));
    await expectRange(gz, `Expected 18 bytes (12 header bytes and 2 x 3 ubyte values) for IDX file ${JSON.stringify(gz)} (gunzipped) but received 15 bytes`);
  });

  it('a corrupt gzip stream is a RangeError naming the file', async () => {
    const gz = zlib.gzipSync(good);
    const cut = writeFile('cut.gz', gz.subarray(0, gz.length - 10));
    const error = await rejection(loadIdx(cut));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toMatch(/^Expected a valid gzip stream \(.+\) for IDX file ".*cut\.gz" but received a Buffer of length \d+$/);
  });

  it('bad magic numbers, headers shorter than their dimensions, and tiny files', async () => {
    await expectRange(Buffer.from([1, 0, 8, 1, 0, 0, 0, 0]), 'Expected an IDX magic number (00 00, a type byte 08/09/0B/0C/0D/0E, a dimension count >= 1) for the IDX buffer but received 01 00 08 01');
    await expectRange(Buffer.from([0, 0, 0x0a, 1, 0, 0, 0, 0]), 'Expected an IDX magic number (00 00, a type byte 08/09/0B/0C/0D/0E, a dimension count >= 1) for the IDX buffer but received 00 00 0A 01');
    await expectRange(Buffer.from([0, 0, 8, 0]), 'Expected an IDX magic number (00 00, a type byte 08/09/0B/0C/0D/0E, a dimension count >= 1) for the IDX buffer but received 00 00 08 00');
    await expectRange(Buffer.from([0, 0, 8, 3, 0, 0, 0, 1]), 'Expected at least 16 bytes (the header of 3 dimensions) for the IDX buffer but received 8 bytes');
    await expectRange(Buffer.from([0, 0]), 'Expected at least 4 bytes (the magic number) for the IDX buffer but received 2 bytes');
    await expectRange(writeFile('empty.idx', new Uint8Array(0)), `Expected at least 4 bytes (the magic number) for IDX file ${JSON.stringify(path.join(dir, 'empty.idx'))} but received 0 bytes`);
  });

  it('dimensions whose product overflows are an error, not a huge allocation', async () => {
    const header = Buffer.from([0, 0, 0x0e, 3, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 1, 2, 3]);
    await expectRange(header, 'Expected more than 2^64 bytes (16 header bytes and 4294967295 x 4294967295 x 4294967295 double values) for the IDX buffer but received 19 bytes');
  });
});

describe('arguments', () => {
  const raw = idxBytes(types[0], [2], [1, 2]);

  it('rejects bad options and sources with the one error format', async () => {
    const cases: [unknown, unknown, ErrorConstructor, string][] = [
      [raw, { dtype: 'uint8' }, RangeError, 'Expected "float32", "float64" or "int32" for options.dtype but received the string "uint8"'],
      [raw, { scale: 2 }, RangeError, 'Expected dtype "float32" or "float64" when scale is given for options.dtype but received undefined'],
      [raw, { dtype: 'float32', scale: NaN }, RangeError, 'Expected a finite number for options.scale but received NaN'],
      [raw, { dtype: 'float32', scale: '2' }, TypeError, 'Expected a number for options.scale but received the string "2"'],
      [42, undefined, TypeError, 'Expected a path (string or URL), Buffer or Uint8Array for source but received 42'],
      [new Float32Array(4), undefined, TypeError, 'Expected a path (string or URL), Buffer or Uint8Array for source but received a Float32Array of length 4'],
      [raw, { threads: 0 }, RangeError, 'Expected an integer from 1 to 4096 for options.threads but received 0'],
    ];
    for (const [source, options, kind, message] of cases) {
      const error = await rejection(loadIdx(source as Uint8Array, options as undefined));
      expect(error, message).toBeInstanceOf(kind);
      expect(error.message).toBe(message);
    }
  });

  it('a missing file rejects with Node\'s ENOENT error; an aborted signal with an AbortError', async () => {
    expect(await rejection(loadIdx(path.join(dir, 'missing.idx')))).toMatchObject({ code: 'ENOENT' });
    const controller = new AbortController();
    controller.abort();
    expect(await rejection(loadIdx(raw, { signal: controller.signal }))).toMatchObject({ name: 'AbortError' });
  });

  it('loadFashionMnist says how to install the dataset when it is missing', async () => {
    const error = await rejection(loadFashionMnist(dir));
    expect(error).toMatchObject({ code: 'ENOENT' });
    expect(error.message).toContain('apt-get install dataset-fashion-mnist');
    expect(error.message).toContain(dir);
  });
});

const fashionDir = '/usr/share/datasets/fashion-mnist';
const haveFashion = fs.existsSync(path.join(fashionDir, 'train-images-idx3-ubyte.gz')) || fs.existsSync(path.join(fashionDir, 'train-images-idx3-ubyte'));

describe.skipIf(!haveFashion)('Fashion-MNIST (apt-get install dataset-fashion-mnist)', () => {
  it('loadFashionMnist: 60000 x 784 / 10000 x 784 float32 in [0, 1], Int32Array labels 0..9, 6000 per class', async () => {
    const { XTrain, yTrain, XTest, yTest } = await loadFashionMnist();
    expect([XTrain.rows, XTrain.cols, XTest.rows, XTest.cols]).toEqual([60000, 784, 10000, 784]);
    expect(XTrain.data).toBeInstanceOf(Float32Array);
    expect(XTrain.data.length).toBe(60000 * 784);
    expect(yTrain).toBeInstanceOf(Int32Array);
    expect([yTrain.length, yTest.length]).toEqual([60000, 10000]);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of XTrain.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect([lo, hi]).toEqual([0, 1]);
    const counts = new Array(10).fill(0);
    for (const y of yTrain) counts[y]++;
    expect(counts).toEqual(new Array(10).fill(6000));
    expect(Math.min(...yTest)).toBe(0);
    expect(Math.max(...yTest)).toBe(9);
  });

  it('loadIdx keeps the raw ubyte images and their 3-D shape', async () => {
    const file = fs.existsSync(path.join(fashionDir, 't10k-images-idx3-ubyte.gz'))
      ? path.join(fashionDir, 't10k-images-idx3-ubyte.gz')
      : path.join(fashionDir, 't10k-images-idx3-ubyte');
    const images = await loadIdx(file);
    expect(images).toMatchObject({ shape: [10000, 28, 28], rows: 10000, cols: 784, type: 'ubyte' });
    expect(images.data).toBeInstanceOf(Uint8Array);
    const scaled = await loadIdx(file, { dtype: 'float32', scale: 1 / 255 });
    for (let i = 0; i < images.data.length; i += 997) expect(scaled.data[i]).toBe(Math.fround(images.data[i] * (1 / 255)));
  });
});
