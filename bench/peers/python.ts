// Python peers run as a child process on the same data, written once to temporary binary files.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Matrix } from '../../lib/tensor';
import type { Split } from '../data';
import { packageRoot } from '../../lib/native';

export const python = '/usr/bin/python3';

/** Scripts live in the source tree (tsc does not copy them to dist/). */
export function peerScript(name: string): string {
  return path.join(packageRoot, 'bench', 'peers', name);
}

/** Environment that holds every BLAS/OpenMP pool of the child to `threads`. */
function threadEnv(threads: number): NodeJS.ProcessEnv {
  const n = String(threads);
  return { ...process.env, OPENBLAS_NUM_THREADS: n, OMP_NUM_THREADS: n, MKL_NUM_THREADS: n };
}

/** Checks that `module` imports; returns its version, or undefined with the reason printed. */
export function pythonModuleVersion(module: string, log: (line: string) => void): string | undefined {
  const probe = spawnSync(python, ['-c', `import ${module}; print(${module}.__version__)`], { encoding: 'utf8' });
  if (probe.status === 0) return probe.stdout.trim();
  log(`skipped: ${module} not found (${python}: ${(probe.error?.message ?? probe.stderr.trim().split('\n').pop()) || 'failed'})`);
  return undefined;
}

/** Runs a peer script with a JSON spec on stdin and parses the JSON it prints. */
export function runPythonPeer<T>(script: string, spec: unknown, threads: number): T {
  const child = spawnSync(python, [peerScript(script)], {
    input: JSON.stringify(spec),
    encoding: 'utf8',
    env: threadEnv(threads),
    maxBuffer: 256 * 2 ** 20,
  });
  if (child.status !== 0) throw new Error(`${script} failed (${child.status ?? child.signal}): ${child.stderr || child.error?.message}`);
  return JSON.parse(child.stdout) as T;
}

/** A temporary directory of raw little-endian array files, removed by dispose(). */
export class TempArrays {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadml-bench-'));
  private count = 0;

  write(x: ArrayBufferView): string {
    if (os.endianness() !== 'LE') throw new Error('TempArrays writes native byte order, which must be little-endian');
    const file = path.join(this.dir, `array-${this.count++}.bin`);
    const fd = fs.openSync(file, 'w');
    try {
      const bytes = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
      for (let offset = 0; offset < bytes.length; ) offset += fs.writeSync(fd, bytes, offset, Math.min(bytes.length - offset, 2 ** 30));
    } finally {
      fs.closeSync(fd);
    }
    return file;
  }

  /** A train/test pair as the Python peers read it: file names of X and y, dtype and column count. */
  writeSplits(train: Split, test: Split): { train: { x: string; y: string }; test: { x: string; y: string }; dtype: string; cols: number } {
    const part = (X: Matrix, y: Int32Array) => ({ x: this.write(X.data), y: this.write(y) });
    return {
      train: part(train.X, train.y),
      test: part(test.X, test.y),
      dtype: train.X.data instanceof Float32Array ? 'float32' : 'float64',
      cols: train.X.cols,
    };
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
