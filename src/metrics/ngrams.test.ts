import { describe, expect, it } from 'vitest';
import { ngramCountsByOrder, PROFILE_MAX_N, pySplit, withNgramProfiles, type NgramProfile } from './ngrams.js';

/** A profile read back as one map per order (id -> count), in the profile's order. */
function byOrder(p: NgramProfile): Map<number, number>[] {
  return Array.from({ length: PROFILE_MAX_N }, (_, n) => {
    const m = new Map<number, number>();
    for (let k = p.start[n]!; k < p.start[n + 1]!; k++) m.set(p.ids[k]!, p.counts[k]!);
    return m;
  });
}

describe('pySplit', () => {
  it('splits on every Python whitespace (incl. U+00A0 and U+001F) and drops empties', () => {
    expect(pySplit(' a\u00a0b\x1fc  d\t')).toEqual(['a', 'b', 'c', 'd']);
    expect(pySplit('')).toEqual([]);
  });
});

describe('n-gram profiles', () => {
  it('lists distinct n-grams per order in first-occurrence order with their counts', () => {
    withNgramProfiles((profile) => {
      const p = profile('a b a b');
      expect(p.nWords).toBe(4);
      expect(Array.from(p.start)).toEqual([0, 2, 4, 6, 7]);
      // unigrams a, b (2 each); bigrams "a b" (2), "b a" (1); trigrams "a b a", "b a b"; one 4-gram.
      expect(Array.from(p.counts)).toEqual([2, 2, 2, 1, 1, 1, 1]);
      expect(new Set(p.ids).size).toBe(7);
      // the same n-gram gets the same id in another text: "b", and "b a" (first bigram of q, second of p).
      const q = profile('b a b');
      expect(q.ids[q.start[1]!]).toBe(p.ids[p.start[1]! + 1]);
      expect(q.ids[0]).toBe(p.ids[1]);
      expect(profile('a b a b')).toBe(p);
    });
  });

  it('has no n-grams for an empty text and only unigrams for one word', () => {
    withNgramProfiles((profile) => {
      expect(Array.from(profile('  ').start)).toEqual([0, 0, 0, 0, 0]);
      expect(Array.from(profile('x').start)).toEqual([0, 1, 1, 1, 1]);
    });
  });

  it('agrees with the string-keyed counts on random texts (same n-grams, counts and order)', () => {
    const vocab = ['a', 'b', 'c', 'dd', 'e'];
    let seed = 3;
    const rand = (n: number) => (seed = (seed * 16807) % 2147483647) % n;
    withNgramProfiles((profile) => {
      const idOf = new Map<string, number>();
      for (let t = 0; t < 300; t++) {
        const words = Array.from({ length: rand(12) }, () => vocab[rand(vocab.length)]!);
        const expected = ngramCountsByOrder(words, PROFILE_MAX_N);
        const got = byOrder(profile(words.join(' ')));
        expected.forEach((m, n) => {
          expect([...got[n]!.values()]).toEqual([...m.values()]);
          // ids map one-to-one onto the joined n-grams, across all texts
          [...m.keys()].forEach((g, i) => {
            const id = [...got[n]!.keys()][i]!;
            expect(idOf.get(g) ?? id).toBe(id);
            idOf.set(g, id);
          });
        });
      }
      expect(new Set(idOf.values()).size).toBe(idOf.size);
    });
  });
});
