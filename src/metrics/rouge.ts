import type { CaptionItem, CorpusScore } from './caption-types.js';

/** coco-caption's ROUGE-L weight of recall over precision. */
export const ROUGE_BETA = 1.2;

/** Length of the longest common subsequence of two token lists. */
export function lcsLength(a: string[], b: string[]): number {
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  let prev = new Array<number>(short.length + 1).fill(0);
  let cur = new Array<number>(short.length + 1).fill(0);
  for (let i = 1; i <= long.length; i++) {
    for (let j = 1; j <= short.length; j++) {
      cur[j] = long[i - 1] === short[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[short.length]!;
}

/** ROUGE-L F of one candidate against its references (coco-caption Rouge.calc_score). */
export function rougeLItem(candidate: string, references: string[]): number {
  // coco-caption splits on a single space, so an empty string is one empty token (length 1).
  const cand = candidate.split(' ');
  let precMax = 0;
  let recMax = 0;
  for (const ref of references) {
    const r = ref.split(' ');
    const lcs = lcsLength(r, cand);
    precMax = Math.max(precMax, lcs / cand.length);
    recMax = Math.max(recMax, lcs / r.length);
  }
  if (precMax === 0 || recMax === 0) return 0;
  const b2 = ROUGE_BETA * ROUGE_BETA;
  return ((1 + b2) * precMax * recMax) / (recMax + b2 * precMax);
}

/** ROUGE-L per item (input order) and their mean. */
export function rougeL(items: CaptionItem[]): CorpusScore {
  const perItem = items.map((it) => {
    if (it.references.length === 0) throw new Error(`ROUGE-L: item ${it.id} has no references`);
    return rougeLItem(it.candidate, it.references);
  });
  return { corpus: mean(perItem), perItem };
}

export function mean(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}
