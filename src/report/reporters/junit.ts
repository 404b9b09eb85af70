import type { Comparison, MetricRow } from '../compare.js';
import { STATUS_LABEL, describeChange, formatNumber, formatSigned, methodNotes, mismatchSentence } from './format.js';
import type { Reporter } from './types.js';

/** Escapes XML special characters and drops the control characters XML 1.0 cannot carry at all. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
}

function testcase(c: Comparison, row: MetricRow): string[] {
  const open = `    <testcase${attrs({ classname: `mmduet.${c.benchmark}`, name: row.metric })}`;
  if (row.failing) {
    const items = c.topItems
      .filter((t) => t.metric === row.metric)
      .map((t) => `item ${t.item}${t.video === null ? '' : ` (video ${t.video})`}: ${formatNumber(t.baseline)} -> ${formatNumber(t.current)} (${formatSigned(t.delta)})`);
    const body = [describeChange(row), ...(items.length > 0 ? ['Most-changed items:', ...items] : [])].join('\n');
    return [`${open}>`, `      <failure${attrs({ type: row.status, message: describeChange(row) })}>${escapeXml(body)}</failure>`, '    </testcase>'];
  }
  if (row.status === 'unavailable') return [`${open}>`, `      <skipped${attrs({ message: 'null or absent in both results' })}/>`, '    </testcase>'];
  return [`${open}>`, `      <system-out>${escapeXml(`${describeChange(row)}: ${STATUS_LABEL[row.status]}`)}</system-out>`, '    </testcase>'];
}

/** One testcase per metric; regressions and missing metrics are failures; notes go to the suite's system-out. */
export function renderJunit(c: Comparison): string {
  const failures = c.rows.filter((r) => r.failing).length;
  const skipped = c.rows.filter((r) => r.status === 'unavailable').length;
  const counts = { tests: c.rows.length, failures, errors: 0, skipped };
  const notes = [...(c.mismatches.length > 0 ? [`WARNING: ${mismatchSentence(c)}`] : []), ...methodNotes(c)];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: 'mmduet report', tests: counts.tests, failures })}>`,
    `  <testsuite${attrs({ name: `mmduet report: ${c.benchmark} (protocol ${c.protocol})`, ...counts })}>`,
    '    <properties>',
    `      <property${attrs({ name: 'baseline', value: c.baselineFile })}/>`,
    `      <property${attrs({ name: 'current', value: c.currentFile })}/>`,
    ...c.mismatches.map((d) => `      <property${attrs({ name: `mismatch: ${d.what}`, value: `${d.baseline} vs ${d.current}` })}/>`),
    '    </properties>',
    ...c.rows.flatMap((r) => testcase(c, r)),
    `    <system-out>${escapeXml(notes.join('\n'))}</system-out>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export const junitReporter: Reporter = {
  format: 'junit',
  render: (c) => ({ report: renderJunit(c) }),
};
