import type { CaptionItem, CaptionScorer, CorpusScore } from './caption-types.js';
import { internedCount, internerGeneration, PROFILE_MAX_N, withNgramProfiles, type NgramProfile } from './ngrams.js';
import { mean } from './rouge.js';

const MAX_N = PROFILE_MAX_N;
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

/** tf·idf vector of one text in one call: values at the positions of its profile's ids. */
interface TfIdfVector {
  p: NgramProfile;
  vals: Float64Array;
  norm: number[];
  /** Number of bigram occurrences (coco-caption's "length" for the penalty). */
  length: number;
}

/**
 * What a call's references determine: document frequencies (in the dense scratch arrays, tagged
 * `dfTag`), idf by document frequency, and the tf·idf vector of every text seen with them. SODA_c
 * calls the scorer once per gold caption with the same references, so the last context is kept
 * and reused when the next call's references are the very same texts.
 */
interface IdfContext {
  generation: number;
  refs: NgramProfile[][];
  dfTag: number;
  /** idfByDf[d] = log N − log max(1, d) for d = 0..N. */
  idfByDf: Float64Array;
  vectors: Map<NgramProfile, TfIdfVector>;
}

// Dense scratch arrays indexed by n-gram id; an entry counts only when its stamp is current, so
// nothing is ever cleared. Reused by every call (ciderD is synchronous).
let stamp = 0;
let dfStamp = new Int32Array(0);
let dfCount = new Int32Array(0);
let itemStamp = new Int32Array(0);
let pairStamp = new Int32Array(0);
let pairVal = new Float64Array(0);
let lastContext: IdfContext | null = null;

function nextStamp(): number {
  if (stamp >= 0x7fffffff) {
    // Wrap-around: forget every tag (and the context whose df entries they marked).
    for (const a of [dfStamp, itemStamp, pairStamp]) a.fill(0);
    stamp = 0;
    lastContext = null;
  }
  return ++stamp;
}

function growScratch(size: number): void {
  if (dfStamp.length >= size) return;
  const cap = Math.max(size, dfStamp.length * 2, 1024);
  const grow = <A extends Int32Array | Float64Array>(a: A, make: (n: number) => A): A => {
    const b = make(cap);
    b.set(a);
    return b;
  };
  dfStamp = grow(dfStamp, (n) => new Int32Array(n));
  dfCount = grow(dfCount, (n) => new Int32Array(n));
  itemStamp = grow(itemStamp, (n) => new Int32Array(n));
  pairStamp = grow(pairStamp, (n) => new Int32Array(n));
  pairVal = grow(pairVal, (n) => new Float64Array(n));
}

function sameReferences(a: NgramProfile[][], b: NgramProfile[][]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}

/** Document frequency of each n-gram: the number of items whose references contain it. */
function idfContext(refs: NgramProfile[][]): IdfContext {
  const last = lastContext;
  if (last && last.generation === internerGeneration && sameReferences(last.refs, refs)) return last;
  const dfTag = nextStamp();
  for (const refSet of refs) {
    const item = nextStamp();
    for (const r of refSet) {
      for (let k = 0; k < r.ids.length; k++) {
        const g = r.ids[k]!;
        if (itemStamp[g] === item) continue;
        itemStamp[g] = item;
        if (dfStamp[g] === dfTag) dfCount[g]!++;
        else {
          dfStamp[g] = dfTag;
          dfCount[g] = 1;
        }
      }
    }
  }
  const logN = Math.log(refs.length);
  const idfByDf = new Float64Array(refs.length + 1);
  for (let d = 0; d <= refs.length; d++) idfByDf[d] = logN - Math.log(Math.max(1, d));
  const ctx: IdfContext = { generation: internerGeneration, refs, dfTag, idfByDf, vectors: new Map() };
  lastContext = ctx;
  return ctx;
}

function tfIdfVector(ctx: IdfContext, p: NgramProfile): TfIdfVector {
  let v = ctx.vectors.get(p);
  if (v) return v;
  const vals = new Float64Array(p.ids.length);
  const norm: number[] = [];
  let length = 0;
  for (let n = 0; n < MAX_N; n++) {
    let sq = 0;
    for (let k = p.start[n]!; k < p.start[n + 1]!; k++) {
      const g = p.ids[k]!;
      const tf = p.counts[k]!;
      const x = tf * ctx.idfByDf[dfStamp[g] === ctx.dfTag ? dfCount[g]! : 0]!;
      vals[k] = x;
      sq += x * x;
      if (n === 1) length += tf;
    }
    norm.push(Math.sqrt(sq));
  }
  v = { p, vals, norm, length };
  ctx.vectors.set(p, v);
  return v;
}

/**
 * Adds sim(h, r) per order to `sum`: clipped dot product over the n-grams of h in h's order
 * (n-grams absent from r add exactly +0, so they are skipped), normalised, times the penalty.
 */
function addSimilarity(h: TfIdfVector, r: TfIdfVector, sum: number[]): void {
  const delta = h.length - r.length;
  const penalty = Math.exp(-(delta * delta) / (2 * CIDER_SIGMA * CIDER_SIGMA));
  const tag = nextStamp();
  const rIds = r.p.ids;
  for (let k = 0; k < rIds.length; k++) {
    pairStamp[rIds[k]!] = tag;
    pairVal[rIds[k]!] = r.vals[k]!;
  }
  const hIds = h.p.ids;
  const hStart = h.p.start;
  for (let n = 0; n < MAX_N; n++) {
    let val = 0;
    for (let k = hStart[n]!; k < hStart[n + 1]!; k++) {
      const g = hIds[k]!;
      if (pairStamp[g] !== tag) continue;
      const rv = pairVal[g]!;
      val += Math.min(h.vals[k]!, rv) * rv; // CIDEr-D clipping
    }
    if (h.norm[n] !== 0 && r.norm[n] !== 0) val /= h.norm[n]! * r.norm[n]!;
    sum[n]! += val * penalty;
  }
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
  const scores = withNgramProfiles((profile) => {
    const cands = items.map((it) => profile(it.candidate));
    const refs = items.map((it) => {
      if (it.references.length === 0) throw new Error(`CIDEr-D: item ${it.id} has no references`);
      return it.references.map(profile);
    });
    growScratch(internedCount());
    const ctx = idfContext(refs);
    return cands.map((c, i) => {
      const h = tfIdfVector(ctx, c);
      const sum = new Array<number>(MAX_N).fill(0);
      for (const r of refs[i]!) addSimilarity(h, tfIdfVector(ctx, r), sum);
      return (mean(sum) / refs[i]!.length) * 10;
    });
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
