// The JS CSV parsers the io suite measures: csv-parse (sync API, cast: true) and papaparse
// (dynamicTyping: true), both turning numeric fields into numbers, both on the main thread.
import fs from 'node:fs';
import path from 'node:path';
import { parse as csvParse } from 'csv-parse/sync';
import Papa from 'papaparse';
import { packageRoot } from '../../lib/native';

export type JsCsvPeer = 'csv-parse' | 'papaparse';

/** Parses numeric CSV text (with a header line) into rows of numbers. */
export const jsCsvParsers: Record<JsCsvPeer, (text: string) => number[][]> = {
  'csv-parse': (text) => csvParse(text, { cast: true, fromLine: 2 }) as unknown as number[][],
  papaparse: (text) => Papa.parse<number[]>(text, { dynamicTyping: true, skipEmptyLines: true }).data.slice(1),
};

export function jsCsvVersion(peer: JsCsvPeer): string {
  return JSON.parse(fs.readFileSync(path.join(packageRoot, 'node_modules', peer, 'package.json'), 'utf8')).version;
}
