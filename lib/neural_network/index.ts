export { MLPClassifier } from './classifier';
export type { MLPClassifierJSON, MLPPartialFitOptions, MLPClassifierPredictions } from './classifier';
export { MLPRegressor } from './regressor';
export type { MLPRegressorJSON } from './regressor';
export type { MLPOptions, MLPActivation, MLPSolver, MLPLearningRate, MLPOutActivation } from './base';
