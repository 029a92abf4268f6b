export { sum, mean, variance, std, min, max, argmin, argmax, norm, dot } from './ops/reduce';
export type { ReduceInput, ReduceOptions, AxisOption, VarianceOptions, NormOptions, Reducer, ArgReducer } from './ops/reduce';
export { gemm, matmul, gemmBatched, matmulBatched, gemv, axpy, transpose, matrixBatch } from './ops/linalg';
export type { GemmOptions, GemmBatchedOptions, GemvOptions, MatrixBatch, BatchInput, MatrixResult, BatchResult } from './ops/linalg';
export { LogisticRegression, ConvergenceWarning } from './linear_model/logistic';
export type {
  LogisticRegressionOptions, LogisticRegressionJSON, LogisticFitOptions, LogisticScoreOptions, LogisticObjective, LogisticPredictions,
  LogisticPenalty, LogisticSolver, LogisticMultiClass, LogisticClassWeight, Label, LabelInput,
} from './linear_model/logistic';
export { DecisionTreeClassifier, DecisionTreeRegressor } from './tree/decision_tree';
export type { DecisionTreeClassifierOptions, DecisionTreeRegressorOptions } from './tree/decision_tree';
export type {
  TreeOptions, FitOptions as TreeFitOptions, ScoreOptions as TreeScoreOptions, TreeStructure, TreeModelJSON, ClassWeight, MaxFeatures,
  ClassificationCriterion, RegressionCriterion,
} from './tree/base';
export { RandomForestClassifier, RandomForestRegressor } from './ensemble/random_forest';
export type { ForestOptions, RandomForestClassifierOptions, RandomForestRegressorOptions } from './ensemble/random_forest';
export { HistGradientBoostingClassifier, HistGradientBoostingRegressor } from './ensemble/hist_gradient_boosting';
export type {
  BoostFitOptions,
  BoostPredictOptions,
  HistGradientBoostingClassifierOptions,
  HistGradientBoostingOptions,
  HistGradientBoostingRegressorOptions,
} from './ensemble/hist_gradient_boosting';
export * from './neural_network/index';
export { setThreads, getThreads, info, jobStats } from './threads';
export type { Info, JobStats } from './threads';
export { matrix } from './tensor';
export type { FloatArray, Matrix, MatrixLike, MatrixInput, VectorInput } from './tensor';
export { AbortError } from './errors';
export type { JobOptions } from './job';
export { readCsv, loadIdx, loadFashionMnist } from './io/index';
export type { CsvOptions, CsvResult, IdxOptions, IdxResult, IdxArray, FashionMnist } from './io/index';
export {
  StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler, Normalizer, SimpleImputer, OneHotEncoder, LabelEncoder, trainTestSplit,
  NotFittedError,
} from './preprocessing/index';
export type {
  EstimatorJSON, StandardScalerOptions, MinMaxScalerOptions, RobustScalerOptions, NormalizerOptions, NormalizerNorm, SimpleImputerOptions,
  ImputeStrategy, OneHotEncoderOptions, CategoricalInput, Labels, NumericArray, TrainTestSplitOptions, TrainTestSplit,
} from './preprocessing/index';
export { parallel, ParallelError, Memory, hashArray } from './parallel/index';
export type { Backend, ParallelOptions, TaskSpec, MemoryOptions, CachedFunction } from './parallel/index';
export { KFold, StratifiedKFold, crossValScore, GridSearchCV, parameterGrid } from './model_selection/index';
export type {
  Split, KFoldOptions, CrossValidator, CrossValOptions, Estimator, Scorer, CrossValLabels, GridSearchOptions, ParamGrid, CvResults,
} from './model_selection/index';
