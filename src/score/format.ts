/** Plain-text rendering of score results for the terminal. Numbers are stored unrounded; only display rounds. */
import type { MetricValue, ScoreResult } from '../benchmarks/types.js';

export function formatMetric(v: MetricValue | undefined): string {
  if (v === null || v === undefined) return 'n/a';
  if (Number.isNaN(v)) return 'NaN';
  return v.toFixed(2);
}

/** Pads cells into aligned columns; the first column is left-aligned, the rest right-aligned. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * The counts table shows the non-zero counts only (a YouCook2 result has ~25 counters, most of them 0);
 * the JSON result keeps every count. A line says how many were hidden.
 */
function countsSection(counts: Record<string, number>): string[] {
  const entries = Object.entries(counts);
  if (entries.length === 0) return [];
  const shown = entries.filter(([, v]) => v !== 0);
  const hidden = entries.length - shown.length;
  const out = [''];
  if (shown.length > 0) out.push(renderTable(['count', 'n'], shown.map(([k, v]) => [k, String(v)])));
  if (hidden > 0) out.push(`(${hidden} zero counts not shown; --json lists every count)`);
  return out;
}

function notesSection(title: string, notes: string[]): string[] {
  return notes.length === 0 ? [] : ['', title, ...notes.map((n) => `  - ${n}`)];
}

/** One result: metrics, counts and notes, readable at a glance. */
export function formatResult(result: ScoreResult, label?: string): string {
  const out: string[] = [];
  out.push(`${result.benchmark} (protocol ${result.protocol})${label ? ` — ${label}` : ''}`);
  out.push('');
  out.push(renderTable(['metric', 'value'], Object.entries(result.metrics).map(([k, v]) => [k, formatMetric(v)])));
  out.push(...countsSection(result.counts));
  out.push(...notesSection('notes:', result.notes));
  return out.join('\n');
}

/**
 * Short labels that tell files apart: the base name, or as many trailing path components as it takes
 * to make every label unique (runs/a/predictions.jsonl vs runs/b/predictions.jsonl -> a/…, b/…).
 */
export function distinctLabels(paths: string[]): string[] {
  const parts = paths.map((p) => p.split(/[\\/]+/).filter((s) => s !== ''));
  const maxDepth = Math.max(1, ...parts.map((p) => p.length));
  for (let depth = 1; depth <= maxDepth; depth++) {
    const labels = parts.map((p) => p.slice(-depth).join('/'));
    if (new Set(labels).size === labels.length) return labels;
  }
  return paths;
}

/** Splits the metric columns into blocks whose table fits `width` characters (like a wrapped paper table). */
function columnBlocks(labels: string[], keys: string[], cell: (row: number, key: string) => string, width: number): string[][] {
  const labelWidth = Math.max('predictions'.length, ...labels.map((l) => l.length));
  const blocks: string[][] = [];
  let block: string[] = [];
  let used = labelWidth;
  for (const k of keys) {
    const w = 2 + Math.max(k.length, ...labels.map((_, i) => cell(i, k).length));
    if (block.length > 0 && used + w > width) {
      blocks.push(block);
      block = [];
      used = labelWidth;
    }
    block.push(k);
    used += w;
  }
  if (block.length > 0) blocks.push(block);
  return blocks;
}

/**
 * Several results of one benchmark side by side: one row per prediction file, like the paper's tables.
 * Wide metric sets are wrapped into several tables of at most `width` characters; notes shared by every
 * file are printed once.
 */
export function formatComparison(results: { label: string; result: ScoreResult }[], width = 100): string {
  const keys: string[] = [];
  for (const { result } of results) for (const k of Object.keys(result.metrics)) if (!keys.includes(k)) keys.push(k);
  const labels = results.map((r) => r.label);
  const cell = (i: number, k: string) => formatMetric(results[i]!.result.metrics[k]);
  const first = results[0]!.result;
  const out = [`${first.benchmark} (protocol ${first.protocol}), ${results.length} prediction files`];
  for (const block of columnBlocks(labels, keys, cell, width)) {
    out.push('', renderTable(['predictions', ...block], labels.map((label, i) => [label, ...block.map((k) => cell(i, k))])));
  }
  const shared = first.notes.filter((n) => results.every(({ result }) => result.notes.includes(n)));
  if (results.length > 1) out.push(...notesSection('notes for every file:', shared));
  for (const { label, result } of results) {
    out.push(...notesSection(`notes for ${label}:`, result.notes.filter((n) => !shared.includes(n) || results.length === 1)));
  }
  return out.join('\n');
}
