/** METEOR 1.5 (exact + stem + synonym [+ paraphrase]) in TypeScript: segment scoring against the best reference. */
import { align, prepareSentence, type Match, type Matchers, type Sentence } from './align.js';
import { meteorWords } from './normalize.js';
import { parseScoreLine, wrapperScoreLine } from './protocol.js';
import { computeStats, FULL_MODULE_WEIGHTS, MODULE_WEIGHTS, scoreParts, scoreStats, sumStats, type MeteorScoreParts, type MeteorStats, type ModuleWeights } from './stats.js';

export interface SegmentResult extends MeteorScoreParts {
  stats: MeteorStats;
  /** Index of the reference whose stats were kept (the first with the best score). */
  bestReference: number;
  hypWords: string[];
  refWords: string[];
  matches: Match[];
}

export interface CorpusResult {
  /** computeMetrics of the summed stats (spec §12); NaN when there are no segments. */
  aggregate: number;
  aggregateStats: MeteorStats;
  segments: SegmentResult[];
}

const SENTENCE_CACHE_LIMIT = 100_000;

export class NativeMeteor {
  /** Evaluations score the same sentences many times (each tIoU, each pairing): prepare each once. */
  private readonly sentences = new Map<string, Sentence>();
  /** Scoring weights of the modules that run: the paraphrase weight only when its stage runs. */
  readonly weights: ModuleWeights;
  constructor(private readonly matchers: Matchers) {
    this.weights = matchers.paraphrase ? FULL_MODULE_WEIGHTS : MODULE_WEIGHTS;
  }

  private sentence(text: string): Sentence {
    let s = this.sentences.get(text);
    if (!s) {
      if (this.sentences.size >= SENTENCE_CACHE_LIMIT) this.sentences.clear();
      s = prepareSentence(meteorWords(text));
      this.sentences.set(text, s);
    }
    return s;
  }

  /** Scores a hypothesis against each reference and keeps the first best (start value -1). */
  scoreSegment(hypothesis: string, references: readonly string[]): SegmentResult {
    const hyp = this.sentence(hypothesis);
    let best: SegmentResult | undefined;
    references.forEach((refText, k) => {
      const ref = this.sentence(refText);
      const matches = align(hyp, ref, this.matchers);
      const stats = computeStats(hyp, ref, matches);
      const parts = scoreParts(stats, this.weights);
      if (best === undefined || parts.score > best.score) {
        best = { ...parts, stats, bestReference: k, hypWords: hyp.words, refWords: ref.words, matches };
      }
    });
    if (!best) throw new Error('METEOR: a segment needs at least one reference');
    return best;
  }

  /** What the jar answers to the wrapper's SCORE line for this item. */
  scoreItem(candidate: string, references: readonly string[]): SegmentResult {
    const { references: refs, hypothesis } = parseScoreLine(wrapperScoreLine(candidate, references));
    return this.scoreSegment(hypothesis, refs.length > 0 ? refs : ['']);
  }

  scoreCorpus(items: readonly { candidate: string; references: readonly string[] }[]): CorpusResult {
    const segments = items.map((it) => this.scoreItem(it.candidate, it.references));
    const aggregateStats = sumStats(segments.map((s) => s.stats));
    return { aggregate: segments.length === 0 ? NaN : scoreStats(aggregateStats, this.weights), aggregateStats, segments };
  }
}
