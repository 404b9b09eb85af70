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

/** The columns printed per benchmark (Table 4 for MAGQA; Table 3's columns for YouCook2). */
const TABLE_COLUMNS: Record<string, Array<[string, string]>> = {
  magqa: [['in_span_score', 'in-span'], ['turns', 'turns'], ['turns_dedup', 'turns (dedup)']],
  youcook2: [['SODA_c', 'SODA_c'], ['CIDEr', 'CIDEr'], ['F1', 'F1']],
};
const TIME_COLUMNS: Array<[string, string]> = [['time_per_example_seconds', 's/example'], ['time_per_example_relative', 'relative time']];

function cell(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3);
  return v === null || v === undefined ? '—' : String(v);
}

/** A plain-text table of a response sweep: one line per value, then the sweep's notes. */
export function formatSweepTable(sweep: SweepFile): string {
  const columns = [...(TABLE_COLUMNS[sweep.benchmark] ?? []), ...TIME_COLUMNS.filter(([k]) => sweep.rows.some((r) => k in r.metrics))];
  const header = [sweep.param, ...columns.map(([, label]) => label), 'responses', 'Q3 items'];
  const lines = sweep.rows.map((r) => [cell(r.value), ...columns.map(([k]) => cell(r.metrics[k])), cell(r.counts.responses), cell(r.counts.q3_affected_items)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [fmt(header), ...lines.map(fmt), '', `model calls: ${sweep.model_calls.scoring_passes} scoring passes, ${sweep.model_calls.generations} responses generated`, ...sweep.notes.map((n) => `note: ${n}`)].join('\n');
}
