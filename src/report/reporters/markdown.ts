import type { Comparison, MetricRow } from '../compare.js';
import { STATUS_LABEL, describeChange, failingCount, formatInterval, formatNumber, formatSigned, methodNotes, mismatchSentence } from './format.js';
import type { Reporter } from './types.js';

/** Pipes would split a table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function table(header: string[], align: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${align.join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
}

function statusCell(row: MetricRow): string {
  const label = STATUS_LABEL[row.status];
  const mark = row.failing ? `:x: **${label}**` : row.status === 'improvement' ? `:white_check_mark: ${label}` : label;
  return row.decidedBy === 'tolerance-only' ? `${mark} (no CI)` : mark;
}

function intervalCell(row: MetricRow): string {
  if (row.ci === null) return 'n/a';
  return row.ci.basis === 'per-item-proxy' ? `${formatInterval(row.ci)} per item †` : formatInterval(row.ci);
}

export function renderMarkdown(c: Comparison): string {
  const failing = c.rows.filter((r) => r.failing);
  const title =
    failing.length === 0
      ? `## :white_check_mark: mmduet report: no regression (${c.benchmark}, protocol ${c.protocol})`
      : `## :x: mmduet report: ${failingCount(failing.length)} (${c.benchmark}, protocol ${c.protocol})`;
  const lines = [title, ''];
  if (c.mismatches.length > 0) lines.push(`> :warning: **Warning:** ${mismatchSentence(c)}`, '');
  for (const r of failing) lines.push(`- **${describeChange(r)}**`);
  if (failing.length > 0) lines.push('');
  lines.push(
    ...table(
      ['metric', 'baseline', 'current', 'delta', '95% CI of delta', 'status'],
      ['---', '---:', '---:', '---:', '---', '---'],
      c.rows.map((r) => [r.metric, formatNumber(r.baseline), formatNumber(r.current), formatSigned(r.delta), intervalCell(r), statusCell(r)]),
    ),
    '',
  );
  lines.push(...methodNotes(c).map((n) => `- ${n}`), '');
  if (c.topItems.length > 0) {
    lines.push(
      '<details><summary>Most-changed items per metric</summary>',
      '',
      ...table(
        ['metric', 'item', 'video', 'baseline', 'current', 'delta'],
        ['---', '---', '---', '---:', '---:', '---:'],
        c.topItems.map((t) => [t.metric, t.item, t.video ?? '', formatNumber(t.baseline), formatNumber(t.current), formatSigned(t.delta)]),
      ),
      '',
      '</details>',
      '',
    );
  }
  lines.push(`<sub>baseline: ${c.baselineFile} · current: ${c.currentFile}</sub>`, '');
  return lines.join('\n');
}

export const markdownReporter: Reporter = {
  format: 'markdown',
  render: (c) => ({ report: renderMarkdown(c) }),
};
