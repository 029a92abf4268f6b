// readCsv on files and buffers written by the test: headers, delimiters, line ends, column selection,
// float types, missing values, huge lines, and results identical for any thread count.
import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getThreads, readCsv, setThreads } from 'threadml';
import { csvTable } from './fixtures/io';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadml-csv-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeFile(name: string, text: string | Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const csv = (text: string) => Buffer.from(text);

describe('layout', () => {
  it('no header (the default): every line is data; rows x cols, row-major float64', async () => {
    const r = await readCsv(csv('1,2,3\n4,5,6\n'));
    expect(r).toEqual({ data: new Float64Array([1, 2, 3, 4, 5, 6]), rows: 2, cols: 3 });
  });

  it('header: true returns the names; quoted names may hold the delimiter and doubled quotes', async () => {
    const r = await readCsv(csv('a, "b,c" ,"say ""hi"""\n1,2,3\n'), { header: true });
    expect(r.header).toEqual(['a', 'b,c', 'say "hi"']);
    expect(r.data).toEqual(new Float64Array([1, 2, 3]));
    expect((await readCsv(csv('\ufeffx,y\r\n1,2\r\n'), { header: true })).header).toEqual(['x', 'y']);
  });

  it('delimiters: ; tab | and space', async () => {
    for (const d of [';', '\t', '|', ' ']) {
      const r = await readCsv(csv(`x${d}y\n1.5${d}-2\n3${d}4e2\n`), { header: true, delimiter: d });
      expect(r, JSON.stringify(d)).toEqual({ data: new Float64Array([1.5, -2, 3, 400]), rows: 2, cols: 2, header: ['x', 'y'] });
    }
  });

  it('CRLF, LF and a missing final line break give the same matrix', async () => {
    const expected = new Float64Array([1, 2, 3, 4]);
    for (const text of ['1,2\n3,4\n', '1,2\r\n3,4\r\n', '1,2\n3,4', '1,2\r\n3,4', '\ufeff1,2\n3,4\n'])
      expect((await readCsv(csv(text))).data, JSON.stringify(text)).toEqual(expected);
  });

  it('blank lines, comment lines and skipRows are skipped', async () => {
    const text = 'exported by a tool\nversion 2\n\n# a comment\nx,y\n1,2\n\n   \n# another\n3,4\r\n\r\n';
    const r = await readCsv(csv(text), { skipRows: 2, comment: '#', header: true });
    expect(r).toEqual({ data: new Float64Array([1, 2, 3, 4]), rows: 2, cols: 2, header: ['x', 'y'] });
  });

  it('an empty file, a file of blank lines and a header-only file give 0 rows', async () => {
    expect(await readCsv(csv(''))).toEqual({ data: new Float64Array(0), rows: 0, cols: 0 });
    expect(await readCsv(csv('\n\r\n\n'))).toEqual({ data: new Float64Array(0), rows: 0, cols: 0 });
    expect(await readCsv(csv('a,b,c\n'), { header: true })).toEqual({ data: new Float64Array(0), rows: 0, cols: 3, header: ['a', 'b', 'c'] });
    expect(await readCsv(writeFile('empty.csv', ''), { dtype: 'float32' })).toEqual({ data: new Float32Array(0), rows: 0, cols: 0 });
  });
});

describe('values', () => {
  it('number syntax: signs, exponents, leading/trailing dots, nan and inf in any case, spaces, quotes', async () => {
    const r = await readCsv(csv('+1, -2.5 ,.5,5.,1E3,-1e-3,"7",nan,-INF,Infinity\n'));
    expect(Array.from(r.data)).toEqual([1, -2.5, 0.5, 5, 1000, -0.001, 7, NaN, -Infinity, Infinity]);
  });

  it('empty fields are NaN (first, middle, last, quoted, blank)', async () => {
    const r = await readCsv(csv(',2,3\n4,,6\n7,8,\n"",  ,\t\n'));
    expect(Array.from(r.data)).toEqual([NaN, 2, 3, 4, NaN, 6, 7, 8, NaN, NaN, NaN, NaN]);
  });

  it('out-of-range values become +-Infinity or 0, like strtod', async () => {
    const r = await readCsv(csv('1e400,-1e400,1e-400,-1e-400,0.000e999999999999\n'));
    expect(Array.from(r.data)).toEqual([Infinity, -Infinity, 0, -0, 0]);
    const f = await readCsv(csv('1e39,-1e39,1e-50,3.4e38\n'), { dtype: 'float32' });
    expect(Array.from(f.data)).toEqual([Infinity, -Infinity, 0, Math.fround(3.4e38)]);
  });

  it('float64 values are correctly rounded (equal to Number(text)); float32 ones to Math.fround of it', async () => {
    const { text, values } = csvTable({ rows: 2000, cols: 7, seed: 3 });
    const f64 = await readCsv(csv(text));
    expect(f64.data).toEqual(values);
    const f32 = await readCsv(csv(text), { dtype: 'float32' });
    expect(f32.data).toEqual(Float32Array.from(values));
  });
});

describe('column selection', () => {
  const text = 'id,x,y,label\n1,0.5,0.25,3\n2,1.5,1.25,4\n';

  it('by name and by index, in the order given', async () => {
    const byName = await readCsv(csv(text), { header: true, columns: ['label', 'x'] });
    expect(byName).toEqual({ data: new Float64Array([3, 0.5, 4, 1.5]), rows: 2, cols: 2, header: ['label', 'x'] });
    const byIndex = await readCsv(csv(text), { header: true, columns: [2, 0] });
    expect(byIndex).toEqual({ data: new Float64Array([0.25, 1, 1.25, 2]), rows: 2, cols: 2, header: ['y', 'id'] });
    const mixed = await readCsv(csv(text), { header: true, columns: ['y', 3] });
    expect(mixed.data).toEqual(new Float64Array([0.25, 3, 1.25, 4]));
  });

  it('unselected columns are not parsed, so text columns can be skipped', async () => {
    const r = await readCsv(csv('name,score\n"Smith, J.",7\nLee,8.5\n'), { header: true, columns: ['score'] });
    expect(r).toEqual({ data: new Float64Array([7, 8.5]), rows: 2, cols: 1, header: ['score'] });
  });

  it('without a header, by index', async () => {
    expect((await readCsv(csv('1,2,3\n4,5,6'), { columns: [2, 1], dtype: 'float32' })).data).toEqual(new Float32Array([3, 2, 6, 5]));
  });
});

describe('sources', () => {
  it('a path, a file: URL, a Buffer and a plain Uint8Array give the same result', async () => {
    const { text, values } = csvTable({ rows: 300, cols: 4, seed: 9, header: true });
    const file = writeFile('table.csv', text);
    const bytes = new TextEncoder().encode(text);
    for (const source of [file, pathToFileURL(file), Buffer.from(text), bytes]) {
      const r = await readCsv(source, { header: true });
      expect(r.data).toEqual(values);
      expect(r.header).toEqual(['c0', 'c1', 'c2', 'c3']);
    }
  });
});

describe('package entry points', () => {
  it('the loaders are exported from threadml and from the threadml/io subpath', () => {
    const require = createRequire(__filename);
    for (const entry of ['threadml', 'threadml/io'])
      for (const name of ['readCsv', 'loadIdx', 'loadFashionMnist']) expect(typeof require(entry)[name], `${entry}: ${name}`).toBe('function');
  });
});

describe('large inputs split over threads', () => {
  const defaultBudget = getThreads();
  beforeAll(() => setThreads(4));
  afterAll(() => setThreads(defaultBudget));

  it('results are bit-identical for 1, 2 and 4 threads (a 7 MB file in ~28 chunks)', async () => {
    const { text, values } = csvTable({ rows: 70_000, cols: 10, seed: 11, header: true, crlf: true });
    const file = writeFile('large.csv', text);
    expect(fs.statSync(file).size).toBeGreaterThan(6e6);
    const results = [];
    for (const threads of [1, 2, 4]) results.push(await readCsv(file, { header: true, threads }));
    for (const r of results) {
      expect(r.rows).toBe(70_000);
      expect(Buffer.from(r.data.buffer).equals(Buffer.from(values.buffer))).toBe(true);
    }
  });

  it('huge lines: three lines of 580 KB, each longer than two 256 KiB chunks', async () => {
    const cols = 200_000;
    const wide = (k: number) => Array.from({ length: cols }, (_, j) => String((j % 97) - k)).join(',');
    const text = `${wide(0)}\n${wide(1)}\n${wide(2)}`;
    expect(text.indexOf('\n')).toBeGreaterThan(2 * 256 * 1024);
    for (const threads of [1, 2]) {
      const r = await readCsv(csv(text), { threads });
      expect([r.rows, r.cols]).toEqual([3, cols]);
      expect([r.data[0], r.data[cols + 5], r.data[3 * cols - 1]]).toEqual([0, 4, ((cols - 1) % 97) - 2]);
    }
  });

  it('many short lines and a long one in the same file', async () => {
    const short = '1,2\n'.repeat(100_000);
    const long = `${'9'.repeat(600_000)},3\n`;
    const r = await readCsv(csv(short + long + short), { threads: 2 });
    expect(r.rows).toBe(200_001);
    expect(r.data[200_000]).toBe(Number('9'.repeat(600_000)));
    expect(r.data[400_001]).toBe(2);
  });
});
