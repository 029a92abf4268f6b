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
  poolThreads: number;
  helperSpinUs: number;
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

export interface NativeCsvParams {
  delimiter: number;
  comment: number;
  header: boolean;
  skipRows: number;
  columns?: (number | string)[];
  float32: boolean;
  source: string;
}

export interface NativeCsvResult {
  data: FloatArray;
  rows: number;
  cols: number;
  header: string[];
}

export interface NativeIdxResult {
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
  shape: number[];
  type: 'ubyte' | 'byte' | 'short' | 'int' | 'float' | 'double';
}

export interface NativeLogisticParams {
  classes: number;
  multinomial: boolean;
  penalty: number;
  C: number;
  l1Ratio: number;
  fitIntercept: boolean;
  tol: number;
  maxIter: number;
  solver: number;
  seed: number;
  balancedOvr: boolean;
}

export interface NativeLogisticModel {
  coef: Float64Array;
  intercept: Float64Array;
}

/** A fitted tree model held in native memory (a type-tagged External); see native/binding/tree_binding.cc. */
export type NativeTreeModel = { readonly __nativeTreeModel: unique symbol };

export interface NativeTreeParams {
  criterion: number;
  nClasses: number;
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  minWeightFractionLeaf: number;
  minImpurityDecrease: number;
  maxFeatures: number;
  maxLeafNodes: number;
  maxBins: number;
  nTrees: number;
  firstTree: number;
  bootstrap: boolean;
  maxSamples: number;
  balancedSubsample: boolean;
  oob: boolean;
  seed: number;
}

export interface NativeGbdtParams {
  loss: number;
  nOutputs: number;
  maxDepth: number;
  minSamplesLeaf: number;
  minHessianLeaf: number;
  maxLeafNodes: number;
  maxBins: number;
  learningRate: number;
  l2Regularization: number;
  minGainToSplit: number;
  maxIter: number;
  subsample: number;
  colsampleBytree: number;
  nIterNoChange: number;
  tol: number;
  seed: number;
  /** One flag per column (1: categorical), or empty for none. */
  categorical: Uint8Array;
}

export interface NativeTreeArrays {
  nOutputs: number;
  outputOffset: number;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  missingLeft: Uint8Array;
  /** Per node: -1, or the index of a categorical split's set of left categories in categoryBits. */
  categorySet: Int32Array;
  /** 8 words (256 bits) per category set: bit c set when category code c goes left. */
  categoryBits: Uint32Array;
  value: Float64Array;
  impurity: Float64Array;
  nNodeSamples: Float64Array;
  weightedNNodeSamples: Float64Array;
}

export interface NativeTreeExport {
  nFeatures: number;
  nOutputs: number;
  trees: NativeTreeArrays[];
}

