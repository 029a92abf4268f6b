// Raw signatures of the neural-network functions of the addon (native/binding/nn_binding.cc). The
// addon is loaded by lib/native.ts; this file only types its nn entry points.
import type { NativeJobOptions } from '../native';
import { addon } from '../native';
import type { FloatArray } from '../tensor';

/** What inference needs: layer widths (input, hidden..., outputs), hidden activation, output loss. */
export interface NativeMlpNetwork {
  widths: Int32Array;
  /** 0 identity, 1 relu, 2 tanh, 3 logistic */
  activation: number;
  /** 0 squared error (identity output), 1 binary cross-entropy (logistic output), 2 cross-entropy (softmax) */
  loss: number;
}

export interface NativeMlpParams extends NativeMlpNetwork {
  adam: boolean;
  learningRateInit: number;
  /** 0 constant, 1 invscaling, 2 adaptive */
  schedule: number;
  powerT: number;
  momentum: number;
  nesterov: boolean;
  beta1: number;
  beta2: number;
  epsilon: number;
  alpha: number;
  batchSize: number;
  maxIter: number;
  shuffle: boolean;
  seed: number;
  tol: number;
  nIterNoChange: number;
  earlyStopping: boolean;
  validationFraction: number;
  incremental: boolean;
  classifier: boolean;
  float64: boolean;
}

export interface NativeOptimizerState {
  buffers: FloatArray;
  steps: number;
  learningRate: number;
}

/** What carries over between fit calls; params and buffers in the training float type. */
export interface NativeMlpState {
  params: FloatArray;
  optimizer: NativeOptimizerState | null;
  nIter: number;
  samplesSeen: number;
  bestLoss: number;
  bestValidationScore: number;
  noImprovement: number;
}

export interface NativeMlpResult extends NativeMlpState {
  optimizer: NativeOptimizerState;
  /** This call's epochs. */
  lossCurve: Float64Array;
  validationScores: Float64Array;
  stopped: boolean;
}

interface NnAddon {
  mlpFit(
    x: FloatArray,
    rows: number,
    cols: number,
    y: Int32Array | Float64Array,
    params: NativeMlpParams,
    state: NativeMlpState | null,
    options: NativeJobOptions,
  ): Promise<NativeMlpResult>;
  mlpPredict(x: FloatArray, rows: number, cols: number, params: FloatArray, network: NativeMlpNetwork, options: NativeJobOptions): Promise<FloatArray>;
}

export const nn = addon as unknown as NnAddon;
