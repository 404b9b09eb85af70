import type { Comparison } from '../compare.js';
import { describeChange, mismatchSentence } from './format.js';
import { renderMarkdown } from './markdown.js';
import type { Reporter } from './types.js';

/** Escaping of GitHub workflow commands: data escapes %, CR, LF; property values also `:` and `,`. */
export function escapeCommandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeCommandProperty(text: string): string {
  return escapeCommandData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(kind: 'error' | 'warning', title: string, message: string): string {
  return `::${kind} title=${escapeCommandProperty(title)}::${escapeCommandData(message)}`;
}

export function githubAnnotations(c: Comparison): string[] {
  const lines: string[] = [];
  if (c.mismatches.length > 0) lines.push(command('warning', `mmduet report ${c.benchmark}: results not comparable`, mismatchSentence(c)));
  for (const r of c.rows.filter((row) => row.failing)) {
    const what = r.status === 'regression' ? 'Regression' : 'Missing metric';
    lines.push(command('error', `${what} in ${r.metric} (${c.benchmark})`, describeChange(r)));
  }
  return lines;
}

/** Annotations on stdout; the markdown report goes to the step summary (and to stdout or --out as well). */
export const githubReporter: Reporter = {
  format: 'github',
  render: (c) => {
    const markdown = renderMarkdown(c);
    const annotations = githubAnnotations(c);
    return { report: markdown, stepSummary: markdown, ...(annotations.length > 0 ? { annotations: annotations.join('\n') } : {}) };
  },
};
