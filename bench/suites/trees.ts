// trees: DecisionTreeClassifier and RandomForestClassifier (100 trees, sqrt features) on Fashion-MNIST:
// fit and predict time and test accuracy against scikit-learn (same threads, same data, same run), and
// against ml-cart / ml-random-forest on a subset (plain JS: the full set would take hours).
import { DecisionTreeClassifier, getThreads, loadFashionMnist, RandomForestClassifier, type FashionMnist } from '../../lib/index';
import type { Matrix } from '../../lib/tensor';
import { fmt, fmtRatio, median, Table, timeOnce, type PeerInfo, type Suite, type SuiteOptions, type SuiteResult, type TargetCheck } from '../harness';
import { mlPackageVersion, runMlTrees, type MlTreeResult } from '../peers/ml_trees';
import { pythonModuleVersion } from '../peers/python';
import { runSklearnTrees, type SklearnTreeCase, type SklearnTreeRun } from '../peers/sklearn_trees';

interface Split {
  X: Matrix;
  y: Int32Array;
}

type Model = 'tree' | 'forest';

interface Measured {
  model: Model;
  impl: string;
  threads: number | string;
  rows: number;
  fitMs: number[];
  predictMs: number[];
  accuracy: number;
  nodes: number;
  depth: number;
}

const SEED = 0;

function firstRows(s: Split, rows: number): Split {
  return { X: { data: s.X.data.subarray(0, rows * s.X.cols), rows, cols: s.X.cols }, y: s.y.subarray(0, rows) };
}

function accuracyOf(predicted: Float64Array, y: Int32Array): number {
  let right = 0;
  for (let i = 0; i < y.length; i++) if (predicted[i] === y[i]) right++;
  return right / y.length;
}

const mean = (a: ArrayLike<number>): number => Array.from(a).reduce((s, v) => s + v, 0) / a.length;

/** Fits `make()` `repeats` times on train, predicts test each time. */
async function measureThreadml(
  model: Model,
  impl: string,
  make: () => DecisionTreeClassifier<number> | RandomForestClassifier<number>,
  train: Split,
  test: Split,
  repeats: number,
  threads: number,
): Promise<Measured> {
  const fitMs: number[] = [];
  const predictMs: number[] = [];
  let accuracy = 0;
  let nodes = 0;
  let depth = 0;
  for (let r = 0; r < repeats; r++) {
    const estimator = make();
    fitMs.push(await timeOnce(() => estimator.fit(train.X, train.y, { threads })));
    let predicted: Float64Array = new Float64Array(0);
    predictMs.push(await timeOnce(async () => (predicted = await estimator.predict(test.X, { threads }))));
    accuracy = accuracyOf(predicted, test.y);
    if (estimator instanceof DecisionTreeClassifier) {
      nodes = estimator.tree.nodeCount;
      depth = estimator.getDepth();
    } else {
      nodes = mean(estimator.treeSizes.nodeCounts);
      depth = mean(estimator.treeSizes.depths);
    }
  }
  return { model, impl, threads, rows: train.X.rows, fitMs, predictMs, accuracy, nodes, depth };
}

