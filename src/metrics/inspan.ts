/**
 * MAGQA in-span score and number of turns (metrics.md §5, §6), as pure functions over plain data.
 *
 * Scores are on the judge's 1–5 scale (not a fraction, not percent): the paper prints them as is.
 */

/** A predicted answer. `time` −1 marks a baseline answer without a parsed timestamp. */
export interface PredictedTurn {
  text: string;
  time: number;
}

/** A gold answer with its in-span window `[start, end]` (both ends inclusive). */
export interface GoldAnswer {
  text: string;
  start: number;
  end: number;
}

export interface InSpanExample {
  id: string;
  question: string;
  turns: PredictedTurn[];
  gold: GoldAnswer[];
}

/** Time value of a baseline answer whose timestamp could not be parsed (benchmarks.md §4). */
export const UNTIMED = -1;

/**
 * What the judge said about one (gold text, predicted text) pair of one example: a score 1–5, `'unparsable'`
 * (a reply that is not a score), `'missing'` (no reply: transport failure or no saved judgement), `'failed'`
 * (either, when the caller does not tell them apart), or `undefined` (not judged).
 */
export type FailedCell = 'failed' | 'unparsable' | 'missing';
export type CellValue = number | FailedCell | undefined;
export type ScoreLookup = (example: InSpanExample, goldText: string, predText: string) => CellValue;

export interface InSpanOptions {
  /** A turn with time −1 belongs to every P_q; when false, examples holding such a turn are skipped (then padded). */
  baselineAllMatch: boolean;
  /** Pad with score 1 / turns 0 up to `numExamples` examples (the released scorer's convention). */
  padWithOne: boolean;
  numExamples: number;
  /** A failed cell scores 1 (original convention) or is dropped from its P_q mean. */
  failedCell: 'one' | 'exclude';
  /** Overrides `failedCell` for `'unparsable'` cells. */
  unparsableCell?: 'one' | 'exclude';
  /** Overrides `failedCell` for `'missing'` cells. */
  missingCell?: 'one' | 'exclude';
}

export interface InSpanExampleScore {
  id: string;
  score: number;
  turns: number;
  turnsDedup: number;
}

export interface InSpanResult {
  /** Mean example score on the 1–5 scale; null when no example could be scored. */
  inSpanScore: number | null;
  turns: number | null;
  turnsDedup: number | null;
  perExample: InSpanExampleScore[];
  counts: {
    examples: number;
    scored: number;
    n_padded: number;
    /** Examples beyond `numExamples` that the legacy "first N, pad to N" rule drops. */
    truncated: number;
    no_gold: number;
    skipped_untimed: number;
    /** Gold answers whose P_q was empty (score 1). */
    empty_span: number;
    /** Cells used by the score that were never judged (score 1). */
    unjudged_cells: number;
    /** Cells used by the score whose judgement failed (unparsable or missing), scored 1 or excluded. */
    failed_cells: number;
    failed_cells_scored_1: number;
    failed_cells_excluded: number;
    /** Gold answers dropped because every cell of their P_q failed (failedCell 'exclude'). */
    gold_excluded: number;
    /** Examples dropped because every gold answer was excluded. */
    examples_excluded: number;
  };
}

/** True when predicted time `time` falls in the gold window (both ends inclusive), or is untimed. */
export function inSpan(time: number, gold: GoldAnswer, baselineAllMatch: boolean): boolean {
  if (time === UNTIMED && baselineAllMatch) return true;
  return gold.start <= time && time <= gold.end;
}

export function hasUntimedTurn(ex: InSpanExample): boolean {
  return ex.turns.some((t) => t.time === UNTIMED);
}

/** Number of distinct turn texts (exact, case-sensitive equality). */
export function distinctTexts(turns: PredictedTurn[]): number {
  return new Set(turns.map((t) => t.text)).size;
}

/**
 * The (gold text, predicted text) pairs the in-span score reads for one example, deduplicated as judge.md §2:
 * a pair is needed when some turn with that text lies in the span of some gold answer with that text.
 */
