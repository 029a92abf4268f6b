// Builds and runs openblas_peer.cc: OpenBLAS called from C++ with its own threads, and the clock probe.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DType } from '../data';
import { peerScript } from './python';

export interface OpenblasRun {
  samples_ms: number[];
  core: string;
  config: string;
  threads: number;
}

export class OpenblasPeer {
  private constructor(private readonly binary: string) {}

  /** Compiles the peer with g++ against the system OpenBLAS; undefined (reason logged) when it cannot. */
  static build(log: (line: string) => void): OpenblasPeer | undefined {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadml-openblas-peer-'));
    const binary = path.join(dir, 'openblas_peer');
    const pkg = spawnSync('pkg-config', ['--cflags', '--libs', 'openblas'], { encoding: 'utf8' });
    const flags = pkg.status === 0 ? pkg.stdout.trim().split(/\s+/) : ['-lopenblas'];
    const args = ['-O2', '-std=c++17', peerScript('openblas_peer.cc'), '-o', binary, ...flags, '-pthread'];
    const gxx = spawnSync('g++', args, { encoding: 'utf8' });
    if (gxx.status !== 0) {
      log(`skipped: OpenBLAS from C++ (g++ ${args.join(' ')} failed: ${(gxx.error?.message ?? gxx.stderr).trim().split('\n')[0]})`);
      return undefined;
    }
    return new OpenblasPeer(binary);
  }

  private run<T>(args: (string | number)[], threads: number): T {
    const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
    const child = spawnSync(this.binary, args.map(String), { encoding: 'utf8', env });
    if (child.status !== 0) throw new Error(`openblas_peer ${args.join(' ')} failed: ${child.stderr || child.error?.message}`);
    return JSON.parse(child.stdout) as T;
  }

  gemm(n: number, dtype: DType, threads: number, warmup: number, repeats: number): OpenblasRun {
    return this.run(['gemm', n, dtype, threads, warmup, repeats], threads);
  }

  gemv(n: number, dtype: DType, trans: boolean, threads: number, warmup: number, repeats: number): OpenblasRun {
    return this.run(['gemv', n, dtype, threads, warmup, repeats, trans ? 1 : 0], threads);
  }

  /** GHz of each of `threads` cores running at once, from a chain of dependent adds. */
  clock(threads: number, ms: number): number[] {
    return this.run<{ ghz: number[] }>(['clock', threads, ms], threads).ghz;
  }

  dispose(): void {
    fs.rmSync(path.dirname(this.binary), { recursive: true, force: true });
  }
}
