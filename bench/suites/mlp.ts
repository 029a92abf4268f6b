// mlp: MLPClassifier 784-256-10 on Fashion-MNIST (batch 256, Adam, learning rate 1e-3, alpha 1e-4,
// 10 epochs): seconds per epoch and test accuracy against scikit-learn's MLPClassifier (same settings,
// same threads, same run) and TensorFlow.js (cpu and wasm backends); inference on the 10,000 test
// rows, with the event loop's longest stall meanwhile.
import { getThreads, loadFashionMnist, MLPClassifier, type FashionMnist } from '../../lib/index';
import type { Matrix } from '../../lib/tensor';
import { firstRows, type Split } from '../data';
import { eventLoopGap, fmt, fmtRatio, fmtSpread, median, Table, timing, timeCallsUs, type PeerInfo, type Suite, type SuiteOptions, type SuiteResult, type TargetCheck, type Timing } from '../harness';
import { loadOnnxMlp } from '../peers/onnx_mlp';
import { pythonModuleVersion } from '../peers/python';
import { runSklearnMlp, type SklearnMlpResult, type SklearnMlpRun } from '../peers/sklearn_mlp';
import { runTfMlp, type TfMlpResult } from '../peers/tfjs_mlp';

const HIDDEN = 256;
const BATCH = 256;
const LEARNING_RATE = 1e-3;
const ALPHA = 1e-4;
const EPOCHS = 10;
/** TensorFlow.js batches timed per backend (an epoch is 235 batches: over a minute on cpu). */
const TF_BATCHES = { cpu: 8, wasm: 30 } as const;

interface OurFit {
  impl: string;
  dtype: 'float32' | 'float64';
  threads: number;
  timing: Timing;
  epochs: number;
  accuracies: number[];
}

function float64(X: Matrix): Matrix<Float64Array> {
  return { data: Float64Array.from(X.data), rows: X.rows, cols: X.cols };
}

async function fashion(quick: boolean): Promise<FashionMnist> {
  const f = await loadFashionMnist();
  if (!quick) return f;
  const train = firstRows({ X: f.XTrain, y: f.yTrain }, 6000);
  const test = firstRows({ X: f.XTest, y: f.yTest }, 1000);
  return { XTrain: train.X as Matrix<Float32Array>, yTrain: train.y, XTest: test.X as Matrix<Float32Array>, yTest: test.y };
}

const options = (dtype: 'float32' | 'float64', seed: number) =>
  ({ hiddenLayerSizes: [HIDDEN], solver: 'adam', learningRateInit: LEARNING_RATE, alpha: ALPHA, batchSize: BATCH, maxIter: EPOCHS, randomState: seed, dtype }) as const;

