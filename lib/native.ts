// The one place that loads the addon. A prebuild for this platform wins; otherwise build/Release.
import fs from 'node:fs';
import path from 'node:path';
import nodeGypBuild from 'node-gyp-build';
import type { FloatArray } from './tensor';

/** Options every native job accepts (already validated by lib/job.ts). */
export interface NativeJobOptions {
  threads?: number;
  abort?: Int32Array;
  onProgress?: (fraction: number) => void;
}

export interface NativeReduceParams {
  skipNaN?: boolean;
  ddof?: number;
}

export interface NativeInfo {
  version: string;
  blas: { name: string; version: string; core: string; config: string; threads: number };
  openmp: { version: number; maxThreads: number };
  simd: 'baseline' | 'avx2' | 'avx512';
  threads: number;
  hardwareThreads: number;
}

export interface NativeJobStats {
  queued: number;
  running: number;
  completed: number;
  threadsInUse: number;
}

export interface NativeAddon {
  info(): NativeInfo;
  setThreads(threads: number): void;
  getThreads(): number;
  jobStats(): NativeJobStats;
  reduce(op: number, x: FloatArray, params: NativeReduceParams, options: NativeJobOptions): Promise<number>;
  reduceAxis(
    op: number,
    x: FloatArray,
    rows: number,
    cols: number,
    axis: 0 | 1,
    params: NativeReduceParams,
    options: NativeJobOptions,
  ): Promise<FloatArray | Int32Array>;
  dot(x: FloatArray, y: FloatArray, options: NativeJobOptions): Promise<number>;
  streamSum(x: Float64Array, options: NativeJobOptions): Promise<number>;
  gemm(
    a: FloatArray,
    aRows: number,
    aCols: number,
    b: FloatArray,
    bRows: number,
    bCols: number,
    params: { transA: boolean; transB: boolean; alpha: number; beta: number; C?: FloatArray },
    options: NativeJobOptions,
  ): Promise<FloatArray>;
}

/** The directory holding threadml's package.json (lib/ in source, dist/lib/ when compiled). */
export const packageRoot = findPackageRoot(__dirname);

export const addon: NativeAddon = nodeGypBuild(packageRoot) as NativeAddon;

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    try {
      if (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name === 'threadml') return dir;
    } catch {
      // no readable package.json here: keep walking up
    }
    if (path.dirname(dir) === dir) throw new Error(`threadml: cannot find its package.json above ${start}`);
  }
}
