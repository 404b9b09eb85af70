/**
 * Which way each metric should move. Every accuracy-like metric of the paper (SODA_c, CIDEr, F1,
 * METEOR, BLEU, ROUGE-L, precision/recall, mAP, HIT@1, R@m, mIoU, in-span score) is higher-is-better.
 * Descriptive quantities (number of turns, predicted segments per video, timings, counts) are
 * informational: their changes are shown but never called regressions, because more or fewer turns
 * is not by itself better or worse and timings depend on the machine. No metric of ours is
 * lower-is-better; the direction exists so that one can be added here without touching the comparison.
 */
export type MetricDirection = 'higher' | 'lower' | 'informational';

interface DirectionRule {
  pattern: RegExp;
  direction: MetricDirection;
  why: string;
}

export const DIRECTION_RULES: readonly DirectionRule[] = [
  { pattern: /turns/i, direction: 'informational', why: 'number of turns (MAGQA # turns, with or without dedup)' },
  { pattern: /(^|[_\s#])(n|num|count)([_\s]|$)|segments/i, direction: 'informational', why: 'counts (e.g. n_padded, predicted segments per video)' },
  { pattern: /time|seconds|latency/i, direction: 'informational', why: 'timings (machine-dependent)' },
];

export function metricDirection(metric: string): MetricDirection {
  return DIRECTION_RULES.find((r) => r.pattern.test(metric))?.direction ?? 'higher';
}
