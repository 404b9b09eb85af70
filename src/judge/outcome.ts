/**
 * What failed judgements do to the MAGQA in-span score (judge.md §6), shared by `mmduet judge` and
 * `mmduet score magqa --judgments` so that both count, name and treat failures the same way:
 * - an unparsable reply is a reply: scored 1 (mmduet), excluded (standard) or a stop (`fail`), and guarded by
 *   `maxUnparsableRate`;
 * - a missing reply (transport failure, failed or expired batch line, no saved judgement) is never a score: the judge
 *   stage is incomplete and no headline is given, unless `allowMissingJudgements` (then 1 under mmduet, excluded under
 *   standard);
 * - under `standard`, all failures together are also guarded by `maxJudgeFailures` (the project issue's rule).
 */
import { InputError } from '../errors.js';
import type { Protocol } from '../benchmarks/conventions.js';
import type { MagqaInputs } from '../benchmarks/magqa/data.js';
import type { InSpanOptions, InSpanResult } from '../metrics/inspan.js';

export type UnparsableScore = 'one' | 'fail' | 'exclude';
export const UNPARSABLE_SCORES: UnparsableScore[] = ['one', 'fail', 'exclude'];

export interface FailurePolicy {
  unparsableScore: UnparsableScore;
  allowMissingJudgements: boolean;
  /** Fraction of judged pairs; above it the metric is invalid (both protocols). */
  maxUnparsableRate: number;
  /** Standard protocol: fraction of judged pairs that may fail (unparsable plus allowed missing). */
  maxJudgeFailures: number;
}

export function failurePolicy(protocol: Protocol, over: Partial<FailurePolicy> = {}): FailurePolicy {
  const unparsableScore = over.unparsableScore ?? (protocol === 'mmduet' ? 'one' : 'exclude');
  if (!UNPARSABLE_SCORES.includes(unparsableScore)) {
    throw new InputError(`--unparsable-score: expected one of ${UNPARSABLE_SCORES.join(', ')}, found ${JSON.stringify(unparsableScore)}`);
  }
  const policy = {
    unparsableScore,
    allowMissingJudgements: over.allowMissingJudgements ?? false,
    maxUnparsableRate: over.maxUnparsableRate ?? 0.01,
    maxJudgeFailures: over.maxJudgeFailures ?? 0.01,
  };
  for (const [name, v] of [['max-unparsable-rate', policy.maxUnparsableRate], ['max-judge-failures', policy.maxJudgeFailures]] as const) {
    if (!Number.isFinite(v) || v < 0 || v > 1) throw new InputError(`--${name}: expected a fraction between 0 and 1, found ${v}`);
  }
  return policy;
}

/** How the in-span score treats the two kinds of failed cells under `policy`. */
export function failedCellRules(protocol: Protocol, policy: FailurePolicy): Pick<InSpanOptions, 'failedCell' | 'unparsableCell' | 'missingCell'> {
  const legacy = protocol === 'mmduet' ? 'one' : 'exclude';
  return {
    failedCell: legacy,
    unparsableCell: policy.unparsableScore === 'one' ? 'one' : 'exclude',
    missingCell: legacy,
  };
}

/** Distinct pairs the score needs, and how many of them failed (each pair counted once). */
export interface PairTally {
  judged: number;
  unparsable: number;
  missing: number;
}

export interface FailureVerdict {
  /** Missing replies not allowed: the one-line message saying so, else null. */
  incomplete: string | null;
  /** Guards that tripped (unparsable rate, `fail`, standard failure rate). */
  invalid: string[];
  /** False when no headline may be given (incomplete, or `--unparsable-score fail` stopped the run). */
  headline: boolean;
}

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

/**
 * `whereMissing`: the incomplete message after "N of M pairs", naming where the replies should have come from and
 * how to get them (differs between a judge run and saved judgements).
 */
export function failureVerdict(protocol: Protocol, policy: FailurePolicy, t: PairTally, whereMissing: string): FailureVerdict {
  const rate = (n: number) => (t.judged === 0 ? 0 : n / t.judged);
  const invalid: string[] = [];
  let incomplete: string | null = null;
  if (t.missing > 0 && !policy.allowMissingJudgements) {
    const legacy = protocol === 'mmduet' ? 'score them 1' : 'exclude them from the mean';
    incomplete = `${t.missing} of ${t.judged} pairs ${whereMissing}, or pass --allow-missing-judgements to ${legacy}`;
  }
  if (t.unparsable > 0 && policy.unparsableScore === 'fail') {
    invalid.push(`${t.unparsable} of ${t.judged} judged pairs got an unparsable reply (--unparsable-score fail)`);
  } else if (rate(t.unparsable) > policy.maxUnparsableRate) {
    invalid.push(`${t.unparsable} of ${t.judged} judged pairs got an unparsable reply (${pct(rate(t.unparsable))} > ${pct(policy.maxUnparsableRate)} allowed by --max-unparsable-rate)`);
  }
  const failed = t.unparsable + (policy.allowMissingJudgements ? t.missing : 0);
  if (protocol === 'standard' && rate(failed) > policy.maxJudgeFailures) {
    invalid.push(`${failed} of ${t.judged} judged pairs failed (${pct(rate(failed))} > ${pct(policy.maxJudgeFailures)} allowed by --max-judge-failures under --protocol standard)`);
  }
  return { incomplete, invalid, headline: incomplete === null && !(t.unparsable > 0 && policy.unparsableScore === 'fail') };
}

