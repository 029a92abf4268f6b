export { KFold, StratifiedKFold } from './split';
export type { Split, KFoldOptions, CrossValidator } from './split';
export { crossValScore } from './validation';
export type { CrossValOptions, Estimator, Scorer, Labels as CrossValLabels } from './validation';
export { GridSearchCV, parameterGrid } from './search';
export type { GridSearchOptions, ParamGrid, CvResults } from './search';
