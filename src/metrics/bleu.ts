import type { CaptionItem } from './caption-types.js';
import { PROFILE_MAX_N, withNgramProfiles, type NgramProfile } from './ngrams.js';

/** BLEU-1..4 exactly as coco-caption's BleuScorer computes them (option 'closest'). */
export interface BleuResult {
  /** Corpus BLEU-1..BLEU-4 (fractions). */
  corpus: number[];
  /** perItem[k][i] = BLEU-(k+1) of item i, in input order (as pycocoevalcap returns them). */
  perItem: number[][];
}

const MAX_N = PROFILE_MAX_N;
// BleuScorer's smoothing constants: numerators get TINY, denominators SMALL.
const TINY = 1e-15;
const SMALL = 1e-9;

interface BleuStats {
  testLen: number;
  refLen: number;
  guess: number[];
  correct: number[];
}

/** Reference length closest to the candidate length; ties go to the shorter reference. */
function closestRefLength(refLens: number[], testLen: number): number {
  let best = refLens[0]!;
  for (const l of refLens) {
    const d = Math.abs(l - testLen);
    const bd = Math.abs(best - testLen);
    if (d < bd || (d === bd && l < best)) best = l;
  }
  return best;
}

function itemStats(item: CaptionItem, profile: (text: string) => NgramProfile, maxRefCounts: Map<number, number>): BleuStats {
  // coco-caption splits on Python whitespace (str.split()), so U+00A0 inside a "2 1/2" token splits here.
  const refs = item.references.map(profile);
  // N-gram ids are distinct across orders, so one map holds every order's clipping counts.
  maxRefCounts.clear();
  for (const r of refs) {
    for (let i = 0; i < r.ids.length; i++) if ((maxRefCounts.get(r.ids[i]!) ?? 0) < r.counts[i]!) maxRefCounts.set(r.ids[i]!, r.counts[i]!);
  }
  const test = profile(item.candidate);
  const testLen = test.nWords;
  const guess: number[] = [];
  const correct = new Array<number>(MAX_N).fill(0);
  for (let k = 0; k < MAX_N; k++) {
    guess.push(Math.max(0, testLen - k));
    for (let i = test.start[k]!; i < test.start[k + 1]!; i++) correct[k]! += Math.min(maxRefCounts.get(test.ids[i]!) ?? 0, test.counts[i]!);
  }
  return { testLen, refLen: closestRefLength(refs.map((r) => r.nWords), testLen), guess, correct };
}

/** BLEU-1..4 of one set of statistics: cumulative product of smoothed precisions, then the brevity penalty. */
function bleuOfStats(s: BleuStats): number[] {
  const out: number[] = [];
  let product = 1;
  for (let k = 0; k < MAX_N; k++) {
    product *= (s.correct[k]! + TINY) / (s.guess[k]! + SMALL);
    out.push(product ** (1 / (k + 1)));
  }
  // BleuScorer's brevity penalty uses the smoothed ratio, so an empty candidate gets exp(-huge) = 0.
  const ratio = (s.testLen + TINY) / (s.refLen + SMALL);
  if (ratio < 1) return out.map((b) => b * Math.exp(1 - 1 / ratio));
  return out;
}

export function bleu(items: CaptionItem[]): BleuResult {
  const total: BleuStats = { testLen: 0, refLen: 0, guess: new Array<number>(MAX_N).fill(0), correct: new Array<number>(MAX_N).fill(0) };
  const perItem: number[][] = Array.from({ length: MAX_N }, () => []);
  const maxRefCounts = new Map<number, number>();
  for (const item of items) {
    if (item.references.length === 0) throw new Error(`BLEU: item ${item.id} has no references`);
    const s = withNgramProfiles((profile) => itemStats(item, profile, maxRefCounts));
    total.testLen += s.testLen;
    total.refLen += s.refLen;
    for (let k = 0; k < MAX_N; k++) {
      total.guess[k]! += s.guess[k]!;
      total.correct[k]! += s.correct[k]!;
    }
    bleuOfStats(s).forEach((v, k) => perItem[k]!.push(v));
  }
  return { corpus: bleuOfStats(total), perItem };
}
