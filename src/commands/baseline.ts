import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { InputError } from '../errors.js';
import { goldToBaselineRecords, outputFile, writeBaselineJsonl } from '../baselines/from-gold.js';
import { runBaseline } from '../baselines/run.js';
import { parseShard } from '../run/annotations.js';
import { inferFlags } from '../run/cli-flags.js';
import type { DeviceChoice } from '../engine/types.js';
import type { Profile } from '../video/sampling.js';

export default class Baseline extends BaseCommand {
  static override summary = 'Write whole-video baseline outputs (TimeChat-style tc or VTimeLLM-style vt text timestamps) as baseline JSONL.';
  static override description =
    'With --from-gold, renders the gold annotations in the baseline format: an upper-bound sanity check that `mmduet score` ' +
    'then scores (what it loses is what the format and the scorer quirks lose). With --model, runs the whole-video baseline ' +
    '(all frames, then the question with the time instruction, greedy up to 512 tokens; protocol.md §10).';
  static override examples = [
    '<%= config.bin %> baseline tc youcook2 --from-gold --data val-random_prompt.json --out tc-gold.jsonl',
    '<%= config.bin %> baseline vt charades --from-gold --data charades_sta_test.txt --durations durations.json --out out/',
    '<%= config.bin %> baseline tc youcook2 --model llava-ov-tc-onnx --data val-random_prompt.json --videos yc2/ --out runs/yc2-tc --shard 1/2',
  ];

  static override args = {
    format: Args.string({ required: true, description: 'tc (TimeChat: "s.d - e.d seconds, text") | vt (VTimeLLM: "From a to b, text", percent)', options: ['tc', 'vt'] }),
    benchmark: Args.string({ required: true, description: 'youcook2 | qvhighlights (qvh) | charades-sta (charades) | magqa' }),
  };

  static override flags = {
    'from-gold': Flags.boolean({ summary: 'Render the gold annotations of --data instead of running a model.' }),
    data: Flags.string({ summary: 'Gold / annotation file of the benchmark.', required: true, env: 'MMDUET_DATA' }),
    'gold-format': Flags.string({ summary: 'Force the gold format instead of auto-detecting it (as in `mmduet score`).' }),
    durations: Flags.string({ summary: 'JSON {question_id: seconds} for gold files without video durations (vt needs them).' }),
    out: Flags.string({ summary: '--from-gold: output JSONL file or directory (existing, or ending in "/"); --model: run directory (created or resumed).', required: true }),
    model: inferFlags.model,
    videos: inferFlags.videos,
    'max-new-tokens': Flags.integer({ summary: 'Greedy generation limit (protocol.md §10: 512).', min: 1, default: 512 }),
    limit: inferFlags.limit,
    shard: inferFlags.shard,
    device: inferFlags.device,
    profile: inferFlags.profile,
    strict: inferFlags.strict,
    ffmpeg: inferFlags.ffmpeg,
    'cache-dir': inferFlags['cache-dir'],
    'no-cache': inferFlags['no-cache'],
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Baseline);
    if (!flags['from-gold']) {
      if (!flags.model || !flags.videos) throw new InputError('baseline: expected --from-gold, or --model DIR and --videos DIR for a whole-video run');
      const s = await runBaseline({
        format: args.format,
        benchmark: args.benchmark,
        modelDir: flags.model,
        dataPath: flags.data,
        videosDir: flags.videos,
        outDir: flags.out,
        limit: flags.limit,
        shard: flags.shard === undefined ? undefined : parseShard(flags.shard),
        device: flags.device as DeviceChoice,
        profile: flags.profile as Profile,
        strict: flags.strict,
        ffmpeg: flags.ffmpeg,
        cacheDir: flags['no-cache'] ? null : flags['cache-dir'],
        maxNewTokens: flags['max-new-tokens'],
      });
      this.log(`run: ${s.runDir} (${s.format} baseline, ${s.benchmark})`);
      this.log(`items: ${s.planned} planned, ${s.skipped} already done, ${s.completed} done now, ${s.failed} failed (see errors.jsonl)`);
      this.log(`frames: ${s.frames}; answers cut at the token limit: ${s.truncated}; items without a question: ${s.withoutQuestion}; ${(s.wallMs / 1000).toFixed(1)} s`);
      return;
    }
    const r = goldToBaselineRecords({ format: args.format, benchmark: args.benchmark, goldPath: flags.data, goldFormat: flags['gold-format'], durationsPath: flags.durations });
    const file = outputFile(flags.out, r.benchmark, r.format);
    writeBaselineJsonl(file, r.records);
    this.log(`${r.records.length} ${r.format} records from gold -> ${file}`);
    for (const n of r.notes) this.log(`note: ${n}`);
  }
}
