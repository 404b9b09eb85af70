import type { CaptionItem, CaptionScorer } from '../../src/metrics/caption-types.js';

/** Test scorer: an item scores 1 when its candidate equals its first reference; corpus = mean. */
export const exactMatchScorer: CaptionScorer = {
  name: 'EXACT',
  description: 'test scorer: candidate === first reference',
  async score(items: CaptionItem[]) {
    const perItem = items.map((it) => (it.candidate === it.references[0] ? 1 : 0));
    return { corpus: perItem.reduce((a, b) => a + b, 0) / perItem.length, perItem };
  },
};
