/** Writing and reading sweep outputs: `sweep.json`, `sweep.csv` and the PNG plots, all written atomically. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { readJson, writeFileAtomic } from '../io/files.js';
import { plotSweep } from './plot.js';
import { SWEEP_FORMAT, type SweepFile } from './types.js';

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One line per value: value, seconds, every metric (full precision), every count. */
export function sweepCsv(sweep: SweepFile): string {
  const metricKeys = [...new Set(sweep.rows.flatMap((r) => Object.keys(r.metrics)))];
  const countKeys = [...new Set(sweep.rows.flatMap((r) => Object.keys(r.counts)))];
  const header = [sweep.param, 'seconds', ...metricKeys, ...countKeys.map((k) => `count:${k}`)];
  const lines = sweep.rows.map((r) => [r.value, r.seconds, ...metricKeys.map((k) => r.metrics[k]), ...countKeys.map((k) => r.counts[k])].map(csvCell).join(','));
  return [header.map(csvCell).join(','), ...lines].join('\n') + '\n';
}

export interface WrittenSweep {
  json: string;
  csv: string;
  plots: string[];
}

export async function writeSweep(outDir: string, sweep: SweepFile): Promise<WrittenSweep> {
  mkdirSync(outDir, { recursive: true });
  const json = join(outDir, 'sweep.json');
  const csv = join(outDir, 'sweep.csv');
  writeFileAtomic(json, JSON.stringify(sweep, null, 2) + '\n');
  writeFileAtomic(csv, sweepCsv(sweep));
  return { json, csv, plots: await plotSweep(sweep, outDir) };
}

export function readSweep(file: string): SweepFile {
  const v = readJson(file) as Partial<SweepFile> | null;
  if (v?.format !== SWEEP_FORMAT) throw InputError.at(file, '$.format', JSON.stringify(SWEEP_FORMAT), JSON.stringify(v?.format));
  if (!Array.isArray(v.rows) || v.rows.length === 0) throw InputError.at(file, '$.rows', 'at least one sweep row', JSON.stringify(v.rows));
  return v as SweepFile;
}
