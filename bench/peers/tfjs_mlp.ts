// TensorFlow.js peer for the mlp suite: the same network (Dense relu, Dense softmax, Glorot uniform,
// Adam, categorical cross-entropy with scikit-learn's L2 term) trained with model.fit on a fixed
// number of batches, since a whole epoch takes over a minute on the cpu backend. The backend is
// loaded through TfPeer (bench/peers/js_linalg.ts), which reports why one cannot load.
import type { Matrix } from '../../lib/tensor';
import { TfPeer, type TfBackend } from './js_linalg';

type Tf = typeof import('@tensorflow/tfjs');

export interface TfMlpResult {
  backend: TfBackend;
  version: string;
  note: string;
  batches: number;
  /** Wall time of model.fit over `batches` batches (after one warm-up batch), per batch. */
  msPerBatch: number;
}

export interface TfMlpSpec {
  hidden: number;
  classes: number;
  batchSize: number;
  learningRate: number;
  alpha: number;
  batches: number;
}

/** Trains `spec.batches` batches of the first rows of X on `backend`; a skip reason when it cannot load. */
export async function runTfMlp(backend: TfBackend, X: Matrix<Float32Array>, y: Int32Array, spec: TfMlpSpec): Promise<TfMlpResult | string> {
  const loaded = await TfPeer.load(backend);
  if (loaded.peer === undefined) return loaded.skipped ?? 'did not load';
  const peer = loaded.peer;
  await peer.activate();
  const tf = require('@tensorflow/tfjs') as Tf;
  const batches = Math.min(spec.batches, Math.floor(X.rows / spec.batchSize) - 1);
  const rows = (batches + 1) * spec.batchSize;
  const xs = tf.tensor2d(X.data.subarray(0, rows * X.cols), [rows, X.cols]);
  const ys = tf.oneHot(tf.tensor1d(y.subarray(0, rows), 'int32'), spec.classes);
  // scikit-learn adds alpha / 2 ||W||^2 / batch rows to each batch's mean loss.
  const l2 = tf.regularizers.l2({ l2: spec.alpha / (2 * spec.batchSize) });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [X.cols], units: spec.hidden, activation: 'relu', kernelInitializer: 'glorotUniform', kernelRegularizer: l2 }),
      tf.layers.dense({ units: spec.classes, activation: 'softmax', kernelInitializer: 'glorotUniform', kernelRegularizer: l2 }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(spec.learningRate), loss: 'categoricalCrossentropy' });
  try {
    const warm = [xs.slice([0, 0], [spec.batchSize, X.cols]), ys.slice([0, 0], [spec.batchSize, spec.classes])];
    await model.fit(warm[0], warm[1], { batchSize: spec.batchSize, epochs: 1, verbose: 0 });
    warm.forEach((t) => t.dispose());
    const timedX = xs.slice([spec.batchSize, 0], [batches * spec.batchSize, X.cols]);
    const timedY = ys.slice([spec.batchSize, 0], [batches * spec.batchSize, spec.classes]);
    const start = performance.now();
    await model.fit(timedX, timedY, { batchSize: spec.batchSize, epochs: 1, shuffle: true, verbose: 0 });
    const ms = performance.now() - start;
    timedX.dispose();
    timedY.dispose();
    return { backend, version: peer.version, note: peer.note, batches, msPerBatch: ms / batches };
  } finally {
    model.dispose();
    xs.dispose();
    ys.dispose();
  }
}
