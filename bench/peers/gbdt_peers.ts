// Typed front of gbdt_peers.py: XGBoost hist and scikit-learn HistGradientBoostingClassifier on the
// bench's data (same threads, same rounds and leaves), timed inside Python; also scores threadml's AUC.
import type { Matrix } from '../../lib/tensor';
import { runPythonPeer, TempArrays } from './python';

export type GbdtPeer = 'xgboost' | 'sklearn';

export interface GbdtPeerResult {
  peer: GbdtPeer;
  version: string;
  fit_ms: number;
  accuracy: number;
  auc: number | null;
}

export interface GbdtPeerRun {
  python: string;
  numpy: string;
  results: GbdtPeerResult[];
  /** roc_auc_score of threadml's test scores (binary problems). */
  ours_auc: number | null;
}

export interface GbdtSettings {
  classes: number;
  rounds: number;
  leaves: number;
  learningRate: number;
}

/** Writes the data once, then fits every peer in one Python process. */
export function runGbdtPeers(
  train: { X: Matrix; y: Int32Array },
  test: { X: Matrix; y: Int32Array },
  settings: GbdtSettings,
  peers: readonly GbdtPeer[],
  ourScores: Float64Array | null,
  threads: number,
): GbdtPeerRun {
  const files = new TempArrays();
  try {
    const spec = {
      threads,
      ...files.writeSplits(train, test),
      classes: settings.classes,
      rounds: settings.rounds,
      leaves: settings.leaves,
      learning_rate: settings.learningRate,
      peers,
      ours: ourScores === null ? null : files.write(ourScores),
    };
    return runPythonPeer<GbdtPeerRun>('gbdt_peers.py', spec, threads);
  } finally {
    files.dispose();
  }
}
