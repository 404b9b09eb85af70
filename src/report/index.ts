import { appendFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../io/files.js';
import { ANY_METRIC, compareResults, type Comparison } from './compare.js';
import { loadResult } from './result-file.js';
import { REPORTERS, REPORT_FORMATS, type ReportFormat } from './reporters/index.js';
import { mismatchSentence, verdictLine } from './reporters/format.js';

export { compareResults, type Comparison, type CompareOptions, type MetricRow, type MetricStatus } from './compare.js';
export { loadResult, parseResult, type ComparableResult } from './result-file.js';
export { REPORT_FORMATS, type ReportFormat } from './reporters/index.js';

export const REPORT_DEFAULTS = { format: 'markdown' as ReportFormat, seed: 1, resamples: 10000, top: 5 };

export interface ReportOptions {
  /** Result file, or run directory holding result.json. */
  baseline: string;
  current: string;
  format?: ReportFormat;
  /** Write the report here; stdout then gets the verdict line (and GitHub annotations). */
  out?: string;
  failOnRegression?: boolean;
  /** Raw `METRIC=DELTA` strings from --tolerance (`*=DELTA` sets the default). */
  tolerances?: string[];
  allowMismatch?: boolean;
  seed?: number;
  resamples?: number;
  top?: number;
  /** Environment to read GITHUB_STEP_SUMMARY from (process.env by default). */
  env?: Record<string, string | undefined>;
}

export interface ReportOutcome {
  /** What to print on stdout. */
  text: string;
  /** 0 clean (or regressions without --fail-on-regression), 1 failing metrics with --fail-on-regression. */
  exitCode: 0 | 1;
  /** Loud warnings for stderr (e.g. results compared despite a mismatch). */
  warnings: string[];
  comparison: Comparison;
}

/** Parses `METRIC=DELTA` pairs; the last `=` splits, so metric names may contain `=`. */
export function parseTolerances(pairs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of pairs) {
    const at = pair.lastIndexOf('=');
    const metric = pair.slice(0, at).trim();
    const raw = pair.slice(at + 1).trim();
    const value = Number(raw);
    if (at <= 0 || metric === '' || raw === '' || !Number.isFinite(value) || value < 0) {
      throw new InputError(`--tolerance: expected METRIC=DELTA with a non-negative number (or ${ANY_METRIC}=DELTA for all metrics), found "${pair}"`);
    }
    if (metric in out) throw new InputError(`--tolerance: expected each metric once, found "${metric}" twice`);
    out[metric] = value;
  }
  return out;
}

/** Compares two results and renders the report: everything `mmduet report` does, without oclif. */
export function runReport(options: ReportOptions): ReportOutcome {
  const format = options.format ?? REPORT_DEFAULTS.format;
  if (!REPORT_FORMATS.includes(format)) throw new InputError(`--format: expected one of ${REPORT_FORMATS.join(', ')}, found "${format}"`);
  const baseline = loadResult(options.baseline);
  const current = loadResult(options.current);
  const comparison = compareResults(baseline, current, {
    tolerances: parseTolerances(options.tolerances ?? []),
    allowMismatch: options.allowMismatch ?? false,
    seed: options.seed ?? REPORT_DEFAULTS.seed,
    resamples: options.resamples ?? REPORT_DEFAULTS.resamples,
    top: options.top ?? REPORT_DEFAULTS.top,
  });
  const rendered = REPORTERS[format].render(comparison);

  const summaryFile = (options.env ?? process.env).GITHUB_STEP_SUMMARY;
  if (rendered.stepSummary !== undefined && summaryFile) appendFileSync(summaryFile, rendered.stepSummary + '\n');
  if (options.out !== undefined) writeFileAtomic(options.out, rendered.report);

  const body = options.out === undefined ? rendered.report : `${verdictLine(comparison)} (report written to ${options.out})\n`;
  const text = rendered.annotations === undefined ? body : `${rendered.annotations}\n${body}`;
  const failing = comparison.failingMetrics.length > 0;
  return {
    text,
    exitCode: failing && options.failOnRegression ? 1 : 0,
    warnings: comparison.mismatches.length > 0 ? [mismatchSentence(comparison)] : [],
    comparison,
  };
}
