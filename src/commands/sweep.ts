import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { scoringFlags, scoringOptionsFromFlags } from '../cli/score-flags.js';
import { InputError } from '../errors.js';
import { inferFlags, inferOptionsFromFlags } from '../run/cli-flags.js';
import { formatSweepTable, runSweepCommand } from '../sweep/index.js';

export default class Sweep extends BaseCommand {
  static override summary = 'Sensitivity sweep of an inference parameter (paper Fig. 4, Fig. 5, Table 4).';
  static override description =
    'w and threshold rescore the stored per-frame scores of a finished run for each value, without any model call. ' +
    's (YouCook2) and t (MAGQA) run the model with the flags of mmduet infer: one scoring pass per video serves every value ' +
    '(rm. prev. resp. on), each distinct trigger frame is generated once, and scores and responses are kept in --out so a rerun ' +
    'calls no model; with --keep-responses every value is its own mmduet eval run. ' +
    'Writes sweep.json, sweep.csv and PNG plots (the paper\'s Tables 2–4 as reference lines) to RUN_DIR/sweeps/<param>/ or --out.';
  static override examples = [
    '<%= config.bin %> sweep qvhighlights --param w --values 0:14:1 --run runs/qvh --gold highlight_val_release.jsonl',
    '<%= config.bin %> sweep charades-sta --param threshold --values 0.3,0.5,0.7 --predictions preds.jsonl --gold charades_sta_test.txt',
    '<%= config.bin %> sweep youcook2 --param s --values 1,1.5,2,2.5,3 --model mmduet-onnx --data val-random_prompt.json --videos yc2/ --out sweeps/yc2-s',
    '<%= config.bin %> sweep magqa --param t --values 0.3:0.6:0.1 --model mmduet-onnx --data magqa_test.json --videos shot2story/ --out sweeps/magqa-t --judge gpt-4o --time-reference runs/llava-ov-vt',
  ];

  static override args = {
    benchmark: Args.string({ required: true, description: 'qvhighlights (qvh) | charades-sta (charades) for w/threshold; youcook2 for s; magqa for t' }),
  };

  static override flags = {
    ...inferFlags,
    param: Flags.string({ summary: 'Parameter to sweep.', options: ['w', 'threshold', 's', 't'], required: true }),
    values: Flags.string({ summary: 'Values: a list (0,1,2) or an inclusive range from:to:step. Default: the paper grid (w 0..14; τ 0.0..0.9; s 1..3 by 0.5; t 0.3..0.6).' }),
    run: Flags.string({ summary: 'w/threshold: finished run directory (its predictions.jsonl; its annotation file is the default gold).' }),
    predictions: Flags.string({ summary: 'w/threshold: MMDuet prediction file (instead of --run).' }),
    gold: Flags.string({ summary: 'Gold annotation file (QVHighlights: highlight_val_release.jsonl; s/t: default the --data file).' }),
    'gold-format': Flags.string({ summary: 'Force the gold format instead of auto-detecting it.' }),
    out: Flags.string({ summary: 'Output folder (w/threshold default RUN_DIR/sweeps/<param>/; s/t: the sweep directory, required, reused by a rerun).' }),
    'time-reference': Flags.string({ summary: 's/t: a finished run directory on the same machine; time per example is reported relative to it (Table 4).' }),
    ...scoringFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Sweep);
    const { protocol, overrides, params } = scoringOptionsFromFlags(flags);
    const responseSweep = flags.param === 's' || flags.param === 't';
    if (responseSweep && flags[flags.param as 's' | 't'] !== undefined) throw new InputError(`--${flags.param}: expected the swept values in --values, found --${flags.param} as well`);
    const { benchmark: _b, ...inference } = inferOptionsFromFlags(args.benchmark, flags);
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
      inference: responseSweep ? { ...inference, modelDir: flags.model, dataPath: flags.data, videosDir: flags.videos, log: (l) => this.logToStderr(l) } : undefined,
      timeReference: flags['time-reference'],
    });
    this.log(`${sweep.benchmark} ${sweep.param} sweep: ${sweep.rows.length} values (${sweep.reused})`);
    if (responseSweep) this.log(formatSweepTable(sweep));
    for (const f of [written.json, written.csv, ...written.plots]) this.log(`wrote ${f}`);
  }
}