export interface NativeAddon {
  info(): NativeInfo;
  setThreads(threads: number): void;
  /** Caps the calling environment's leases (0: no cap). */
  setEnvironmentThreads(threads: number): void;
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
  gemmBatched(
    a: FloatArray,
    aBatch: number,
    aRows: number,
    aCols: number,
    b: FloatArray,
    bBatch: number,
    bRows: number,
    bCols: number,
    params: { transA: boolean; transB: boolean; alpha: number; beta: number; C?: FloatArray },
    options: NativeJobOptions,
  ): Promise<FloatArray>;
  gemv(
    a: FloatArray,
    rows: number,
    cols: number,
    x: FloatArray,
    params: { trans: boolean; alpha: number; beta: number; y?: FloatArray },
    options: NativeJobOptions,
  ): Promise<FloatArray>;
  axpy(alpha: number, x: FloatArray, y: FloatArray, options: NativeJobOptions): Promise<FloatArray>;
  transpose(a: FloatArray, rows: number, cols: number, options: NativeJobOptions): Promise<FloatArray>;
  // logistic regression (native/binding/linear_binding.cc)
  logisticFit(
    x: FloatArray,
    rows: number,
    cols: number,
    y: Int32Array,
    sampleWeight: Float64Array | null,
    params: NativeLogisticParams,
    start: NativeLogisticModel | undefined,
    options: NativeJobOptions,
  ): Promise<{ coef: FloatArray; intercept: FloatArray; nIter: Int32Array; converged: boolean }>;
  logisticObjective(
    x: FloatArray,
    rows: number,
    cols: number,
    y: Int32Array,
    sampleWeight: Float64Array | null,
    params: NativeLogisticParams,
    model: NativeLogisticModel,
    options: NativeJobOptions,
  ): Promise<{ value: number; coefGradient: Float64Array; interceptGradient: Float64Array }>;
  logisticPredict(
    x: FloatArray,
    rows: number,
    cols: number,
    coef: FloatArray,
    intercept: FloatArray,
    params: { classes: number; multinomial: boolean; mode: number },
    options: NativeJobOptions,
  ): Promise<FloatArray | Int32Array>;
  readCsv(source: Uint8Array | number, size: number, params: NativeCsvParams, options: NativeJobOptions): Promise<NativeCsvResult>;
  loadIdx(bytes: Uint8Array, name: string, output: number, scale: number, options: NativeJobOptions): Promise<NativeIdxResult>;
  // preprocessing (native/binding/preprocess_binding.cc)
  columnMoments(x: FloatArray, rows: number, cols: number, wantM2: boolean, options: NativeJobOptions): Promise<{ count: Float64Array; mean: Float64Array; m2: Float64Array }>;
  columnExtremes(x: FloatArray, rows: number, cols: number, options: NativeJobOptions): Promise<{ min: Float64Array; max: Float64Array }>;
  columnQuantiles(x: FloatArray, rows: number, cols: number, median: boolean, percentiles: Float64Array, options: NativeJobOptions): Promise<Float64Array>;
  columnModes(x: FloatArray, rows: number, cols: number, options: NativeJobOptions): Promise<Float64Array>;
  columnUniques(x: FloatArray, rows: number, cols: number, skipNaN: boolean, options: NativeJobOptions): Promise<{ values: Float64Array; counts: Float64Array; offsets: Float64Array }>;
  columnAffine<T extends FloatArray>(x: T, rows: number, cols: number, shift: Float64Array, factor: Float64Array, multiplyAdd: boolean, clip: Float64Array | undefined, options: NativeJobOptions): Promise<T>;
  normalizeRows<T extends FloatArray>(x: T, rows: number, cols: number, norm: 'l1' | 'l2' | 'max', options: NativeJobOptions): Promise<T>;
  imputeColumns<T extends FloatArray>(x: T, rows: number, cols: number, missing: number, fill: Float64Array, keep: Int32Array, options: NativeJobOptions): Promise<T>;
  checkValues(x: FloatArray, rows: number, cols: number, allowNaN: boolean, options: NativeJobOptions): Promise<void>;
  encodeColumns(x: FloatArray, rows: number, cols: number, categories: Float64Array, offsets: Int32Array, options: NativeJobOptions): Promise<Int32Array>;
  oneHot(codes: Int32Array, rows: number, cols: number, offsets: Int32Array, float32: boolean, options: NativeJobOptions): Promise<FloatArray>;
  takeRows<T extends FloatArray>(x: T, rows: number, cols: number, index: Int32Array, options: NativeJobOptions): Promise<T>;
  // tree models (native/binding/tree_binding.cc)
  treeFit(
    x: FloatArray,
    rows: number,
    cols: number,
    y: Int32Array | Float64Array,
    sampleWeight: Float64Array | null,
    params: NativeTreeParams,
    warmStart: NativeTreeModel | null,
    options: NativeJobOptions,
  ): Promise<{ model: NativeTreeModel; oobSum?: Float64Array; oobCount?: Float64Array }>;
  treePredict(model: NativeTreeModel, x: FloatArray, rows: number, cols: number, scale: number, options: NativeJobOptions): Promise<Float64Array>;
  treeApply(model: NativeTreeModel, x: FloatArray, rows: number, cols: number, options: NativeJobOptions): Promise<Int32Array>;
  treeExport(model: NativeTreeModel): NativeTreeExport;
  treeImport(model: NativeTreeExport): NativeTreeModel;
  treeSlice(model: NativeTreeModel, start: number, end: number): NativeTreeModel;
  gbdtFit(
    x: FloatArray,
    rows: number,
    cols: number,
    y: Float64Array,
    sampleWeight: Float64Array | null,
    xVal: FloatArray | null,
    valRows: number,
    valCols: number,
    yVal: Float64Array | null,
    valWeight: Float64Array | null,
    params: NativeGbdtParams,
    options: NativeJobOptions,
  ): Promise<{ model: NativeTreeModel; baseline: Float64Array; trainLoss: Float64Array; validationLoss: Float64Array; nIter: number }>;
  // hashing (native/binding/hash_binding.cc): 16 hex digits, the same for any thread count
  hashBytes(view: ArrayBufferView, seed: number, options: NativeJobOptions): Promise<string>;
  treeSummary(model: NativeTreeModel): { nTrees: number; nodeCounts: Int32Array; depths: Int32Array; leaves: Int32Array; featureImportances: Float64Array; featureSplitCounts: Float64Array };
}

/** The directory holding threadml's package.json (lib/ in source, dist/lib/ when compiled). */
export const packageRoot = findPackageRoot(__dirname);

export const addon: NativeAddon = nodeGypBuild(packageRoot) as NativeAddon;

// The addon reads THREADML_HELPER_SPIN_US once and falls back to its default on a value it cannot
// use; say so rather than leave a tuning that silently did nothing.
const helperSpin = process.env.THREADML_HELPER_SPIN_US;
if (helperSpin !== undefined && helperSpin !== '' && !(/^\d{1,7}$/.test(helperSpin) && Number(helperSpin) <= 1e6))
  process.emitWarning(
    `THREADML_HELPER_SPIN_US: expected an integer number of microseconds in [0, 1000000] but received ${JSON.stringify(helperSpin)}; using ${addon.info().helperSpinUs}`,
    { code: 'THREADML_ENV' },
  );

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
