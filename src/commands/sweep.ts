import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { scoringFlags, scoringOptionsFromFlags } from '../cli/score-flags.js';
import { runSweepCommand } from '../sweep/index.js';

export default class Sweep extends BaseCommand {
  static override summary = 'Sensitivity sweep of an inference parameter (paper Fig. 4, Fig. 5, Table 4).';
  static override description =
    'w and threshold rescore the stored per-frame scores of a finished run for each value, without any model call. ' +
    'Writes sweep.json, sweep.csv and PNG plots (the paper\'s Tables 2–4 as reference lines) to RUN_DIR/sweeps/<param>/ or --out.';
  static override examples = [
    '<%= config.bin %> sweep qvhighlights --param w --values 0:14:1 --run runs/qvh --gold highlight_val_release.jsonl',
    '<%= config.bin %> sweep charades-sta --param threshold --values 0.3,0.5,0.7 --predictions preds.jsonl --gold charades_sta_test.txt',
  ];

  static override args = {
    benchmark: Args.string({ required: true, description: 'qvhighlights (qvh) | charades-sta (charades)' }),
  };

  static override flags = {
    param: Flags.string({ summary: 'Parameter to sweep.', options: ['w', 'threshold', 's', 't'], required: true }),
    values: Flags.string({ summary: 'Values: a list (0,1,2) or an inclusive range from:to:step. Default: the paper grid (w 0..14; τ 0.0..0.9).' }),
    run: Flags.string({ summary: 'Finished run directory (its predictions.jsonl; its annotation file is the default gold).' }),
    predictions: Flags.string({ summary: 'MMDuet prediction file (instead of --run).' }),
    gold: Flags.string({ summary: 'Gold annotation file (QVHighlights: highlight_val_release.jsonl).' }),
    'gold-format': Flags.string({ summary: 'Force the gold format instead of auto-detecting it.' }),
    out: Flags.string({ summary: 'Output folder (default RUN_DIR/sweeps/<param>/).' }),
    ...scoringFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Sweep);
    const { protocol, overrides, params } = scoringOptionsFromFlags(flags);
    const { sweep, written } = await runSweepCommand({
      benchmark: args.benchmark,
      param: flags.param,
      values: flags.values,
      runDir: flags.run,
      predictionsPath: flags.predictions,
      goldPath: flags.gold,
      goldFormat: flags['gold-format'],
      outDir: flags.out,
      protocol,
      overrides,
      params,
    });
    this.log(`${sweep.benchmark} ${sweep.param} sweep: ${sweep.rows.length} values (${sweep.reused})`);
    for (const f of [written.json, written.csv, ...written.plots]) this.log(`wrote ${f}`);
  }
}
