import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { scoringFlags, scoringOptionsFromFlags } from '../cli/score-flags.js';
import { InputError } from '../errors.js';
import { formatResult } from '../score/format.js';
import { formatInferSummary, inferFlags, inferOptionsFromFlags } from '../run/cli-flags.js';
import { prepareDemo } from '../run/demo.js';
import { runEval } from '../run/eval.js';

export default class Eval extends BaseCommand {
  static override summary = 'Run MMDuet on a benchmark (or resume the run) and score it: RUN_DIR/result.json plus the metrics table.';
  static override description =
    'infer + score in one step. --demo runs on bundled demo material (the tiny fixture model and videos generated with ffmpeg at first use); ' +
    'its numbers only show that the pipeline works, they are not MMDuet results.';
  static override examples = [
    '<%= config.bin %> eval youcook2 --demo',
    '<%= config.bin %> eval charades --model mmduet-onnx --data test-random_prompt.json --videos charades/ --out runs/charades',
    '<%= config.bin %> eval qvh --model m --data highlight_val-random_prompt.json --gold highlight_val_release.jsonl --videos qvh/ --out runs/qvh',
  ];

  static override args = {
    benchmark: Args.string({ required: true, description: 'youcook2 | qvhighlights (qvh) | charades-sta (charades) | magqa' }),
  };

  static override flags = {
    ...inferFlags,
    demo: Flags.boolean({ summary: 'Use the bundled demo material (fixture model + generated videos); --model/--data/--videos not needed.' }),
    gold: Flags.string({ summary: 'Gold file for scoring (default: the --data file; QVHighlights: the official highlight_val_release.jsonl).' }),
    'gold-format': Flags.string({ summary: 'Force the gold format instead of auto-detecting it.' }),
    json: Flags.boolean({ summary: 'Print the result as one JSON object.' }),
    ...scoringFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Eval);
    const { protocol, overrides, params } = scoringOptionsFromFlags(flags);
    const base = inferOptionsFromFlags(args.benchmark, flags);
    const demo = flags.demo ? await prepareDemo(args.benchmark, { out: flags.out, log: (l) => this.logToStderr(l) }) : undefined;
    const pick = (name: 'model' | 'data' | 'videos' | 'out', fromDemo: string | undefined): string => {
      const v = flags[name] ?? fromDemo;
      if (!v) throw new InputError(`--${name}: expected a path, found none (or use --demo)`);
      return v;
    };
    const outcome = await runEval({
      ...base,
      device: demo && flags.device === 'auto' ? 'cpu' : base.device,
      modelDir: pick('model', demo?.modelDir),
      dataPath: pick('data', demo?.dataPath),
      videosDir: pick('videos', demo?.videosDir),
      outDir: pick('out', demo?.outDir),
      goldPath: flags.gold,
      goldFormat: flags['gold-format'],
      protocol,
      overrides: { ...demo?.overrides, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) },
      params: { ...demo?.params, ...Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) },
    });
    if (flags.json) {
      this.log(JSON.stringify(outcome.result, null, 2));
      return;
    }
    this.log(formatInferSummary(outcome.inference));
    this.log('');
    this.log(formatResult(outcome.result, demo ? 'demo material (fixture model, not MMDuet numbers)' : outcome.resultPath));
    this.log('');
    this.log(`wrote ${outcome.resultPath}`);
  }
}
