// The package as users see it: CommonJS require, ESM import (named exports), and the type declarations.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as viaImport from 'threadml';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..');
const functions = ['sum', 'mean', 'variance', 'std', 'min', 'max', 'argmin', 'argmax', 'norm', 'dot', 'setThreads', 'getThreads', 'info', 'jobStats', 'matrix'];

describe('module formats', () => {
  it('require("threadml") exposes every function and AbortError', async () => {
    const cjs = createRequire(__filename)('threadml');
    for (const name of functions) expect(typeof cjs[name], name).toBe('function');
    expect(typeof cjs.AbortError).toBe('function');
    expect(await cjs.mean([1, 2, 3, 4])).toBe(2.5);
  });

  it('import("threadml") and static named imports expose the same functions', async () => {
    const esm = await import('threadml');
    for (const name of functions) {
      expect(typeof (esm as any)[name], name).toBe('function');
      expect(typeof (viaImport as any)[name], name).toBe('function');
    }
    expect(await esm.sum(new Float32Array([1.5, 2.5]))).toBe(4);
    expect(viaImport.matrix(new Float64Array(6), 2, 3)).toEqual({ data: new Float64Array(6), rows: 2, cols: 3 });
    expect(() => viaImport.matrix(new Float64Array(5), 2, 3)).toThrow(RangeError);
  });

  it('plain Node (outside the test runner) loads it both ways from the package name', async () => {
    const cjs = await run(process.execPath, ['-e', "require('threadml').mean([1, 2, 6]).then((m) => console.log(m))"], { cwd: root });
    expect(cjs.stdout.trim()).toBe('3');
    const esm = await run(
      process.execPath,
      ['--input-type=module', '-e', "import { mean, argmax, info } from 'threadml'; console.log(await mean([2, 4]), await argmax([1, 9, 3]), info().blas.name);"],
      { cwd: root },
    );
    expect(esm.stdout.trim()).toBe('3 1 OpenBLAS');
    const def = await run(process.execPath, ['--input-type=module', '-e', "import t from 'threadml'; console.log(typeof t.dot);"], { cwd: root });
    expect(def.stdout.trim()).toBe('function');
  }, 30_000);
});

describe('type declarations', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

  it('package.json points at dist/lib/index.d.ts, which declares the public API', () => {
    expect(pkg.types).toBe('./dist/lib/index.d.ts');
    expect(pkg.exports['.'].types).toBe('./dist/lib/index.d.ts');
    const dts = fs.readFileSync(path.join(root, 'dist/lib/index.d.ts'), 'utf8');
    for (const name of ['sum', 'mean', 'variance', 'std', 'min', 'max', 'argmin', 'argmax', 'norm', 'dot']) expect(dts).toMatch(new RegExp(`\\b${name}\\b`));
    for (const name of ['ReduceOptions', 'VarianceOptions', 'NormOptions', 'JobOptions', 'Info', 'JobStats', 'AbortError']) expect(dts).toContain(name);
    expect(fs.existsSync(path.join(root, 'dist/lib/ops/reduce.d.ts'))).toBe(true);
  });

  it('a TypeScript consumer type-checks against the package, and misuse is a type error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadml-types-'));
    try {
      // Resolve the package as a dependency would be resolved: node_modules/threadml -> this repo.
      fs.mkdirSync(path.join(dir, 'node_modules'));
      fs.symlinkSync(root, path.join(dir, 'node_modules', 'threadml'), 'dir');
      fs.writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: { strict: true, noEmit: true, module: 'node16', moduleResolution: 'node16', target: 'es2022', types: [], skipLibCheck: false },
          files: ['good.ts', 'bad.ts'],
        }),
      );
      fs.writeFileSync(
        path.join(dir, 'good.ts'),
        `import { mean, sum, argmin, norm, dot, info, jobStats, AbortError, type Info } from 'threadml';
export async function f(): Promise<void> {
  const a: number = await mean(new Float64Array(3));
  const b: Float32Array = await sum({ data: new Float32Array(4), rows: 2, cols: 2 }, { axis: 0 });
  const c: Int32Array = await argmin([[1, 2], [3, 4]], { axis: 1 });
  const d: number = await norm([1, 2], { ord: Infinity });
  const e: number = await dot([1], [2], { threads: 2, signal: new AbortController().signal, onProgress: (p: number) => void p });
  const i: Info = info();
  const s: string = i.blas.name + jobStats().running;
  const err: Error = new AbortError();
  void [a, b, c, d, e, s, err];
}
`,
      );
      fs.writeFileSync(
        path.join(dir, 'bad.ts'),
        `import { mean, variance } from 'threadml';
export async function g(): Promise<void> {
  const a: string = await mean([1]);
  await variance([1], { ddof: '1' });
  await mean([1], { skipNaN: 'yes' });
  void a;
}
`,
      );
      const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      const result = await run(process.execPath, [tsc, '-p', dir], { cwd: dir }).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
      );
      const lines = result.out.split('\n').filter((l) => l.includes('error TS'));
      expect(lines.filter((l) => l.startsWith('good.ts')), result.out).toEqual([]);
      const bad = lines.filter((l) => l.startsWith('bad.ts'));
      expect(bad.length, result.out).toBe(3);
      expect(bad.map((l) => l.match(/^bad\.ts\((\d+),/)?.[1])).toEqual(['3', '4', '5']);
      expect(result.code).not.toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