export const treesSuite: Suite = {
  name: 'trees',
  title: 'DecisionTree and RandomForest(100 trees, sqrt features) on Fashion-MNIST',
  async run({ quick, python, log }: SuiteOptions): Promise<SuiteResult> {
    const threads = getThreads();
    const notes: string[] = [];
    const peers: PeerInfo[] = [];
    let data: FashionMnist;
    try {
      data = await loadFashionMnist();
    } catch (error) {
      log(`skipped: Fashion-MNIST (${(error as Error).message})`);
      notes.push('Fashion-MNIST not found (Debian package dataset-fashion-mnist): the suite was skipped.');
      return { peers, tables: [], targets: [], notes, data: null };
    }
    const trainRows = quick ? 5000 : data.XTrain.rows;
    const nTrees = quick ? 10 : 100;
    const jsRows = quick ? 200 : 1000;
    const repeats = quick ? 1 : 3;
    const train = firstRows({ X: data.XTrain, y: data.yTrain }, trainRows);
    const test: Split = { X: data.XTest, y: data.yTest };
    const forestOptions = { nEstimators: nTrees, maxFeatures: 'sqrt' as const, randomState: SEED };
    const results: Measured[] = [];

    log(`trees: threadml DecisionTree and RandomForest(${nTrees}) on ${trainRows} rows`);
    results.push(await measureThreadml('tree', 'threadml', () => new DecisionTreeClassifier<number>({ randomState: SEED }), train, test, repeats, threads));
    results.push(await measureThreadml('tree', 'threadml exact', () => new DecisionTreeClassifier<number>({ randomState: SEED, maxBins: null }), train, test, 1, threads));
    results.push(await measureThreadml('forest', 'threadml', () => new RandomForestClassifier<number>(forestOptions), train, test, repeats, threads));
    results.push(await measureThreadml('forest', 'threadml exact', () => new RandomForestClassifier<number>({ ...forestOptions, maxBins: null }), train, test, 1, threads));
    results.push(await measureThreadml('forest', 'threadml', () => new RandomForestClassifier<number>(forestOptions), train, test, 1, 1));
    peers.push({ name: 'threadml', version: 'this build', threads: `${threads} (and 1)`, note: 'maxBins 255 (default) and null (exact)' });

    const sklearnVersion = python ? pythonModuleVersion('sklearn', log) : undefined;
    if (!python) log('skipped: scikit-learn (--no-python)');
    let sklearn: SklearnTreeRun | undefined;
    if (sklearnVersion !== undefined) {
      log('trees: scikit-learn');
      const cases: SklearnTreeCase[] = [
        { key: 'tree', model: 'tree', params: { random_state: SEED }, repeats: 1 },
        { key: 'forest', model: 'forest', params: { n_estimators: nTrees, max_features: 'sqrt', random_state: SEED }, repeats: 1 },
      ];
      sklearn = runSklearnTrees(train, test, cases, threads);
      for (const r of sklearn.results)
        results.push({
          model: r.key as Model,
          impl: 'scikit-learn',
          threads: r.key === 'tree' ? 1 : threads,
          rows: trainRows,
          fitMs: r.fit_ms,
          predictMs: r.predict_ms,
          accuracy: r.accuracy,
          nodes: r.sizes.nodes,
          depth: r.sizes.depth,
        });
      peers.push({ name: 'scikit-learn', version: sklearn.sklearn, threads, note: `DecisionTree is single-threaded in scikit-learn; forest n_jobs=${threads}; NumPy ${sklearn.numpy}` });
    } else notes.push('scikit-learn not available: its rows and the targets against it were skipped.');

    // JS peers on a subset, against threadml on the same subset.
    const small = firstRows(train, jsRows);
    const mlForest = { nEstimators: nTrees, maxFeatures: Math.floor(Math.sqrt(train.X.cols)), seed: SEED };
    const js: { model: Model; impl: string; result: MlTreeResult }[] = [];
    for (const model of ['tree', 'forest'] as const) {
      log(`trees: ${model === 'tree' ? 'ml-cart' : 'ml-random-forest'} on ${jsRows} rows`);
      js.push({ model, impl: model === 'tree' ? 'ml-cart' : 'ml-random-forest', result: runMlTrees(model, small, test, jsRows, mlForest) });
    }
    const smallOurs = [
      await measureThreadml('tree', 'threadml', () => new DecisionTreeClassifier<number>({ randomState: SEED }), small, test, repeats, threads),
      await measureThreadml('forest', 'threadml', () => new RandomForestClassifier<number>(forestOptions), small, test, repeats, threads),
    ];
    peers.push({ name: 'ml-cart', version: mlPackageVersion('ml-cart'), threads: 1, note: `plain JS; ${jsRows} training rows` });
    peers.push({
      name: 'ml-random-forest',
      version: mlPackageVersion('ml-random-forest'),
      threads: 1,
      note: `plain JS; ${jsRows} training rows; ${mlForest.maxFeatures} features per tree (its feature bagging is per tree)`,
    });

    // ---- tables ---------------------------------------------------------------------------
    const label: Record<Model, string> = { tree: 'DecisionTree', forest: `RandomForest(${nTrees})` };
    const fitOf = (model: Model, impl: string, t: number | string = threads) =>
      results.find((r) => r.model === model && r.impl === impl && r.threads === t);
    const main = new Table(`Fashion-MNIST: ${trainRows} training rows, ${test.X.rows} test rows, 784 features, 10 classes`, [
      { key: 'model', title: 'model' },
      { key: 'impl', title: 'implementation', align: 'left' },
      { key: 'threads', title: 'threads' },
      { key: 'fit', title: 'fit s' },
      { key: 'predict', title: 'predict s' },
      { key: 'accuracy', title: 'test accuracy' },
      { key: 'nodes', title: 'nodes / tree' },
      { key: 'depth', title: 'depth' },
      { key: 'vsSklearn', title: 'fit vs scikit-learn' },
    ]);
    for (const r of results) {
      const peer = fitOf(r.model, 'scikit-learn', r.model === 'tree' ? 1 : threads);
      main.add({
        model: label[r.model],
        impl: r.impl,
        threads: String(r.threads),
        fit: fmt(median(r.fitMs) / 1000),
        predict: fmt(median(r.predictMs) / 1000),
        accuracy: r.accuracy.toFixed(4),
        nodes: fmt(r.nodes, 4),
        depth: fmt(r.depth),
        vsSklearn: peer === undefined ? '-' : fmtRatio(median(peer.fitMs) / median(r.fitMs)),
      });
    }
    const jsTable = new Table(`JS peers: the first ${jsRows} training rows, the full test set`, [
      { key: 'model', title: 'model' },
      { key: 'impl', title: 'implementation', align: 'left' },
      { key: 'fit', title: 'fit s' },
      { key: 'predict', title: 'predict s' },
      { key: 'accuracy', title: 'test accuracy' },
      { key: 'speedup', title: 'threadml fit speed-up' },
    ]);
    for (const model of ['tree', 'forest'] as const) {
      const ours = smallOurs.find((r) => r.model === model) as Measured;
      const theirs = js.find((r) => r.model === model) as (typeof js)[number];
      jsTable.add({ model: label[model], impl: 'threadml', fit: fmt(median(ours.fitMs) / 1000), predict: fmt(median(ours.predictMs) / 1000), accuracy: ours.accuracy.toFixed(4), speedup: '' });
      jsTable.add({
        model: label[model],
        impl: theirs.impl,
        fit: fmt(theirs.result.fitMs / 1000),
        predict: fmt(theirs.result.predictMs / 1000),
        accuracy: theirs.result.accuracy.toFixed(4),
        speedup: fmtRatio(theirs.result.fitMs / median(ours.fitMs)),
      });
    }

    // ---- targets --------------------------------------------------------------------------
    const targets: TargetCheck[] = [];
    const ourForest = fitOf('forest', 'threadml') as Measured;
    const ourTree = fitOf('tree', 'threadml') as Measured;
    const skForest = fitOf('forest', 'scikit-learn');
    const skTree = fitOf('tree', 'scikit-learn', 1);
    if (skForest !== undefined && skTree !== undefined) {
      const diff = 100 * (ourForest.accuracy - skForest.accuracy);
      targets.push({
        target: `RandomForest(${nTrees}) accuracy >= scikit-learn's - 0.5 points`,
        measured: `${(100 * ourForest.accuracy).toFixed(2)}% vs ${(100 * skForest.accuracy).toFixed(2)}% (${diff >= 0 ? '+' : ''}${diff.toFixed(2)} points)`,
        met: diff >= -0.5,
      });
      const forestRatio = median(skForest.fitMs) / median(ourForest.fitMs);
      targets.push({
        target: `RandomForest(${nTrees}) fit time <= scikit-learn's (${threads} threads each)`,
        measured: `${fmt(median(ourForest.fitMs) / 1000)} s vs ${fmt(median(skForest.fitMs) / 1000)} s (${fmtRatio(forestRatio)} faster)`,
        met: forestRatio >= 1,
      });
      const treeRatio = median(skTree.fitMs) / median(ourTree.fitMs);
      targets.push({
        target: 'DecisionTree fit >= 3x faster than scikit-learn',
        measured: `${fmt(median(ourTree.fitMs) / 1000)} s vs ${fmt(median(skTree.fitMs) / 1000)} s (${fmtRatio(treeRatio)}); accuracy ${ourTree.accuracy.toFixed(4)} vs ${skTree.accuracy.toFixed(4)}`,
        met: treeRatio >= 3,
      });
    }
    const jsForest = js.find((r) => r.model === 'forest') as (typeof js)[number];
    const ourSmallForest = smallOurs.find((r) => r.model === 'forest') as Measured;
    const jsRatio = jsForest.result.fitMs / median(ourSmallForest.fitMs);
    targets.push({
      target: '>= 10x faster than ml-random-forest at equal or better accuracy',
      measured: `${fmtRatio(jsRatio)} on ${jsRows} rows; accuracy ${ourSmallForest.accuracy.toFixed(4)} vs ${jsForest.result.accuracy.toFixed(4)}`,
      met: jsRatio >= 10 && ourSmallForest.accuracy >= jsForest.result.accuracy,
    });

    notes.push(
      `threadml rows: median of ${repeats} fits (exact and 1-thread rows: 1 fit); scikit-learn: 1 fit each (each takes tens of seconds); JS peers: 1 fit each.`,
      'Every model is seeded (randomState / random_state / seed 0); accuracy is on the 10,000 test images. Images are float32 pixels in [0, 1].',
      'threadml "exact" is maxBins: null (a bin per distinct value, like scikit-learn); the default maxBins 255 merges one pair of the 256 pixel levels.',
      `ml-cart and ml-random-forest train on number[][] on the main thread; on all ${data.XTrain.rows} rows they would take hours, so both sides of that table use the first ${jsRows} rows.`,
    );
    return {
      peers,
      tables: [main, jsTable],
      targets,
      notes,
      data: { trainRows, nTrees, jsRows, results, sklearn: sklearn ?? null, js, smallOurs },
    };
  },
};