export const mlpSuite: Suite = {
  name: 'mlp',
  title: 'MLPClassifier 784-256-10 on Fashion-MNIST: seconds per epoch, accuracy, inference',
  async run({ quick, python, log }: SuiteOptions): Promise<SuiteResult> {
    const threads = getThreads();
    const repeats = quick ? 1 : 3;
    const notes: string[] = [];
    let f: FashionMnist;
    try {
      f = await fashion(quick);
    } catch (error) {
      log(`skipped: Fashion-MNIST (${(error as Error).message})`);
      return { peers: [], tables: [], targets: [], notes: ['Fashion-MNIST not found (Debian package dataset-fashion-mnist): the suite was skipped.'], data: {} };
    }
    const batchesPerEpoch = Math.ceil(f.XTrain.rows / BATCH);
    // Silence the ConvergenceWarning of fits that run exactly maxIter epochs, as asked.
    const warnings = process.listeners('warning');
    process.removeAllListeners('warning');

    // ---- threadml: repeats of 10-epoch fits, round-robin across float32 / float64 -------------
    let model: MLPClassifier | undefined;
    const ours: OurFit[] = [];
    const contenders: { impl: string; dtype: 'float32' | 'float64'; threads: number; X: Matrix }[] = [
      { impl: `threadml float32, ${threads} threads`, dtype: 'float32', threads, X: f.XTrain },
      { impl: 'threadml float32, 1 thread', dtype: 'float32', threads: 1, X: f.XTrain },
      { impl: `threadml float64, ${threads} threads`, dtype: 'float64', threads, X: f.XTrain },
    ];
    for (const c of contenders) ours.push({ impl: c.impl, dtype: c.dtype, threads: c.threads, timing: timing([]), epochs: 0, accuracies: [] });
    for (let r = 0; r < repeats; r++)
      for (const [i, c] of contenders.entries()) {
        log(`mlp: ${c.impl}, fit ${r + 1} of ${repeats}`);
        const m = new MLPClassifier(options(c.dtype, r));
        const start = performance.now();
        await m.fit(c.X, f.yTrain, { threads: c.threads });
        ours[i].timing.samplesMs.push(performance.now() - start);
        ours[i].epochs = m.nIter;
        ours[i].accuracies.push(await m.score(f.XTest, f.yTest));
        if (i === 0) model = m;
      }
    for (const o of ours) o.timing = timing(o.timing.samplesMs);
    const headline = ours[0];
    const ourEpochS = headline.timing.medianMs / 1000 / headline.epochs;

    // ---- inference on the test rows, and the event loop meanwhile -------------------------------
    const trained = model as MLPClassifier;
    const predictUs = await timeCallsUs(() => trained.predictProba(f.XTest), { warmup: 2, repeats: 20 });
    const predictMs = median(predictUs) / 1000;
    const gap = await eventLoopGap(() => trained.predictProba(f.XTest));
    const X64 = float64(f.XTest);
    const predict64Us = await timeCallsUs(() => trained.predictProba(X64), { warmup: 1, repeats: 10 });

    // ---- onnxruntime-node on the same trained network ---------------------------------------------
    log('mlp: onnxruntime-node inference');
    const onnx = await loadOnnxMlp(trained.coefs, trained.intercepts, threads);
    let onnxResult: { ms: number; gapMs: number; maxDiff: number; version: string } | string;
    if (typeof onnx === 'string') onnxResult = onnx;
    else {
      try {
        const ours = (await trained.predictProba(f.XTest)).data;
        const theirs = await onnx.run(f.XTest);
        let maxDiff = 0;
        for (let i = 0; i < ours.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i] - theirs[i]));
        const us = await timeCallsUs(() => onnx.run(f.XTest), { warmup: 2, repeats: 20 });
        const onnxGap = await eventLoopGap(() => onnx.run(f.XTest));
        onnxResult = { ms: median(us) / 1000, gapMs: onnxGap.gapMs, maxDiff, version: onnx.version };
      } finally {
        await onnx.release();
      }
    }

    // ---- scikit-learn -----------------------------------------------------------------------------
    let sk: SklearnMlpRun | undefined;
    let peerSk: PeerInfo = { name: 'scikit-learn MLPClassifier (adam)', version: 'skipped', threads: '-', note: python ? 'sklearn not found' : '--no-python' };
    if (python && pythonModuleVersion('sklearn', log) !== undefined) {
      log('mlp: scikit-learn (float64 X, as X / 255.0 of the uint8 pixels gives; then float32 X)');
      const common = { hidden: [HIDDEN], batchSize: BATCH, learningRateInit: LEARNING_RATE, alpha: ALPHA, maxIter: EPOCHS, predictRepeats: 10 };
      const train64: Split = { X: float64(f.XTrain), y: f.yTrain };
      const test64: Split = { X: X64, y: f.yTest };
      sk = runSklearnMlp(
        [
          { key: 'float64', train: train64, test: test64, repeats, ...common },
          { key: 'float32', train: { X: f.XTrain, y: f.yTrain }, test: { X: f.XTest, y: f.yTest }, repeats: 1, ...common },
        ],
        threads,
      );
      peerSk = {
        name: 'scikit-learn MLPClassifier (adam)',
        version: `${sk.sklearn} (NumPy ${sk.numpy}, Python ${sk.python})`,
        threads,
        note: `BLAS pools: ${sk.threadpools.map((p) => `${p.internal_api} ${p.version} x${p.num_threads}`).join(', ')}`,
      };
    } else if (python) notes.push('scikit-learn was not found: its rows and the targets against it are missing.');
    const sk64 = sk?.results.find((r) => r.key === 'float64');
    const sk32 = sk?.results.find((r) => r.key === 'float32');
    const skEpochS = (r: SklearnMlpResult) => median(r.samples_ms) / 1000 / r.n_iter;

    // ---- TensorFlow.js ---------------------------------------------------------------------------
    const tf = new Map<'cpu' | 'wasm', TfMlpResult | string>();
    for (const backend of ['wasm', 'cpu'] as const) {
      log(`mlp: tfjs ${backend}, ${TF_BATCHES[backend]} batches`);
      tf.set(backend, await runTfMlp(backend, f.XTrain, f.yTrain, { hidden: HIDDEN, classes: 10, batchSize: BATCH, learningRate: LEARNING_RATE, alpha: ALPHA, batches: TF_BATCHES[backend] }));
    }
    for (const listener of warnings) process.on('warning', listener);

    // ---- tables -----------------------------------------------------------------------------------
    const table = new Table(`784-${HIDDEN}-10, batch ${BATCH}, Adam lr ${LEARNING_RATE}, alpha ${ALPHA}, ${EPOCHS} epochs: seconds per epoch and test accuracy`, [
      { key: 'impl', title: 'contender', align: 'left' },
      { key: 'epoch', title: 's / epoch' },
      { key: 'spread', title: 'min..max s / epoch' },
      { key: 'acc', title: 'test accuracy (median)' },
      { key: 'vs', title: 'time vs scikit-learn float64' },
    ]);
    const skRef = sk64 === undefined ? NaN : skEpochS(sk64);
    for (const o of ours)
      table.add({
        impl: o.impl,
        epoch: fmt(o.timing.medianMs / 1000 / o.epochs),
        spread: fmtSpread({ minMs: o.timing.minMs / o.epochs, maxMs: o.timing.maxMs / o.epochs }, 1000),
        acc: median(o.accuracies).toFixed(4),
        vs: fmtRatio(o.timing.medianMs / 1000 / o.epochs / skRef),
      });
    for (const r of [sk64, sk32])
      if (r !== undefined)
        table.add({
          impl: `scikit-learn, X ${r.key} (trains in ${r.train_dtype}), ${threads} BLAS threads`,
          epoch: fmt(skEpochS(r)),
          spread: `${fmt(Math.min(...r.samples_ms) / 1000 / r.n_iter)}..${fmt(Math.max(...r.samples_ms) / 1000 / r.n_iter)}`,
          acc: median(r.accuracies).toFixed(4),
          vs: fmtRatio(skEpochS(r) / skRef),
        });
    const peers: PeerInfo[] = [peerSk];
    for (const [backend, r] of tf) {
      if (typeof r === 'string') {
        peers.push({ name: `@tensorflow/tfjs ${backend}`, version: 'skipped', threads: '-', note: r });
        continue;
      }
      peers.push({ name: `@tensorflow/tfjs ${backend}`, version: r.version, threads: 1, note: r.note });
      const epoch = (r.msPerBatch * batchesPerEpoch) / 1000;
      table.add({ impl: `tfjs ${backend} (${r.batches} batches timed, extrapolated)`, epoch: fmt(epoch), spread: '', acc: 'not trained to the end', vs: fmtRatio(epoch / skRef) });
    }
    peers.push({ name: '@tensorflow/tfjs-node', version: 'not installed', threads: '-', note: 'cannot install here: its install script downloads a TensorFlow binary' });

    const inference = new Table(`Inference: predictProba on the ${f.XTest.rows} test rows`, [
      { key: 'impl', title: 'contender', align: 'left' },
      { key: 'ms', title: 'median ms' },
      { key: 'gap', title: 'longest event-loop stall ms' },
    ]);
    inference.add({ impl: `threadml float32 model, float32 X, ${threads} threads`, ms: fmt(predictMs), gap: fmt(gap.gapMs) });
    inference.add({ impl: `threadml float32 model, float64 X (converted per block), ${threads} threads`, ms: fmt(median(predict64Us) / 1000), gap: '' });
    if (typeof onnxResult !== 'string')
      inference.add({ impl: `onnxruntime-node ${onnxResult.version}, float32, ${threads} intra-op threads`, ms: fmt(onnxResult.ms), gap: fmt(onnxResult.gapMs) });
    if (sk64 !== undefined) inference.add({ impl: 'scikit-learn predict_proba, float64', ms: fmt(median(sk64.predict_ms)), gap: 'blocks its interpreter' });
    peers.push(
      typeof onnxResult === 'string'
        ? { name: 'onnxruntime-node', version: 'skipped', threads: '-', note: onnxResult }
        : { name: 'onnxruntime-node', version: onnxResult.version, threads, note: `inference only, on the trained network exported to ONNX (Gemm, Relu, Gemm, Softmax); largest probability difference to threadml ${onnxResult.maxDiff.toExponential(1)}` },
    );

    // ---- targets ------------------------------------------------------------------------------------
    const ourAcc = median(headline.accuracies);
    const targets: TargetCheck[] = [];
    if (sk64 !== undefined) {
      const theirAcc = median(sk64.accuracies);
      targets.push(
        { target: 'test accuracy >= scikit-learn - 0.5 points', measured: `${(100 * ourAcc).toFixed(2)}% vs ${(100 * theirAcc).toFixed(2)}%`, met: ourAcc >= theirAcc - 0.005 },
        { target: 'time per epoch <= 0.5x scikit-learn (X float64, as users feed it)', measured: `${fmt(ourEpochS)} s vs ${fmt(skRef)} s = ${fmtRatio(ourEpochS / skRef)}`, met: ourEpochS <= 0.5 * skRef },
      );
    }
    for (const [backend, r] of tf)
      if (typeof r !== 'string') {
        const epoch = (r.msPerBatch * batchesPerEpoch) / 1000;
        targets.push({ target: `faster per epoch than tfjs ${backend}`, measured: `${fmt(ourEpochS)} s vs ${fmt(epoch)} s (${fmtRatio(epoch / ourEpochS)} faster)`, met: ourEpochS < epoch });
      }
    targets.push({ target: `inference on ${f.XTest.rows} test rows <= 40 ms (onnxruntime-node's time in issue 7)`, measured: `${fmt(predictMs)} ms`, met: predictMs <= 40 });
    if (typeof onnxResult !== 'string')
      targets.push({ target: 'inference as fast as onnxruntime-node in the same run (same rows, same threads)', measured: `${fmt(predictMs)} ms vs ${fmt(onnxResult.ms)} ms`, met: predictMs <= onnxResult.ms });
    targets.push(
      { target: 'event loop never stalls >= 20 ms during inference', measured: `${fmt(gap.gapMs)} ms`, met: gap.gapMs < 20 },
    );

    notes.push(
      `Data: Fashion-MNIST from Debian's dataset-fashion-mnist read by loadFashionMnist (pixels / 255, float32), ${f.XTrain.rows} training and ${f.XTest.rows} test rows; an epoch is ${batchesPerEpoch} batches.`,
      `threadml: ${repeats} fits of ${EPOCHS} epochs per contender (randomState = repeat index), run round-robin; s / epoch is the median fit time over the epochs run (it includes the input check and the first epoch's warm-up). Its float32 default trains in float32 from float32 X; float64 X is converted one batch at a time.`,
      `scikit-learn ${sk?.sklearn ?? ''}: MLPClassifier(hidden_layer_sizes=(${HIDDEN},), solver='adam', learning_rate_init=${LEARNING_RATE}, alpha=${ALPHA}, batch_size=${BATCH}, max_iter=${EPOCHS}, random_state=repeat index) in a child process under threadpool_limits(${threads}), timed with time.perf_counter; scikit-learn trains in the dtype of X (reported as 'trains in'). The headline feeds it float64 X, which is what X / 255.0 of the uint8 pixels (or fetch_openml) gives a user; the float32 row shows its speed when fed float32.`,
      `TensorFlow.js: the same network (glorotUniform, relu, softmax, Adam, categorical cross-entropy, L2 alpha / (2 x batch) as scikit-learn's penalty) trained with model.fit on a fixed number of batches (see the table) after one warm-up batch; s / epoch is the time per batch x ${batchesPerEpoch}. Their accuracy is not measured (ten epochs take minutes to tens of minutes).`,
      'Inference: the median of 20 awaited calls (threadml predictProba; onnxruntime-node session.run on the network exported to ONNX by bench/peers/onnx_mlp.ts, float32, intraOpNumThreads = threadml\'s threads); the event-loop stall is the longest gap between ticks of a 1 ms interval while one call runs.',
    );
    return {
      peers,
      tables: [table, inference],
      targets,
      notes,
      data: { threads, ours, predictUs, predict64Us, gap, sklearn: sk?.results, tfjs: Object.fromEntries(tf), batchesPerEpoch },
    };
  },
};
