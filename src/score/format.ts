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

/** One result: metrics, counts and notes, readable at a glance. */
export function formatResult(result: ScoreResult, label?: string): string {
  const out: string[] = [];
  out.push(`${result.benchmark} (protocol ${result.protocol})${label ? ` — ${label}` : ''}`);
  out.push('');
  out.push(renderTable(['metric', 'value'], Object.entries(result.metrics).map(([k, v]) => [k, formatMetric(v)])));
  const counts = Object.entries(result.counts);
  if (counts.length > 0) {
    out.push('');
    out.push(renderTable(['count', 'n'], counts.map(([k, v]) => [k, String(v)])));
  }
  if (result.notes.length > 0) {
    out.push('');
    out.push('notes:');
    for (const n of result.notes) out.push(`  - ${n}`);
  }
  return out.join('\n');
}

/** Several results of one benchmark side by side: one row per prediction file, like the paper's tables. */
export function formatComparison(results: { label: string; result: ScoreResult }[]): string {
  const keys: string[] = [];
  for (const { result } of results) for (const k of Object.keys(result.metrics)) if (!keys.includes(k)) keys.push(k);
  const rows = results.map(({ label, result }) => [label, ...keys.map((k) => formatMetric(result.metrics[k]))]);
  const out = [renderTable(['predictions', ...keys], rows)];
  for (const { label, result } of results) {
    if (result.notes.length === 0) continue;
    out.push('', `notes for ${label}:`, ...result.notes.map((n) => `  - ${n}`));
  }
  return out.join('\n');
}
