import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getThreads, hashArray, Memory, parallel, setThreads } from 'threadml';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'threadml-memory-test-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => path.join(root, `cache-${dirs++}`);

function entries(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tmlc')).map((f) => path.join(dir, f));
}

describe('hashArray', () => {
  it('is XXH64 for inputs up to one block (published test vectors)', async () => {
    expect(await hashArray(new Uint8Array(0))).toBe('ef46db3751d8e999');
    expect(await hashArray(new TextEncoder().encode('abc'))).toBe('44bc2cf5ad770999');
    expect(await hashArray(new TextEncoder().encode('abc'), 1)).not.toBe('44bc2cf5ad770999');
  });

  it('gives the same digest for any thread count, and a different one for any changed byte', async () => {
    const x = new Float64Array(3_000_001).map((_, i) => Math.sin(i));
    const before = getThreads();
    try {
      setThreads(1);
      const one = await hashArray(x);
      setThreads(4);
      expect(await hashArray(x)).toBe(one);
      const y = x.slice();
      y[2_500_000] = -y[2_500_000];
      expect(await hashArray(y)).not.toBe(one);
      expect(await hashArray(x.subarray(1))).not.toBe(one);
      expect(await hashArray(new DataView(x.buffer))).toBe(one);
    } finally {
      setThreads(before);
    }
  });
});

describe('Memory', () => {
  it('computes once per distinct argument and stores typed arrays and JSON', async () => {
    const memory = new Memory(freshDir());
    let calls = 0;
    const scaled = memory.cache(async (x: Float64Array | Float32Array, k: number, opts: { tag: string }) => {
      calls++;
      return { data: Float64Array.from(x, (v) => v * k), rows: 1, cols: x.length, tag: opts.tag, ints: Int32Array.of(k) };
    });
    const x = Float64Array.of(1, 2, 3);
    const first = await scaled(x, 2, { tag: 'a' });
    const again = await scaled(Float64Array.of(1, 2, 3), 2, { tag: 'a' });
    expect(calls).toBe(1);
    expect(again.data).toBeInstanceOf(Float64Array);
    expect([...again.data]).toEqual([2, 4, 6]);
    expect(again).toMatchObject({ rows: 1, cols: 3, tag: 'a' });
    expect(again.ints).toEqual(Int32Array.of(2));
    expect([...first.data]).toEqual([2, 4, 6]);
    await scaled(x, 3, { tag: 'a' });
    await scaled(Float64Array.of(1, 2, 4), 2, { tag: 'a' });
    await scaled(Float32Array.of(1, 2, 3), 2, { tag: 'a' });
    await scaled(x, 2, { tag: 'b' });
    expect(calls).toBe(5);
  });

  it('recomputes when the function source changes, and clear() empties the cache', async () => {
    const dir = freshDir();
    const memory = new Memory(dir);
    let calls = 0;
    const v1 = memory.cache(function area(r: number) {
      calls++;
      return 3 * r * r;
    });
    const v2 = memory.cache(function area(r: number) {
      calls++;
      return Math.PI * r * r;
    });
    expect(await v1(2)).toBe(12);
    expect(await v2(2)).toBeCloseTo(4 * Math.PI);
    expect(await v1(2)).toBe(12);
    expect(calls).toBe(2);
    await v1.clear();
    expect(await v2(2)).toBeCloseTo(4 * Math.PI);
    expect(calls).toBe(2);
    await memory.clear();
    expect(fs.existsSync(dir)).toBe(false);
    await v2(2);
    expect(calls).toBe(3);
  });

  it('recomputes corrupted or truncated entries instead of failing', async () => {
    const dir = freshDir();
    let calls = 0;
    const ramp = new Memory(dir).cache((n: number) => {
      calls++;
      return Float64Array.from({ length: n }, (_, i) => i);
    });
    await ramp(1000);
    const [file] = entries(dir);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 5] ^= 0xff;
    fs.writeFileSync(file, bytes);
    expect((await ramp(1000))[999]).toBe(999);
    expect(calls).toBe(2);
    fs.truncateSync(file, 100);
    expect((await ramp(1000))[999]).toBe(999);
    fs.writeFileSync(file, 'not a cache entry');
    expect((await ramp(1000))[999]).toBe(999);
    expect(calls).toBe(4);
    expect((await ramp(1000))[999]).toBe(999);
    expect(calls).toBe(4);
  });

  it('stays consistent with several processes writing the same entries at once', async () => {
    const dir = freshDir();
    const n = 300_000;
    const items = Array.from({ length: 4 }, () => ({ dir, n }));
    const last = await parallel(items, { module: path.join(__dirname, 'fixtures', 'memory-writer.cjs'), export: 'writeEntry' }, { nJobs: 4, backend: 'processes' });
    expect(last).toEqual([n + 3, n + 3, n + 3, n + 3]);
    const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' });
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(entries(dir)).toHaveLength(5);
  });

  it('checks its arguments', () => {
    expect(() => new Memory('')).toThrow('Expected a directory path for location but received the string ""');
    expect(() => new Memory(freshDir()).cache(42 as never)).toThrow('Expected a function for fn but received 42');
  });
});
