import type { Comparison, DeltaInterval, MetricRow, MetricStatus } from '../compare.js';

/** A number for humans: 3 decimals, or 2 significant digits when that would print a nonzero value as 0. */
export function formatNumber(v: number | null): string {
  if (v === null) return 'n/a';
  if (v === 0) return '0';
  if (Math.abs(v) < 0.0005) return v.toPrecision(2);
  return v.toFixed(3);
}

export function formatSigned(v: number | null): string {
  if (v === null) return 'n/a';
  const s = formatNumber(v);
  return v > 0 ? `+${s}` : s;
}

export function formatInterval(ci: DeltaInterval | null): string {
  if (ci === null) return 'n/a';
  return `[${formatSigned(ci.low)}, ${formatSigned(ci.high)}]`;
}

export const STATUS_LABEL: Record<MetricStatus, string> = {
  regression: 'REGRESSION',
  improvement: 'improved',
  'within-tolerance': 'within tolerance',
  'within-noise': 'within noise',
  unchanged: 'unchanged',
  informational: 'info only',
  missing: 'MISSING',
  new: 'new',
  unavailable: 'n/a',
};

/** One sentence per row: "in_span 2.310 -> 2.150 (-0.160, 95% CI [-0.240, -0.080])". */
export function describeChange(row: MetricRow): string {
  const base = `${row.metric} ${formatNumber(row.baseline)} -> ${formatNumber(row.current)}`;
  if (row.delta === null) return `${base} (${STATUS_LABEL[row.status]})`;
  const ci = row.ci === null ? 'no CI: the drop alone decides' : `95% CI ${formatInterval(row.ci)}${row.ci.basis === 'per-item-proxy' ? ' of the mean per-item delta' : ''}`;
  return `${base} (${formatSigned(row.delta)}, ${ci})`;
}

/** "1 failing metric", "2 failing metrics". */
export function failingCount(n: number): string {
  return `${n} failing metric${n === 1 ? '' : 's'}`;
}

/** The one-line verdict a reviewer reads first. */
export function verdictLine(c: Comparison): string {
  const where = `${c.benchmark} (protocol ${c.protocol})`;
  const n = c.failingMetrics.length;
  if (n === 0) return `mmduet report ${where}: no regression in ${c.rows.length} metrics`;
  return `mmduet report ${where}: ${failingCount(n)} (${c.failingMetrics.join(', ')})`;
}

export function mismatchSentence(c: Comparison): string {
  return `results are not comparable, compared anyway (--allow-mismatch): ${c.mismatches
    .map((d) => `${d.what} ${d.baseline} (baseline) vs ${d.current} (current)`)
    .join('; ')}`;
}

/** The explanations every format carries: method, which interval each metric has, what was left out. */
export function methodNotes(c: Comparison): string[] {
  const b = c.bootstrap;
  const notes = [
    `Delta = current - baseline. A regression is a drop larger than the tolerance whose ${Math.round(b.level * 100)}% CI excludes 0; without per-item values the drop beyond the tolerance alone decides.`,
    `CI: paired bootstrap of the mean per-item delta, ${b.resamples} resamples, seed ${b.seed}, percentile interval; resampling unit: ${b.clusteredByVideo ? 'video (perItemVideo)' : 'item'}.`,
  ];
  const byBasis = (basis: DeltaInterval['basis']) => c.rows.filter((r) => r.ci?.basis === basis).map((r) => r.metric);
  const itemMean = byBasis('item-mean');
  const proxy = byBasis('per-item-proxy');
  if (itemMean.length > 0) notes.push(`CI of the metric itself (the metric is the mean of its per-item values): ${itemMean.join(', ')}.`);
  if (proxy.length > 0) {
    notes.push(`CI of the mean per-item delta, in per-item units, used only for its sign (corpus metric, not a mean of per-item values): ${proxy.join(', ')}.`);
  }
  const reasons = new Map<string, string[]>();
  for (const r of c.rows) {
    if (r.ciMissingReason !== null && r.delta !== null && r.delta !== 0) reasons.set(r.ciMissingReason, [...(reasons.get(r.ciMissingReason) ?? []), r.metric]);
  }
  for (const [reason, metrics] of reasons) notes.push(`No CI (${reason}), the drop alone decides: ${metrics.join(', ')}.`);
  const tolerances = c.rows.filter((r) => r.tolerance > 0 && r.direction !== 'informational').map((r) => `${r.metric} ${formatNumber(r.tolerance)}`);
  if (tolerances.length > 0) notes.push(`Tolerances (allowed drop): ${tolerances.join(', ')}; others 0.`);
  const informational = c.rows.filter((r) => r.direction === 'informational').map((r) => r.metric);
  if (informational.length > 0) notes.push(`Descriptive, never judged: ${informational.join(', ')}.`);
  const v = c.toolkitVersions;
  if (v.baseline !== v.current) notes.push(`Toolkit ${v.baseline ?? 'unknown'} -> ${v.current ?? 'unknown'}.`);
  if (c.predictionsIdentical) notes.push('The predictions files are identical (same sha256).');
  for (const d of c.parameterChanges) notes.push(`${d.what}: ${d.baseline} -> ${d.current}.`);
  return [...notes, ...c.notes];
}
