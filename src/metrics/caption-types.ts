/** One scoring item: a candidate caption and its references, both already PTB-tokenized (space-joined). */
export interface CaptionItem {
  id: string;
  candidate: string;
  references: string[];
}

/** Corpus value (fraction, not percent) plus one value per input item, in input order. */
export interface CorpusScore {
  corpus: number;
  perItem: number[];
}

/**
 * A single-number caption scorer (CIDEr-D, METEOR). Dense captioning and SODA_c take one of these,
 * so the scorer is pluggable (`--soda-scorer meteor|cider`).
 */
export interface CaptionScorer {
  /** Metric name as printed, e.g. "CIDEr" or "METEOR". */
  readonly name: string;
  /** Description recorded in provenance, e.g. which METEOR modules and WordNet ran. */
  readonly description: string;
  score(items: CaptionItem[]): Promise<CorpusScore>;
  close?(): Promise<void>;
}
