import type { Comparison } from '../compare.js';

export const REPORT_FORMATS = ['markdown', 'json', 'junit', 'github'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderedReport {
  /** The report itself (written to --out, or printed). */
  report: string;
  /** Lines that must reach stdout even when the report goes to a file (GitHub workflow commands). */
  annotations?: string;
  /** Markdown to append to $GITHUB_STEP_SUMMARY when that variable is set. */
  stepSummary?: string;
}

export interface Reporter {
  format: ReportFormat;
  render(comparison: Comparison): RenderedReport;
}
