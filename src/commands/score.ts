import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { scoringFlags, scoringOptionsFromFlags } from '../cli/score-flags.js';
import { BENCHMARK_NAMES, BENCHMARKS } from '../benchmarks/registry.js';
import { scoreToResult, writeResult } from '../score/service.js';
import { distinctLabels, formatComparison, formatResult } from '../score/format.js';
import { InputError } from '../errors.js';
import { withParsedFileCache } from '../io/files.js';
import type { ScoreResult } from '../benchmarks/types.js';

/** The format names each benchmark accepts, for --help. */
function formatList(kind: 'goldFormats' | 'predictionFormats'): string {
  return 'Format names: ' + BENCHMARKS.map((b) => `${b.name} ${b[kind].join(' | ')}`).join('; ') + '.';
}

export default class Score extends BaseCommand {
  static override summary = 'Score prediction files against a benchmark\'s gold annotations.';
  static override description =
    'Computes every metric of the MMDuet paper for one benchmark, exactly as the reference evaluators do. ' +
    'Give --predictions several times to print one row per file, like the paper\'s tables.';
  static override examples = [
    '<%= config.bin %> score qvh --gold highlight_val_release.jsonl --predictions preds.jsonl',
    '<%= config.bin %> score youcook2 --gold val-random_prompt.json --predictions mmduet.jsonl --predictions tc.jsonl --baseline-format tc',
    '<%= config.bin %> score charades --gold charades_sta_test.txt --predictions run/predictions.jsonl --json',
  ];

  static override args = {
    benchmark: Args.string({ required: true, description: 'youcook2 | qvhighlights (qvh) | charades-sta (charades) | magqa | captions', options: BENCHMARK_NAMES }),
  };

  static override flags = {
    gold: Flags.string({ summary: 'Gold annotation file.', required: true, env: 'MMDUET_GOLD' }),
    predictions: Flags.string({ summary: 'Prediction file (repeat to compare several).', required: true, multiple: true }),
    'gold-format': Flags.string({ summary: 'Force the gold format instead of auto-detecting it.', description: formatList('goldFormats') }),
    'pred-format': Flags.string({ summary: 'Force the prediction format instead of auto-detecting it.', description: formatList('predictionFormats') }),
    json: Flags.boolean({ summary: 'Print the result as one JSON object (an array with several --predictions).' }),
    out: Flags.string({ summary: 'Write the JSON result to this file (atomically).' }),
    ...scoringFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Score);
    const { protocol, overrides, params } = scoringOptionsFromFlags(flags);
    const results: { label: string; result: ScoreResult }[] = [];
    // One gold file for every prediction file: read and parse it once.
    await withParsedFileCache(async () => {
      for (const predictionsPath of flags.predictions) {
        const result = await scoreToResult({
          benchmark: args.benchmark,
          goldPath: flags.gold,
          goldFormat: flags['gold-format'],
          predictionsPath,
          predictionsFormat: flags['pred-format'],
          protocol,
          overrides,
          params,
        });
        results.push({ label: predictionsPath, result });
      }
    });
    if (results.length === 0) throw new InputError('--predictions: expected at least one file');
    const payload = results.length === 1 ? results[0]!.result : results.map((r) => r.result);
    if (flags.out) writeResult(flags.out, payload);
    if (flags.json) {
      this.log(JSON.stringify(payload, null, 2));
    } else {
      const labels = distinctLabels(results.map((r) => r.label));
      if (results.length === 1) this.log(formatResult(results[0]!.result, labels[0]));
      else this.log(formatComparison(results.map((r, i) => ({ label: labels[i]!, result: r.result })), process.stdout.columns || 100));
    }
  }
}
