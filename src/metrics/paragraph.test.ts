import { describe, expect, it } from 'vitest';
import type { CaptionScorer } from './caption-types.js';
import { paragraphItems, paragraphScores, paragraphWords } from './paragraph.js';

describe('paragraph metrics', () => {
  it('reduces text to lower-case letter words', () => {
    expect(paragraphWords('Add 2 eggs. Stir-fry (well)!')).toBe('add eggs stir fry well');
    expect(paragraphWords(' 1 2 ')).toBe('');
  });

  it('joins predictions with ". " and gold captions with a space', () => {
    const { items } = paragraphItems([{ id: 'a', goldCaptions: ['cut onion.', 'fry it.'], predCaptions: ['Cut the onion', 'fry'] }]);
    expect(items).toEqual([{ id: '0', candidate: 'cut the onion fry', references: ['cut onion fry it'] }]);
  });

  it('pairs paragraphs by position among videos with predictions (TimeChat quirk)', () => {
    const { items, misaligned } = paragraphItems([
      { id: 'a', goldCaptions: ['ga.'], predCaptions: ['pa'] },
      { id: 'b', goldCaptions: ['gb.'], predCaptions: null },
      { id: 'c', goldCaptions: ['gc.'], predCaptions: ['pc'] },
    ]);
    expect(items.map((i) => [i.candidate, i.references[0]])).toEqual([
      ['pa', 'ga'],
      ['pc', 'gb'],
    ]);
    expect(misaligned).toBe(1);
  });

  it('reports null (not 0) for an unavailable scorer', async () => {
    const constant: CaptionScorer = { name: 'C', description: 'constant', score: async (items) => ({ corpus: 0.25, perItem: items.map(() => 0.25) }) };
    const r = await paragraphScores([{ id: 'a', goldCaptions: ['g.'], predCaptions: ['p'] }], { cider: constant, meteor: null });
    expect(r).toEqual({ cider: 0.25, meteor: null, pairs: 1, misaligned: 0 });
  });
});
