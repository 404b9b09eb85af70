/**
 * Offline stand-in judge: token-overlap F1 between gold and predicted answer mapped to 1–5.
 * Deterministic and free, for smoke tests and pipelines without an API. It is NOT the paper's metric.
 */

/** Lower-cased runs of letters and digits. */
export function lexicalTokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** SQuAD-style token F1 over multisets. */
export function tokenF1(gold: string, pred: string): number {
  const g = lexicalTokens(gold);
  const p = lexicalTokens(pred);
  if (g.length === 0 || p.length === 0) return g.length === p.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const t of g) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of p) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      common++;
      counts.set(t, c - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / p.length;
  const recall = common / g.length;
  return (2 * precision * recall) / (precision + recall);
}

/** 1 + round(4·F1): F1 0 -> 1, 0.5 -> 3, 1 -> 5 (halves round up). */
export function lexicalScore(gold: string, pred: string): number {
  return 1 + Math.round(4 * tokenF1(gold, pred));
}

export const LEXICAL_VERSION = 'lexical-token-f1-v1: 1 + round(4 * F1(lowercased [\\p{L}\\p{N}]+ tokens))';
