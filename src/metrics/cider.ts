import type { CaptionItem, CaptionScorer, CorpusScore } from './caption-types.js';
import { ngramCountsByOrder, pySplit } from './ngrams.js';
import { mean } from './rouge.js';

const MAX_N = 4;
/** Width of CIDEr-D's Gaussian length penalty. */
export const CIDER_SIGMA = 6;

export interface CiderOptions {
  /**
   * Order of `perItem`. 'input' (default): one score per item in input order. 'sorted-string':
   * the items sorted by id as Python sorts strings (code-point order), which is how TimeChat's
   * copy hands per-item scores back to its SODA_c code (metrics.md §2.9) — a caller that then
   * reads them positionally reproduces TimeChat's misalignment for >= 11 predictions.
   */
  keyOrder?: 'input' | 'sorted-string';
}

interface NgramVector {
  /** One map per n (index n-1): n-gram -> tf * idf. */
  vec: Map<string, number>[];
  norm: number[];
  /** Number of bigram occurrences (coco-caption's "length" for the penalty). */
  length: number;
}

function countsByOrder(text: string): Map<string, number>[] {
  return ngramCountsByOrder(pySplit(text), MAX_N);
}

/** Python's string ordering (code points), not JavaScript's UTF-16 code-unit order. */
export function comparePyStrings(a: string, b: string): number {
  const ca = Array.from(a, (c) => c.codePointAt(0)!);
  const cb = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) if (ca[i] !== cb[i]) return ca[i]! - cb[i]!;
  return ca.length - cb.length;
}

/**
 * CIDEr-D as pycocoevalcap's `Cider` computes it: idf from the references of this call
 * (log N − log max(1, df)), clipped tf·idf vectors, σ = 6 penalty on the bigram-count difference,
 * mean over n = 1..4, averaged over references, ×10. Throws on an empty call (as the reference).
 */
export function ciderD(items: CaptionItem[], opts: CiderOptions = {}): CorpusScore {
  if (items.length === 0) throw new Error('CIDEr-D needs at least one item');
  const cands = items.map((it) => countsByOrder(it.candidate));
  const refs = items.map((it) => {
    if (it.references.length === 0) throw new Error(`CIDEr-D: item ${it.id} has no references`);
    return it.references.map(countsByOrder);
  });
  const df = new Map<string, number>();
  for (const refSet of refs) {
    const seen = new Set<string>();
    for (const r of refSet) for (const m of r) for (const g of m.keys()) seen.add(g);
    for (const g of seen) df.set(g, (df.get(g) ?? 0) + 1);
  }
  const logN = Math.log(items.length);
  const idfCache = new Map<string, number>();
  const idf = (g: string): number => {
    let v = idfCache.get(g);
    if (v === undefined) {
      v = logN - Math.log(Math.max(1, df.get(g) ?? 0));
      idfCache.set(g, v);
    }
    return v;
  };

  const toVector = (counts: Map<string, number>[]): NgramVector => {
    const vec = counts.map(() => new Map<string, number>());
    const norm = new Array<number>(MAX_N).fill(0);
    let length = 0;
    counts.forEach((m, n) => {
      for (const [g, tf] of m) {
        const v = tf * idf(g);
        vec[n]!.set(g, v);
        norm[n]! += v * v;
        if (n === 1) length += tf;
      }
    });
    return { vec, norm: norm.map(Math.sqrt), length };
  };

  const sim = (h: NgramVector, r: NgramVector): number[] => {
    const delta = h.length - r.length;
    const penalty = Math.exp(-(delta * delta) / (2 * CIDER_SIGMA * CIDER_SIGMA));
    return h.vec.map((hm, n) => {
      const rm = r.vec[n]!;
      let val = 0;
      for (const [g, hv] of hm) {
        const rv = rm.get(g) ?? 0;
        val += Math.min(hv, rv) * rv; // CIDEr-D clipping
      }
      if (h.norm[n] !== 0 && r.norm[n] !== 0) val /= h.norm[n]! * r.norm[n]!;
      return val * penalty;
    });
  };

  const scores = cands.map((c, i) => {
    const h = toVector(c);
    const sum = new Array<number>(MAX_N).fill(0);
    for (const rc of refs[i]!) sim(h, toVector(rc)).forEach((v, n) => (sum[n]! += v));
    return (mean(sum) / refs[i]!.length) * 10;
  });
  const corpus = mean(scores);
  if (opts.keyOrder === 'sorted-string') {
    const order = items.map((_, i) => i).sort((a, b) => comparePyStrings(items[a]!.id, items[b]!.id));
    return { corpus, perItem: order.map((i) => scores[i]!) };
  }
  return { corpus, perItem: scores };
}

/** CIDEr-D as a pluggable caption scorer (dense captioning, SODA_c `--soda-scorer cider`). */
export const ciderScorer: CaptionScorer = {
  name: 'CIDEr',
  description: 'CIDEr-D (pycocoevalcap Cider: idf from the references of each call, sigma 6, clipped, x10)',
  async score(items: CaptionItem[]): Promise<CorpusScore> {
    return ciderD(items);
  },
};
