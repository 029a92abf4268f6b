export { parallel, ParallelError } from './parallel';
export type { Backend, ParallelOptions, TaskSpec } from './parallel';
export { Memory, hashArray } from './memory';
export type { MemoryOptions, CachedFunction } from './memory';
