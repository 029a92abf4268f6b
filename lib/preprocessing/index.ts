// Preprocessing: scalers, normalizer, imputer, encoders and the train/test split.
export { NotFittedError } from './base';
export type { EstimatorJSON } from './base';
export { StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler } from './scalers';
export type { StandardScalerOptions, MinMaxScalerOptions, RobustScalerOptions } from './scalers';
export { Normalizer } from './normalizer';
export type { NormalizerOptions, NormalizerNorm } from './normalizer';
export { SimpleImputer } from './imputer';
export type { SimpleImputerOptions, ImputeStrategy } from './imputer';
export { OneHotEncoder, LabelEncoder } from './encoders';
export type { OneHotEncoderOptions, CategoricalInput } from './encoders';
export type { Labels, NumericArray } from './labels';
export { trainTestSplit } from './split';
export type { TrainTestSplitOptions, TrainTestSplit } from './split';
