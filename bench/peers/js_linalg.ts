// JS peers for matrix products: ml-matrix (pure JS) and TensorFlow.js with its cpu (pure JS) and wasm
// backends. Each is optional: a peer that does not load is reported as skipped with the reason.
import fs from 'node:fs';
import path from 'node:path';
import type { FloatArray } from '../../lib/tensor';

/** The version in a package's package.json, found from its resolved entry point. */
export function packageVersion(name: string): string {
  for (let dir = path.dirname(require.resolve(name)); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (pkg.name === name) return pkg.version;
    }
  }
  return 'unknown';
}

/** Why a peer could not load, in one line. */
function reason(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

type MlMatrixClass = typeof import('ml-matrix').Matrix;

export interface Loaded<T> {
  peer?: T;
  version: string;
  skipped?: string;
}

/** ml-matrix's Matrix class (row-major arrays of Float64Array rows; mmul is a plain triple loop). */
export function loadMlMatrix(): Loaded<MlMatrixClass> {
  try {
    return { peer: (require('ml-matrix') as typeof import('ml-matrix')).Matrix, version: packageVersion('ml-matrix') };
  } catch (error) {
    return { version: 'skipped', skipped: reason(error) };
  }
}

/** An ml-matrix Matrix holding a row-major n x n array (float32 values widened to float64). */
export function toMlMatrix(Matrix: MlMatrixClass, data: FloatArray, n: number): InstanceType<MlMatrixClass> {
  return new Matrix(Array.from({ length: n }, (_, i) => data.subarray(i * n, (i + 1) * n)));
}

export type TfBackend = 'cpu' | 'wasm';
type Tf = typeof import('@tensorflow/tfjs');

/** TensorFlow.js with one backend active; matmul times tf.matMul plus reading the result back. */
export class TfPeer {
  private constructor(
    private readonly tf: Tf,
    readonly backend: TfBackend,
    readonly version: string,
    readonly note: string,
  ) {}

  static async load(backend: TfBackend): Promise<Loaded<TfPeer>> {
    try {
      const tf = require('@tensorflow/tfjs') as Tf;
      let note = 'pure JS, single-threaded';
      if (backend === 'wasm') {
        const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
        tf.env().set('PROD', true);
        if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
        await tf.ready();
        const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
        const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? wasm.getThreadsCount() : 1;
        note = `WebAssembly (XNNPACK), SIMD ${simd ? 'on' : 'off'}, ${threads} thread${threads === 1 ? '' : 's'}: Node offers its wasm no threads`;
        return { peer: new TfPeer(tf, backend, `${tf.version.tfjs} (wasm ${wasm.version_wasm})`, note), version: tf.version.tfjs };
      }
      tf.env().set('PROD', true); // also silences the "install tfjs-node" banner
      if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") failed');
      await tf.ready();
      return { peer: new TfPeer(tf, backend, tf.version.tfjs, note), version: tf.version.tfjs };
    } catch (error) {
      return { version: 'skipped', skipped: reason(error) };
    }
  }

  /** Makes this peer's backend the active one (tensors live in the backend that was active when made). */
  async activate(): Promise<void> {
    await this.tf.setBackend(this.backend);
    await this.tf.ready();
  }

  /** A timed C = A B on float32 n x n inputs; dispose() frees the inputs. */
  matmul(a: Float32Array, b: Float32Array, n: number): { run: () => Promise<unknown>; dispose: () => void } {
    const ta = this.tf.tensor2d(a, [n, n]);
    const tb = this.tf.tensor2d(b, [n, n]);
    return {
      run: async () => {
        const c = this.tf.matMul(ta, tb);
        await c.data();
        c.dispose();
      },
      dispose: () => {
        ta.dispose();
        tb.dispose();
      },
    };
  }
}
