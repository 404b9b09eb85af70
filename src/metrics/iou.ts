/**
 * Temporal IoU variants (metrics.md §1). Each reference evaluator uses a different formula; the
 * differences change numbers at thresholds, so each is its own function.
 */
export type Span = readonly [number, number];

/** Variant A: densevid / SODA / TimeChat dense captioning. `union + 1e-8` makes an exact 0.5 fail `> 0.5`. */
export function iouDenseCap(a: Span, b: Span): number {
  const inter = Math.max(0, Math.min(a[1], b[1]) - Math.max(a[0], b[0]));
  const union = Math.min(Math.max(a[1], b[1]) - Math.min(a[0], b[0]), a[1] - a[0] + (b[1] - b[0]));
  return inter / (union + 1e-8);
}

/** Variant B1: Moment-DETR "cross" IoU, inter / (len1 + len2 − inter); no epsilon. */
export function iouCross(a: Span, b: Span): number {
  const inter = Math.max(0, Math.min(a[1], b[1]) - Math.max(a[0], b[0]));
  const union = a[1] - a[0] + (b[1] - b[0]) - inter;
  return inter / union;
}

/** Variant B2: Moment-DETR "paired" IoU, inter / (max end − min start); 0 when that is 0. */
export function iouPaired(a: Span, b: Span): number {
  const inter = Math.max(0, Math.min(a[1], b[1]) - Math.max(a[0], b[0]));
  const union = Math.max(a[1], b[1]) - Math.min(a[0], b[0]);
  return union === 0 ? 0 : inter / union;
}

/**
 * Variant C: TimeChat grounding. The reference raises on two identical points (0/0); we return 0
 * and let the caller count it.
 */
export function iouTimeChatTvg(a: Span, b: Span): number {
  const inter = Math.max(Math.min(a[1], b[1]) - Math.max(a[0], b[0]), 0);
  const union = Math.max(a[1], b[1]) - Math.min(a[0], b[0]);
  return union === 0 ? 0 : inter / union;
}

/** Variant D: MMDuet's integer-style "+1" IoU for text baselines on Charades. */
export function iouPlusOne(a: Span, b: Span): number {
  const inter = Math.max(0, Math.min(a[1], b[1]) - Math.max(a[0], b[0]) + 1);
  const union = Math.max(a[1], b[1]) - Math.min(a[0], b[0]) + 1;
  return union === 0 ? 0 : inter / union;
}

/** Variant E: frame-set IoU over sampled frames; 0 when the union is empty. */
export function iouFrames(pred: readonly boolean[], gold: readonly boolean[]): number {
  let inter = 0;
  let union = 0;
  const n = Math.max(pred.length, gold.length);
  for (let i = 0; i < n; i++) {
    const p = pred[i] === true;
    const g = gold[i] === true;
    if (p && g) inter++;
    if (p || g) union++;
  }
  return union === 0 ? 0 : inter / union;
}

/** Endpoints ordered (TimeChat/MMDuet sort each span; densevid/SODA use the raw pair). */
export function sortedSpan(s: Span): [number, number] {
  return s[0] <= s[1] ? [s[0], s[1]] : [s[1], s[0]];
}
