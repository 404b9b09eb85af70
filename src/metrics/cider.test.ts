import { describe, expect, it } from 'vitest';
import { ciderD, ciderScorer, comparePyStrings, CIDER_SIGMA } from './cider.js';
import type { CaptionItem } from './caption-types.js';
import { ngramCountsByOrder, pySplit } from './ngrams.js';

/**
 * pycocoevalcap's CiderScorer written out plainly (string n-grams, one vector per candidate-
 * reference pair, sums in the same order): the fast implementation must give the same doubles.
 */
function plainCiderD(items: CaptionItem[]): number[] {
  const counts = (t: string) => ngramCountsByOrder(pySplit(t), 4);
  const refs = items.map((it) => it.references.map(counts));
  const df = new Map<string, number>();
  for (const r of refs) for (const g of new Set(r.flatMap((m) => m.flatMap((x) => [...x.keys()])))) df.set(g, (df.get(g) ?? 0) + 1);
  const vec = (c: Map<string, number>[]) => {
    const v = c.map((m) => new Map([...m].map(([g, tf]) => [g, tf * (Math.log(items.length) - Math.log(Math.max(1, df.get(g) ?? 0)))])));
    const norm = v.map((m) => Math.sqrt([...m.values()].reduce((s, x) => s + x * x, 0)));
    return { v, norm, length: [...c[1]!.values()].reduce((s, x) => s + x, 0) };
  };
  return items.map((it, i) => {
    const h = vec(counts(it.candidate));
    const sum = [0, 0, 0, 0];
    for (const rc of refs[i]!) {
      const r = vec(rc);
      const delta = h.length - r.length;
      const penalty = Math.exp(-(delta * delta) / (2 * CIDER_SIGMA * CIDER_SIGMA));
      h.v.forEach((hm, n) => {
        let val = 0;
        for (const [g, hv] of hm) val += Math.min(hv, r.v[n]!.get(g) ?? 0) * (r.v[n]!.get(g) ?? 0);
        if (h.norm[n] !== 0 && r.norm[n] !== 0) val /= h.norm[n]! * r.norm[n]!;
        sum[n]! += val * penalty;
      });
    }
    return ((sum[0]! + sum[1]! + sum[2]! + sum[3]!) / 4 / refs[i]!.length) * 10;
  });
}

describe('CIDEr-D (pycocoevalcap Cider)', () => {
  it('is 0 with one item (every idf is log 1 - log 1 = 0)', () => {
    const r = ciderD([{ id: 'x', candidate: 'a b c', references: ['a b c', 'a b'] }]);
    expect(r.corpus).toBe(0);
    expect(r.perItem).toEqual([0]);
  });

  it('scores identical two-word captions 10 * mean(1, 1, 0, 0) = 5', () => {
    const r = ciderD([
      { id: 'a', candidate: 'a b', references: ['a b'] },
      { id: 'b', candidate: 'c d', references: ['c d'] },
    ]);
    expect(r.perItem[0]).toBeCloseTo(5, 12);
    expect(r.corpus).toBeCloseTo(5, 12);
  });

  it('matches a hand computation with the Gaussian length penalty on bigram counts', () => {
    const r = ciderD([
      { id: 'a', candidate: 'a b', references: ['a b c'] },
      { id: 'b', candidate: 'd e', references: ['d e'] },
    ]);
    // all idf = ln 2: sim1 = 2/sqrt(6), sim2 = 1/sqrt(2); bigram counts 1 vs 2 -> exp(-1/72)
    const expected = ((10 * (2 / Math.sqrt(6) + 1 / Math.SQRT2)) / 4) * Math.exp(-1 / 72);
    expect(r.perItem[0]).toBeCloseTo(expected, 12);
  });

  it('clips the candidate tf-idf at the reference value (CIDEr-D)', () => {
    const items = [
      { id: 'a', candidate: 'x x x', references: ['x y z'] },
      { id: 'b', candidate: 'q', references: ['q'] },
    ];
    // unigram: hyp x = 3 ln2, ref x = ln2: min(3,1)*1 / (3 * sqrt3) ln2^2; bigram: hyp "x x" only -> 0
    const sim1 = 1 / (3 * Math.sqrt(3));
    expect(ciderD(items).perItem[0]).toBeCloseTo((10 * sim1) / 4, 12);
  });

  it('can return per-item scores in Python sorted string-key order (TimeChat)', () => {
    const items = ['0', '1', '2', '10'].map((id, i) => ({ id, candidate: `w${i} v`, references: [`w${i} v`] }));
    items[3]!.candidate = 'nothing here';
    const input = ciderD(items).perItem;
    const sorted = ciderD(items, { keyOrder: 'sorted-string' }).perItem;
    // sorted ids: "0", "1", "10", "2"
    expect(sorted).toEqual([input[0], input[1], input[3], input[2]]);
    expect(comparePyStrings('10', '2')).toBeLessThan(0);
  });

  it('throws on an empty call, like the reference', () => {
    expect(() => ciderD([])).toThrow();
  });

  it('is exposed as a CaptionScorer named CIDEr', async () => {
    expect(ciderScorer.name).toBe('CIDEr');
    const r = await ciderScorer.score([{ id: 'x', candidate: 'a', references: ['a'] }]);
    expect(r.corpus).toBe(0);
  });

  it('gives bit-identical scores to the plain algorithm, also for repeated calls with shared references', () => {
    const vocab = 'add the salt pan oil mix cut onion in a to'.split(' ');
    let seed = 11;
    const rand = (n: number) => (seed = (seed * 16807) % 2147483647) % n;
    const text = () => Array.from({ length: rand(14) }, () => vocab[rand(vocab.length)]!).join(' ');
    let nonZero = 0;
    for (let call = 0; call < 60; call++) {
      // SODA_c's pattern: the same references for several calls, only the candidate changes.
      const shape = Array.from({ length: 2 + rand(11) }, () => 1 + rand(3));
      const first = shape.map((k) => Array.from({ length: k }, text));
      // ...then other references of the very same shape, then the first ones again.
      const second = shape.map((k) => Array.from({ length: k }, text));
      for (const refSets of [first, first, second, first]) {
        const cand = text();
        const items = refSets.map((references, i) => ({ id: String(i), candidate: rand(2) ? cand : text(), references }));
        const expected = plainCiderD(items);
        const got = ciderD(items).perItem;
        got.forEach((v, i) => expect(v).toBe(expected[i]));
        nonZero += got.filter((v) => v > 0).length;
      }
    }
    expect(nonZero).toBeGreaterThan(1000);
  });
});
