import { Args } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { InputError } from '../errors.js';
import { formatInferSummary, inferFlags, inferOptionsFromFlags } from '../run/cli-flags.js';
import { runInference } from '../run/infer.js';

export default class Infer extends BaseCommand {
  static override summary = 'Run MMDuet on a benchmark\'s videos and write predictions.jsonl into a resumable run directory.';
  static override description =
    'Decodes every video with the system ffmpeg, samples frames exactly as the released loader does, encodes them, ' +
    'and runs the streaming duet loop with the benchmark\'s frame rate and response policy. Rerunning the same command ' +
    'resumes: finished items are skipped, a half-written line is cut, failed items are retried.';
  static override examples = [
    '<%= config.bin %> infer youcook2 --model mmduet-onnx --data val-random_prompt.json --videos yc2/ --out runs/yc2',
    '<%= config.bin %> infer magqa --model mmduet-onnx --data magqa_test.json --videos shot2story/ --out runs/magqa-t0.4 --t 0.4',
    '<%= config.bin %> infer charades --model m --data test-random_prompt.json --videos charades/ --out runs/ch-1 --shard 1/3',
  ];

  static override args = {
    benchmark: Args.string({ required: true, description: 'youcook2 | qvhighlights (qvh) | charades-sta (charades) | magqa' }),
  };

  static override flags = { ...inferFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Infer);
    const need = (name: 'model' | 'data' | 'videos' | 'out'): string => {
      const v = flags[name];
      if (!v) throw new InputError(`--${name}: expected a path, found none`);
      return v;
    };
    const summary = await runInference({
      ...inferOptionsFromFlags(args.benchmark, flags),
      modelDir: need('model'),
      dataPath: need('data'),
      videosDir: need('videos'),
      outDir: need('out'),
    });
    this.log(formatInferSummary(summary));
  }
}