export function pairsNeeded(ex: InSpanExample, baselineAllMatch: boolean): { gold: string; pred: string }[] {
  const out: { gold: string; pred: string }[] = [];
  const seen = new Set<string>();
  for (const g of ex.gold) {
    for (const t of ex.turns) {
      if (!inSpan(t.time, g, baselineAllMatch)) continue;
      const key = JSON.stringify([g.text, t.text]);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ gold: g.text, pred: t.text });
    }
  }
  return out;
}

/** Every (example, gold text, pred text) cell the score reads, deduplicated within each example. */
export function* cellsNeeded(examples: InSpanExample[], baselineAllMatch: boolean): Generator<{ ex: InSpanExample; gold: string; pred: string }> {
  for (const ex of examples) {
    if (!baselineAllMatch && hasUntimedTurn(ex)) continue; // skipped by the score
    for (const { gold, pred } of pairsNeeded(ex, baselineAllMatch)) yield { ex, gold, pred };
  }
}

function failedCellRule(v: FailedCell, opts: InSpanOptions): 'one' | 'exclude' {
  if (v === 'unparsable') return opts.unparsableCell ?? opts.failedCell;
  if (v === 'missing') return opts.missingCell ?? opts.failedCell;
  return opts.failedCell;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** In-span score, # turns and # turns w/ dedup over a list of examples (metrics.md §5, §6). */
export function inSpanScore(examples: InSpanExample[], lookup: ScoreLookup, opts: InSpanOptions): InSpanResult {
  const counts: InSpanResult['counts'] = {
    examples: examples.length,
    scored: 0,
    n_padded: 0,
    truncated: 0,
    no_gold: 0,
    skipped_untimed: 0,
    empty_span: 0,
    unjudged_cells: 0,
    failed_cells: 0,
    failed_cells_scored_1: 0,
    failed_cells_excluded: 0,
    gold_excluded: 0,
    examples_excluded: 0,
  };
  const perExample: InSpanExampleScore[] = [];
  for (const ex of examples) {
    if (ex.gold.length === 0) {
      counts.no_gold++;
      continue;
    }
    if (!opts.baselineAllMatch && hasUntimedTurn(ex)) {
      counts.skipped_untimed++;
      continue;
    }
    const goldScores: number[] = [];
    for (const g of ex.gold) {
      const cells: number[] = [];
      let matched = 0;
      for (const t of ex.turns) {
        if (!inSpan(t.time, g, opts.baselineAllMatch)) continue;
        matched++;
        const v = lookup(ex, g.text, t.text);
        if (v === undefined) {
          counts.unjudged_cells++;
          cells.push(1);
        } else if (typeof v === 'number') cells.push(v);
        else {
          counts.failed_cells++;
          if (failedCellRule(v, opts) === 'one') {
            counts.failed_cells_scored_1++;
            cells.push(1);
          } else counts.failed_cells_excluded++;
        }
      }
      if (matched === 0) {
        counts.empty_span++;
        goldScores.push(1);
      } else if (cells.length === 0) counts.gold_excluded++;
      else goldScores.push(mean(cells));
    }
    if (goldScores.length === 0) {
      counts.examples_excluded++;
      continue;
    }
    perExample.push({ id: ex.id, score: mean(goldScores), turns: ex.turns.length, turnsDedup: distinctTexts(ex.turns) });
  }
  let used = perExample;
  let denominator = perExample.length;
  if (opts.padWithOne) {
    if (used.length > opts.numExamples) {
      counts.truncated = used.length - opts.numExamples;
      used = used.slice(0, opts.numExamples);
    }
    counts.n_padded = opts.numExamples - used.length;
    denominator = opts.numExamples;
  }
  counts.scored = used.length;
  if (denominator === 0) return { inSpanScore: null, turns: null, turnsDedup: null, perExample: used, counts };
  const sum = (f: (e: InSpanExampleScore) => number) => used.reduce((a, e) => a + f(e), 0);
  return {
    inSpanScore: (sum((e) => e.score) + counts.n_padded * 1) / denominator,
    turns: sum((e) => e.turns) / denominator,
    turnsDedup: sum((e) => e.turnsDedup) / denominator,
    perExample: used,
    counts,
  };
}
