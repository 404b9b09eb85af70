/**
 * The flags shared by `score` and `eval`: the protocol, every per-row convention of metrics.md §7,
 * and the benchmark parameters. One table, so both commands accept exactly the same spelling.
 */
import { Flags } from '@oclif/core';
import type { Conventions, Protocol } from '../benchmarks/conventions.js';

export const scoringFlags = {
  protocol: Flags.string({
    summary: 'Evaluation protocol: mmduet (the paper\'s evaluation path, quirks included) or standard (community reference evaluators).',
    options: ['mmduet', 'standard'],
    default: 'mmduet',
    env: 'MMDUET_PROTOCOL',
  }),
  f1: Flags.string({ summary: 'YouCook2: F1 as the per-video mean (TimeChat/MMDuet) or as the F1 of the averaged P and R (densevid).', options: ['per-video', 'of-means'] }),
  'missing-videos': Flags.string({ summary: 'YouCook2: gold videos without a prediction line are dropped (MMDuet pre-filter) or scored 0.', options: ['drop', 'zero'] }),
  'strip-non-ascii': Flags.boolean({ summary: 'YouCook2, captions: replace non-ASCII characters by spaces before tokenizing (densevid/SODA).', allowNo: true }),
  'raw-spans': Flags.boolean({ summary: 'YouCook2: use predicted spans as given (densevid/SODA) instead of sorting reversed endpoints (TimeChat).', allowNo: true }),
  'soda-variant': Flags.string({ summary: 'YouCook2: SODA_c implementation, timechat (MMDuet path) or fujiso (public SODA v1.1).', options: ['timechat', 'fujiso'] }),
  'soda-scorer': Flags.string({ summary: 'YouCook2: caption scorer inside SODA_c (default meteor).', options: ['meteor', 'cider'] }),
  'dvc-first-caption': Flags.string({ summary: 'YouCook2, MMDuet streaming output: drop the first distinct caption (quirk Q8) or keep it from 0 s.', options: ['drop', 'keep'] }),
  'qvh-clip-score': Flags.string({ summary: 'QVHighlights clip score: the code\'s sum of smoothed frames or the paper\'s min-max.', options: ['sum', 'minmax'] }),
  'qvh-strict': Flags.boolean({ summary: 'QVHighlights: require the prediction and gold qid sets to be equal.', allowNo: true }),
  'charades-baseline-metric': Flags.string({ summary: 'Charades-STA baseline text outputs: the MMDuet scorer or the standard R@1.', options: ['mmduet', 'standard'] }),
  'score-rounding': Flags.string({ summary: 'QVHighlights, Charades-STA: round per-frame scores to 3 decimals before scoring (quirk Q5) or not.', options: ['3', 'none'] }),
  'pad-with-one': Flags.boolean({ summary: 'MAGQA: pad missing examples with score 1 up to --num-examples.', allowNo: true }),
  'num-examples': Flags.integer({ summary: 'MAGQA: number of examples the released scorer pads to.' }),
  'baseline-all-match': Flags.boolean({ summary: 'MAGQA: an untimed baseline answer pairs with every gold answer.', allowNo: true }),
  w: Flags.integer({ summary: 'Smoothing window w for per-frame relevance scores (QVHighlights default 2, Charades-STA 6).' }),
  threshold: Flags.string({ summary: 'Charades-STA frame threshold τ on min-max normalised scores (default 0.5).' }),
  'baseline-format': Flags.string({ summary: 'Time format of baseline predictions: tc (TimeChat) or vt (VTimeLLM).', options: ['tc', 'vt'] }),
  judge: Flags.string({ summary: 'MAGQA judge: gpt-4o, llama-3.1-70b or lexical (offline stand-in, not the paper\'s metric).' }),
  judgments: Flags.string({ summary: 'MAGQA: a judge run directory or cache file to read scores from.' }),
  'judge-run-dir': Flags.string({ summary: 'MAGQA: run directory for the judge cache when --judge calls an API (no pair is paid for twice).' }),
  'judge-model': Flags.string({ summary: 'MAGQA: judge model name (default gpt-4o-2024-08-06 for gpt-4o).' }),
  'base-url': Flags.string({ summary: 'MAGQA: OpenAI-compatible server URL for the judge (e.g. http://host:8000/v1).', env: 'OPENAI_BASE_URL' }),
  concurrency: Flags.integer({ summary: 'MAGQA: concurrent judge requests (default 8).' }),
  batch: Flags.boolean({ summary: 'MAGQA: submit GPT-4o judge requests through the OpenAI Batch API.' }),
  'max-judge-failures': Flags.string({ summary: 'MAGQA, standard protocol: the largest tolerated share of failed judge calls (default 0.01).' }),
  'judge-parse': Flags.string({ summary: 'MAGQA: judge reply parsing: strict (one digit 1–5), first-char, last-char or int (the original parsers); saved replies are re-parsed with it.', options: ['strict', 'first-char', 'last-char', 'int'] }),
  'unparsable-score': Flags.string({ summary: 'MAGQA: an unparsable judge reply scores 1, stops the run (fail) or is excluded (default one under mmduet, exclude under standard).', options: ['one', 'fail', 'exclude'] }),
  'max-unparsable-rate': Flags.string({ summary: 'MAGQA: the largest share of unparsable judge replies before the metric is invalid (default 0.01).' }),
  'allow-missing-judgements': Flags.boolean({ summary: 'MAGQA: pairs the judge never answered score 1 (legacy; excluded under standard) instead of leaving the judge stage incomplete.' }),
  meteor: Flags.string({ summary: 'METEOR implementation: native (TypeScript) or java (the original jar).', options: ['native', 'java'] }),
  'meteor-jar': Flags.string({ summary: 'Path to meteor-1.5.jar for --meteor java.', env: 'MMDUET_METEOR_JAR' }),
  'meteor-paraphrase': Flags.string({ summary: 'METEOR paraphrase table (paraphrase-en.gz).', env: 'MMDUET_METEOR_PARAPHRASE' }),
};

