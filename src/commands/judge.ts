import { Args, Command, Flags } from '@oclif/core';
import { InputError } from '../errors.js';
import { judgeMagqa, JUDGE_NAMES, PARSE_MODES, RESULT_FILE, UNPARSABLE_SCORES, type JudgeMagqaResult, type UnparsableScore } from '../judge/index.js';

const fmt = (v: number | null, digits: number) => (v === null ? 'n/a' : v.toFixed(digits));

export function describeJudgeResult(r: JudgeMagqaResult): string[] {
  const c = r.counts;
  const lines = [
    `judge: ${r.judge.name} = ${r.judge.model} @ ${r.judge.provider} (${r.judge.route}, prompt ${r.judge.prompt_sha256.slice(0, 12)}, temperature ${r.judge.temperature ?? 'n/a'}, parse ${r.judge.parse})`,
    `pairs: ${c.judged_pairs} judged (${c.cache_hits} cache hits, ${c.asked} asked), ${c.unparsable} unparsable, ${c.missing_replies} missing replies`,
    `tokens: ${r.usage.prompt_tokens} prompt + ${r.usage.completion_tokens} completion, cost ${r.cost_usd === null ? 'unknown' : `$${r.cost_usd.toFixed(4)}`}`,
    `examples: ${c.scored} scored, ${c.n_padded} padded, ${c.missing_predictions} without predictions (protocol ${r.protocol})`,
  ];
  if (!r.dry_run && r.metrics.in_span_score !== null) {
    lines.push(`in-span score (1–5): ${fmt(r.metrics.in_span_score, 2)}   # turns: ${fmt(r.metrics.turns, 1)} / ${fmt(r.metrics.turns_dedup, 1)} (w/o / w/ dedup)${r.valid ? '' : '   [INVALID]'}`);
  }
  return [...lines, ...r.notes.map((n) => `note: ${n}`)];
}

export default class Judge extends Command {
  static override summary = 'Judge MAGQA answers with an LLM (or the offline lexical stand-in) and compute the in-span score.';
  static override description =
    'Asks the judge only for the (gold, prediction) pairs the in-span score uses, deduplicated, cached in RUN_DIR ' +
    '(a rerun asks only for new pairs), with retries and bounded concurrency. The API key is read from OPENAI_API_KEY ' +
    'and never written. in_span_score is on the 1–5 judge scale, not percent.';

  static override args = {
    benchmark: Args.string({ description: 'benchmark to judge', required: true, options: ['magqa'] }),
  };

  static override flags = {
    predictions: Flags.string({ description: 'MMDuet streaming JSONL or baseline JSONL', required: true }),
    gold: Flags.string({ description: 'magqa_test.json (MMDuetIT)', required: true }),
    judge: Flags.string({ description: 'judge', required: true, options: JUDGE_NAMES }),
    'base-url': Flags.string({ description: 'OpenAI-compatible endpoint (default OPENAI_BASE_URL, then api.openai.com)' }),
    model: Flags.string({ description: 'judge model name (default gpt-4o-2024-08-06 / meta-llama/Meta-Llama-3.1-70B-Instruct)' }),
    concurrency: Flags.integer({ description: 'parallel requests', default: 8, min: 1 }),
    batch: Flags.boolean({ description: 'use the OpenAI Batch API (resumable; half price)', default: false }),
    'dry-run': Flags.boolean({ description: 'print the token and cost estimate only', default: false }),
    protocol: Flags.string({ description: 'mmduet: unparsable replies score 1, pad to 2000; standard: unparsable replies excluded, no padding', options: ['mmduet', 'standard'], default: 'mmduet' }),
    sampling: Flags.string({ description: 'deterministic (temperature 0) or original (the paper judges\' sampling)', options: ['deterministic', 'original'], default: 'deterministic' }),
    'judge-parse': Flags.string({ description: 'reply parsing', options: PARSE_MODES, default: 'strict', aliases: ['parse'] }),
    'unparsable-score': Flags.string({ description: 'unparsable replies: scored 1, stop the run, or excluded from the mean (default one under mmduet, exclude under standard)', options: UNPARSABLE_SCORES }),
    'max-unparsable-rate': Flags.string({ description: 'the metric is invalid (exit non-zero) when unparsable replies exceed this fraction of judged pairs', default: '0.01' }),
    'allow-missing-judgements': Flags.boolean({ description: 'pairs that got no reply score 1 (legacy; excluded under standard) instead of leaving the judge stage incomplete', default: false }),
    'max-judge-failures': Flags.string({ description: 'standard protocol: fail when failed pairs exceed this fraction', default: '0.01' }),
    'num-examples': Flags.integer({ description: 'pad to this many examples (mmduet protocol)' }),
    'no-pad': Flags.boolean({ description: 'do not pad missing examples', default: false }),
    'price-in': Flags.string({ description: 'USD per million prompt tokens (for models without a built-in price)' }),
    'price-out': Flags.string({ description: 'USD per million completion tokens' }),
    out: Flags.string({ description: 'run directory (cache, batch state, result JSON)', required: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Judge);
    const number = (v: string | undefined, name: string) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new InputError(`--${name}: expected a non-negative number, found ${JSON.stringify(v)}`);
      return n;
    };
    try {
      const priceIn = number(flags['price-in'], 'price-in');
      const priceOut = number(flags['price-out'], 'price-out');
      const r = await judgeMagqa({
        goldPath: flags.gold,
        predictionsPath: flags.predictions,
        judge: flags.judge,
        model: flags.model,
        baseUrl: flags['base-url'],
        concurrency: flags.concurrency,
        batch: flags.batch,
        dryRun: flags['dry-run'],
        protocol: flags.protocol as 'mmduet' | 'standard',
        sampling: flags.sampling as 'deterministic' | 'original',
        parse: flags['judge-parse'] as (typeof PARSE_MODES)[number],
        maxJudgeFailures: number(flags['max-judge-failures'], 'max-judge-failures'),
        unparsableScore: flags['unparsable-score'] as UnparsableScore | undefined,
        maxUnparsableRate: number(flags['max-unparsable-rate'], 'max-unparsable-rate'),
        allowMissingJudgements: flags['allow-missing-judgements'],
        conventions: { numExamples: flags['num-examples'], padWithOne: flags['no-pad'] ? false : undefined },
        prices: priceIn !== undefined || priceOut !== undefined ? { input: priceIn ?? 0, output: priceOut ?? 0 } : undefined,
        outDir: flags.out,
        log: (l) => this.logToStderr(l),
      });
      if (r.dry_run) {
        const e = r.estimate;
        this.log(`dry run: ${e.pairs_to_ask} pair(s) to ask, about ${e.prompt_tokens} prompt + ${e.completion_tokens} completion tokens, ${e.cost_usd === null ? 'cost unknown' : `about $${e.cost_usd.toFixed(4)}`} (${e.method})`);
        return;
      }
      for (const l of describeJudgeResult(r)) this.log(l);
      this.log(`result: ${flags.out}/${RESULT_FILE}`);
    } catch (e) {
      if (e instanceof InputError) this.error(e.message, { exit: 2 });
      throw e;
    }
  }
}
