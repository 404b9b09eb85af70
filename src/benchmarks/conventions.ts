/**
 * The two named evaluation protocols (metrics.md §7) and the per-row conventions they fix.
 * A protocol picks a whole column; a flag overrides one row; the result lists every row that
 * differs from the protocol's column.
 */
export type Protocol = 'mmduet' | 'standard';

export interface Conventions {
  /** Dense captioning F1: mean of per-video F1 (TimeChat/MMDuet) or F1 of the averaged P and R. */
  f1: 'per-video' | 'of-means';
  /** Videos (or queries/examples) with no prediction line: dropped from scoring (MMDuet pre-filter) or scored 0. */
  missingVideos: 'drop' | 'zero';
  /** Replace every character >= U+0080 by a space before PTB tokenization (densevid/SODA). */
  stripNonAscii: boolean;
  /** Use spans as given (negative length when reversed) instead of sorting the endpoints. */
  rawSpans: boolean;
  /** SODA_c implementation: TimeChat copy (unsorted, misaligned >= 11 preds) or public SODA v1.1. */
  sodaVariant: 'timechat' | 'fujiso';
  /** Caption scorer inside SODA_c. */
  sodaScorer: 'meteor' | 'cider';
  /** MMDuet online-model conversion drops the first distinct caption (quirk Q8) or keeps it from 0 s. */
  dvcFirstCaption: 'drop' | 'keep';
  /** QVH clip score from frame relevance: the code's sum of 2 smoothed frames or the paper's min-max. */
  qvhClipScore: 'sum' | 'minmax';
  /** QVH: require prediction and gold qid sets to be equal (match_number=true). */
  qvhStrict: boolean;
  /** Charades text baselines: MMDuet scorer (parse failures dropped, IoU variant D) or standard R@1. */
  charadesBaselineMetric: 'mmduet' | 'standard';
  /** Per-frame scores rounded to 3 decimals before scoring (protocol Q5), or used as stored. */
  scoreRounding: '3' | 'none';
  /** MAGQA: pad missing examples with 1 (score) / 0 (turns) up to numExamples. */
  padWithOne: boolean;
  /** MAGQA: number of examples the released scorer pads to. */
  numExamples: number;
  /** MAGQA: a baseline answer with no time (-1) pairs with every gold answer. */
  baselineAllMatch: boolean;
}

export type ConventionKey = keyof Conventions;

const MMDUET: Conventions = {
  f1: 'per-video',
  missingVideos: 'drop',
  stripNonAscii: false,
  rawSpans: false,
  sodaVariant: 'timechat',
  sodaScorer: 'meteor',
  dvcFirstCaption: 'drop',
  qvhClipScore: 'sum',
  qvhStrict: false,
  charadesBaselineMetric: 'mmduet',
  scoreRounding: '3',
  padWithOne: true,
  numExamples: 2000,
  baselineAllMatch: true,
};

const STANDARD: Conventions = {
  ...MMDUET,
  f1: 'of-means',
  missingVideos: 'zero',
  stripNonAscii: true,
  rawSpans: true,
  sodaVariant: 'fujiso',
  qvhStrict: false,
  charadesBaselineMetric: 'standard',
  padWithOne: false,
};

export function protocolColumn(protocol: Protocol): Conventions {
  return { ...(protocol === 'mmduet' ? MMDUET : STANDARD) };
}

export interface ResolvedConventions {
  protocol: Protocol;
  conventions: Conventions;
  /** Rows set by a flag to a value other than the protocol's column. */
  overridden: { key: ConventionKey; protocolValue: unknown; value: unknown }[];
}

export function resolveConventions(protocol: Protocol, overrides: Partial<Conventions>): ResolvedConventions {
  const column = protocolColumn(protocol);
  const conventions = { ...column };
  const overridden: ResolvedConventions['overridden'] = [];
  for (const [k, v] of Object.entries(overrides) as [ConventionKey, unknown][]) {
    if (v === undefined) continue;
    if (column[k] !== v) overridden.push({ key: k, protocolValue: column[k], value: v });
    (conventions as unknown as Record<string, unknown>)[k] = v;
  }
  return { protocol, conventions, overridden };
}