type ParsedScoringFlags = {
  [K in keyof typeof scoringFlags]?: unknown;
};

/** Splits parsed flags into protocol, convention overrides and benchmark parameters. */
export function scoringOptionsFromFlags(flags: ParsedScoringFlags): {
  protocol: Protocol;
  overrides: Partial<Conventions>;
  params: Record<string, string | number | boolean | undefined>;
} {
  const s = (v: unknown) => (v === undefined ? undefined : String(v));
  const b = (v: unknown) => (v === undefined ? undefined : Boolean(v));
  const overrides: Partial<Conventions> = {
    f1: s(flags.f1) as Conventions['f1'] | undefined,
    missingVideos: s(flags['missing-videos']) as Conventions['missingVideos'] | undefined,
    stripNonAscii: b(flags['strip-non-ascii']),
    rawSpans: b(flags['raw-spans']),
    sodaVariant: s(flags['soda-variant']) as Conventions['sodaVariant'] | undefined,
    sodaScorer: s(flags['soda-scorer']) as Conventions['sodaScorer'] | undefined,
    dvcFirstCaption: s(flags['dvc-first-caption']) as Conventions['dvcFirstCaption'] | undefined,
    qvhClipScore: s(flags['qvh-clip-score']) as Conventions['qvhClipScore'] | undefined,
    qvhStrict: b(flags['qvh-strict']),
    charadesBaselineMetric: s(flags['charades-baseline-metric']) as Conventions['charadesBaselineMetric'] | undefined,
    scoreRounding: s(flags['score-rounding']) as Conventions['scoreRounding'] | undefined,
    padWithOne: b(flags['pad-with-one']),
    numExamples: flags['num-examples'] as number | undefined,
    baselineAllMatch: b(flags['baseline-all-match']),
  };
  const threshold = flags.threshold === undefined ? undefined : Number(flags.threshold);
  const params = {
    w: flags.w as number | undefined,
    threshold,
    baselineFormat: s(flags['baseline-format']),
    judge: s(flags.judge),
    judgments: s(flags.judgments),
    judgeRunDir: s(flags['judge-run-dir']),
    model: s(flags['judge-model']),
    baseUrl: s(flags['base-url']),
    concurrency: flags.concurrency as number | undefined,
    batch: flags.batch === true ? true : undefined,
    maxJudgeFailures: flags['max-judge-failures'] === undefined ? undefined : Number(flags['max-judge-failures']),
    parse: s(flags['judge-parse']),
    unparsableScore: s(flags['unparsable-score']),
    maxUnparsableRate: flags['max-unparsable-rate'] === undefined ? undefined : Number(flags['max-unparsable-rate']),
    allowMissingJudgements: flags['allow-missing-judgements'] === true ? true : undefined,
    meteor: s(flags.meteor),
    meteorJar: s(flags['meteor-jar']),
    meteorParaphrase: s(flags['meteor-paraphrase']),
  };
  return { protocol: (flags.protocol as Protocol | undefined) ?? 'mmduet', overrides, params };
}
