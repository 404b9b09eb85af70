import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { REPORT_DEFAULTS, REPORT_FORMATS, runReport } from '../report/index.js';

export default class Report extends BaseCommand {
  static override summary = 'Compare a result against a baseline: per-metric deltas with bootstrap CIs, for PR comments and CI.';

  static override description = `Reads two ScoreResult files (or run directories holding result.json) and reports, for each metric,
baseline, current, delta and a paired, video-clustered bootstrap 95% CI of the delta. A regression is a
drop larger than the tolerance whose CI excludes zero. Exit codes: 0 clean, 1 regression with
--fail-on-regression, 2 usage or input error (including results that are not comparable). See docs/ci.md.`;

  static override examples = [
    '<%= config.bin %> report --baseline ci/baseline.json --current runs/ci --format github --fail-on-regression',
    '<%= config.bin %> report --baseline a.json --current b.json --tolerance CIDEr=0.5 --tolerance "*=0.1"',
  ];

  static override flags = {
    baseline: Flags.string({ required: true, description: 'baseline result JSON or run directory' }),
    current: Flags.string({ required: true, description: 'current result JSON or run directory' }),
    format: Flags.string({ options: [...REPORT_FORMATS], default: REPORT_DEFAULTS.format, description: 'report format' }),
    out: Flags.string({ description: 'write the report to this file (stdout gets the verdict line)' }),
    'fail-on-regression': Flags.boolean({ default: false, description: 'exit 1 when a metric regressed or went missing' }),
    tolerance: Flags.string({ multiple: true, description: 'allowed drop METRIC=DELTA in metric units (repeatable; *=DELTA for all)' }),
    'allow-mismatch': Flags.boolean({ default: false, description: 'compare results from different benchmark/protocol/gold data/judge, with a warning' }),
    seed: Flags.integer({ default: REPORT_DEFAULTS.seed, description: 'bootstrap seed' }),
    resamples: Flags.integer({ default: REPORT_DEFAULTS.resamples, min: 1, description: 'bootstrap resamples' }),
    top: Flags.integer({ default: REPORT_DEFAULTS.top, min: 0, description: 'most-changed items listed per metric' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Report);
    const outcome = runReport({
      baseline: flags.baseline,
      current: flags.current,
      format: flags.format as (typeof REPORT_FORMATS)[number],
      out: flags.out,
      failOnRegression: flags['fail-on-regression'],
      tolerances: flags.tolerance ?? [],
      allowMismatch: flags['allow-mismatch'],
      seed: flags.seed,
      resamples: flags.resamples,
      top: flags.top,
    });
    for (const w of outcome.warnings) this.warn(w);
    process.stdout.write(outcome.text);
    // exitCode rather than exit(): lets a large report on a pipe drain before the process ends.
    process.exitCode = outcome.exitCode;
  }
}