/** The missing-reply message of a judge run. */
export function noReplyFrom(host: string): string {
  return `got no reply from ${host}: rerun the same command to retry them (answered pairs are cached)`;
}

/** Thrown when the judge stage is incomplete: one line, exit code 2 like every InputError. */
export class JudgeIncompleteError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'JudgeIncompleteError';
  }
}

/** Throws the verdict's error, if any: incomplete first (the one line the user must act on), then invalid. */
export function throwOnVerdict(v: FailureVerdict, prefix: string, where: string): void {
  if (v.incomplete) throw new JudgeIncompleteError(`${prefix}: ${v.incomplete}`);
  if (v.invalid.length > 0) throw new InputError(`${prefix}: INVALID: ${v.invalid.join('; ')}; see ${where}`);
}

/** The counts both MAGQA paths report, named for what they count. */
export function magqaCounts(inputs: MagqaInputs, t: PairTally, c: InSpanResult['counts']): Record<string, number> {
  return {
    gold_examples: inputs.goldExamples,
    examples_with_predictions: inputs.examples.length,
    missing_predictions: inputs.missingPredictions,
    predictions_not_in_gold: inputs.unknownPredictions,
    judged_pairs: t.judged,
    unparsable: t.unparsable,
    missing_replies: t.missing,
    scored: c.scored,
    n_padded: c.n_padded,
    examples_truncated: c.truncated,
    examples_without_gold: c.no_gold,
    examples_skipped_untimed: c.skipped_untimed,
    gold_answers_with_empty_span: c.empty_span,
    unjudged_cells: c.unjudged_cells,
    failed_cells: c.failed_cells,
    failed_cells_scored_1: c.failed_cells_scored_1,
    failed_cells_excluded: c.failed_cells_excluded,
    gold_answers_excluded: c.gold_excluded,
    examples_excluded: c.examples_excluded,
  };
}

export interface NotesInput {
  inputs: MagqaInputs;
  result: InSpanResult;
  protocol: Protocol;
  judgeName: string;
  tally: PairTally;
  policy: FailurePolicy;
  verdict: FailureVerdict;
}

/** Notes every user of the MAGQA numbers should see (shared by `mmduet judge` and `mmduet score`). */
export function magqaNotes(x: NotesInput): string[] {
  const notes = ['in_span_score is on the judge scale 1–5 (not percent), turns and turns_dedup are mean counts per example, as in paper Table 4.'];
  if (x.judgeName === 'lexical') notes.push('judge "lexical" is an offline token-overlap F1 stand-in mapped to 1–5: not the paper\'s metric; do not compare with Table 4.');
  const c = x.result.counts;
  const t = x.tally;
  if (x.verdict.incomplete) notes.push(`INCOMPLETE: ${x.verdict.incomplete}. No in_span_score is given.`);
  for (const g of x.verdict.invalid) notes.push(`INVALID: ${g}.`);
  if (c.n_padded > 0) notes.push(`${c.n_padded} example(s) padded with in-span 1 and 0 turns up to ${c.scored + c.n_padded} (released scorer convention; ${x.inputs.missingPredictions} gold example(s) had no prediction line).`);
  else if (x.inputs.missingPredictions > 0) notes.push(`${x.inputs.missingPredictions} gold example(s) had no prediction line and are not in the mean (no padding).`);
  if (c.truncated > 0) notes.push(`${c.truncated} example(s) beyond the first ${c.scored} dropped (legacy "first N, pad to N").`);
  if (t.unparsable > 0) {
    const how = { one: 'scored 1 (released scorer convention)', exclude: 'excluded from the mean', fail: 'stopping the score (--unparsable-score fail)' }[x.policy.unparsableScore];
    notes.push(`${t.unparsable} of ${t.judged} judged pair(s) got an unparsable reply (raw replies in failures): ${how}.`);
  }
  if (t.missing > 0 && x.policy.allowMissingJudgements) {
    const how = x.protocol === 'mmduet' ? 'scored 1 (legacy, --allow-missing-judgements)' : 'excluded from the mean (--allow-missing-judgements)';
    notes.push(`${t.missing} of ${t.judged} judged pair(s) got no reply: ${how}.`);
  }
  if (c.failed_cells > 0) notes.push(`${c.failed_cells} cell(s) read a failed pair: ${c.failed_cells_scored_1} scored 1, ${c.failed_cells_excluded} excluded.`);
  if (c.unjudged_cells > 0) notes.push(`${c.unjudged_cells} cell(s) had no judgement and scored 1.`);
  if (c.skipped_untimed > 0) notes.push(`${c.skipped_untimed} example(s) with an untimed baseline answer skipped (baselineAllMatch off).`);
  if (x.inputs.untimedBaselineAnswers > 0) notes.push(`${x.inputs.untimedBaselineAnswers} baseline response(s) had no parsable timestamp and were paired with every gold answer.`);
  if (x.inputs.unknownPredictions > 0) notes.push(`${x.inputs.unknownPredictions} prediction line(s) have a question_id absent from the gold file and were ignored.`);
  if (c.no_gold > 0) notes.push(`${c.no_gold} example(s) have no gold answer and contribute no score.`);
  if (c.gold_excluded > 0) notes.push(`${c.gold_excluded} gold answer(s) whose every cell failed were dropped; ${c.examples_excluded} example(s) dropped entirely.`);
  return notes;
}
