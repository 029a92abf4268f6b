export { sum, mean, variance, std, min, max, argmin, argmax, norm, dot } from './ops/reduce';
export type { ReduceInput, ReduceOptions, AxisOption, VarianceOptions, NormOptions } from './ops/reduce';
export { setThreads, getThreads, info, jobStats } from './threads';
export type { Info, JobStats } from './threads';
export { matrix } from './tensor';
export type { FloatArray, Matrix, MatrixLike, MatrixInput, VectorInput } from './tensor';
export { AbortError } from './errors';
export type { JobOptions } from './job';
