// Data loading: numeric CSV and IDX files into typed matrices (also importable as 'threadml/io').
export { readCsv } from './csv';
export type { CsvDType, CsvOptions, CsvResult } from './csv';
export { loadIdx, loadFashionMnist, fashionMnistDir } from './idx';
export type { FashionMnist, IdxArray, IdxDType, IdxFileType, IdxOptions, IdxResult } from './idx';
export type { Source } from './source';
