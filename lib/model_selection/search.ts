// GridSearchCV: every parameter combination scored by cross-validation, all (candidate, fold) fits
// sharing one limited pool (nJobs at once, getThreads() / nJobs native threads each); then the best
// candidate is refitted on all rows.
import { typeError } from '../errors';
import type { JobOptions } from '../job';
import type { MatrixInput } from '../tensor';
import { fitAndScore, resolveCrossVal, runLimited, type CrossValOptions, type Estimator, type Labels } from './validation';

export type ParamGrid = Readonly<Record<string, readonly unknown[]>>;

export interface GridSearchOptions extends Omit<CrossValOptions, 'signal' | 'onProgress'> {
  /** Refit the best candidate on all rows (bestEstimator, predict, score). Default true. */
  refit?: boolean;
}

export interface CvResults<P> {
  params: P[];
  /** splitTestScores[candidate][fold]. */
  splitTestScores: Float64Array[];
  meanTestScore: Float64Array;
  stdTestScore: Float64Array;
  /** 1 for the best mean score; ties share a rank. */
  rankTestScore: Int32Array;
}

/** Every combination of a grid's values (keys in the grid's order), or of each grid of a list in turn. */
export function parameterGrid<P extends Record<string, unknown>>(grid: ParamGrid | readonly ParamGrid[]): P[] {
  const grids = Array.isArray(grid) ? (grid as readonly ParamGrid[]) : [grid as ParamGrid];
  const out: P[] = [];
  grids.forEach((g, i) => {
    if (g === null || typeof g !== 'object') throw typeError('an object of value lists', `paramGrid[${i}]`, g);
    let combos: Record<string, unknown>[] = [{}];
    for (const [key, values] of Object.entries(g)) {
      if (!Array.isArray(values) || values.length === 0) throw typeError('a non-empty array', `paramGrid.${key}`, values);
      combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
    }
    out.push(...(combos as P[]));
  });
  return out;
}

export class GridSearchCV<P extends Record<string, unknown> = Record<string, unknown>> {
  readonly candidates: P[];
  private readonly make: (params: P) => Estimator;
  private readonly options: GridSearchOptions;
  private result?: { cvResults: CvResults<P>; bestIndex: number; bestEstimator?: Estimator };

  /** `make(params)` builds a fresh estimator for one candidate, e.g. `(p) => new RandomForestClassifier(p)`. */
  constructor(make: (params: P) => Estimator, paramGrid: ParamGrid | readonly ParamGrid[], options: GridSearchOptions = {}) {
    if (typeof make !== 'function') throw typeError('a function returning a new estimator', 'make', make);
    if (options === null || typeof options !== 'object') throw typeError('an options object', 'options', options);
    this.make = make;
    this.candidates = parameterGrid<P>(paramGrid);
    this.options = options;
  }

  async fit(X: MatrixInput, y: Labels, options: Pick<JobOptions, 'signal' | 'onProgress'> = {}): Promise<this> {
    const r = resolveCrossVal(this.make(this.candidates[0]), X, y, { ...this.options, ...options });
    const nFolds = r.splits.length;
    const flat = await runLimited(this.candidates.length * nFolds, r.nJobs, r.signal, r.onProgress, (i, jobOptions) =>
      fitAndScore(() => this.make(this.candidates[Math.floor(i / nFolds)]), r, r.splits[i % nFolds], jobOptions),
    );
    const splitTestScores = this.candidates.map((_, c) => Float64Array.from(flat.slice(c * nFolds, (c + 1) * nFolds)));
    const meanTestScore = Float64Array.from(splitTestScores, (s) => s.reduce((a, b) => a + b, 0) / nFolds);
    const stdTestScore = Float64Array.from(splitTestScores, (s, c) => Math.sqrt(s.reduce((a, b) => a + (b - meanTestScore[c]) ** 2, 0) / nFolds));
    const rankTestScore = Int32Array.from(meanTestScore, (m) => 1 + meanTestScore.filter((other) => other > m).length);
    const bestIndex = rankTestScore.indexOf(1);
    let bestEstimator: Estimator | undefined;
    if (this.options.refit ?? true) {
      bestEstimator = this.make(this.candidates[bestIndex]);
      await bestEstimator.fit(r.X, r.y as never, { signal: r.signal });
    }
    this.result = { cvResults: { params: this.candidates, splitTestScores, meanTestScore, stdTestScore, rankTestScore }, bestIndex, bestEstimator };
    return this;
  }

  private get fitted(): NonNullable<GridSearchCV<P>['result']> {
    if (this.result === undefined) throw new Error('This GridSearchCV instance is not fitted yet: call fit first');
    return this.result;
  }

  get cvResults(): CvResults<P> {
    return this.fitted.cvResults;
  }
  get bestIndex(): number {
    return this.fitted.bestIndex;
  }
  get bestParams(): P {
    return this.candidates[this.fitted.bestIndex];
  }
  get bestScore(): number {
    return this.fitted.cvResults.meanTestScore[this.fitted.bestIndex];
  }
  /** The best candidate refitted on all rows (undefined with refit: false). */
  get bestEstimator(): Estimator | undefined {
    return this.fitted.bestEstimator;
  }
}
