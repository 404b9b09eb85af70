import { describe, expect, it } from 'vitest';
import { inSpanScore, pairsNeeded, type InSpanExample, type InSpanOptions, type ScoreLookup } from './inspan.js';

const opts = (o: Partial<InSpanOptions> = {}): InSpanOptions => ({ baselineAllMatch: true, padWithOne: false, numExamples: 2000, failedCell: 'one', ...o });

// Example A: gold g1 [0,10], g2 [10,20]; turns a@5, b@10, a@15, c@30.
//   P_g1 = {a@5, b@10} (10 inclusive), P_g2 = {b@10, a@15}; c@30 is in no span.
//   scores: (g1,a)=5 (g1,b)=2 (g2,a)=3 (g2,b)=4
//   score_g1 = (5+2)/2 = 3.5, score_g2 = (4+3)/2 = 3.5, example = 3.5
// Example B: gold g1 [0,1]; turns x@2 only -> P empty -> 1.
const exA: InSpanExample = {
  id: 'A',
  question: 'q',
  turns: [
    { text: 'a', time: 5 },
    { text: 'b', time: 10 },
    { text: 'a', time: 15 },
    { text: 'c', time: 30 },
  ],
  gold: [
    { text: 'g1', start: 0, end: 10 },
    { text: 'g2', start: 10, end: 20 },
  ],
};
const exB: InSpanExample = { id: 'B', question: 'q', turns: [{ text: 'x', time: 2 }], gold: [{ text: 'g1', start: 0, end: 1 }] };
const table: Record<string, number> = { 'g1|a': 5, 'g1|b': 2, 'g2|a': 3, 'g2|b': 4 };
const lookup: ScoreLookup = (_e, g, p) => table[`${g}|${p}`];

describe('inSpanScore', () => {
  it('hand-computed example with inclusive ends, empty P_q and dedup turns', () => {
    const r = inSpanScore([exA, exB], lookup, opts());
    expect(r.perExample.map((e) => e.score)).toEqual([3.5, 1]);
    expect(r.inSpanScore).toBe(2.25);
    expect(r.turns).toBe(2.5); // (4 + 1) / 2
    expect(r.turnsDedup).toBe(2); // (3 + 1) / 2
    expect(r.counts.empty_span).toBe(1);
    expect(r.counts.unjudged_cells).toBe(0);
  });

  it('pads with 1 and 0 turns up to numExamples and reports n_padded', () => {
    const r = inSpanScore([exA, exB], lookup, opts({ padWithOne: true, numExamples: 4 }));
    expect(r.counts.n_padded).toBe(2);
    expect(r.inSpanScore).toBe((3.5 + 1 + 1 + 1) / 4);
    expect(r.turns).toBe(5 / 4);
    expect(r.turnsDedup).toBe(4 / 4);
  });

  it('truncates to the first numExamples examples under padding', () => {
    const r = inSpanScore([exA, exB], lookup, opts({ padWithOne: true, numExamples: 1 }));
    expect(r.counts.truncated).toBe(1);
    expect(r.inSpanScore).toBe(3.5);
  });

  it('unjudged cells count as 1', () => {
    const r = inSpanScore([exA], (_e, g, p) => (g === 'g1' && p === 'a' ? 5 : undefined), opts());
    // g1: (5 + 1) / 2 = 3; g2: (1 + 1) / 2 = 1 -> 2
    expect(r.inSpanScore).toBe(2);
    expect(r.counts.unjudged_cells).toBe(3);
  });

  it('failed cells score 1 or are excluded', () => {
    const failing: ScoreLookup = (e, g, p) => (g === 'g1' && p === 'b' ? 'failed' : lookup(e, g, p));
    expect(inSpanScore([exA], failing, opts()).inSpanScore).toBe(((5 + 1) / 2 + 3.5) / 2);
    const ex = inSpanScore([exA], failing, opts({ failedCell: 'exclude' }));
    expect(ex.inSpanScore).toBe((5 + 3.5) / 2);
    expect(ex.counts.failed_cells).toBe(1);
    const allFail = inSpanScore([exA, exB], () => 'failed', opts({ failedCell: 'exclude' }));
    expect(allFail.counts.examples_excluded).toBe(1);
    expect(allFail.inSpanScore).toBe(1); // only exB (empty span) remains
  });

  it('untimed baseline turns match every gold answer, or skip the example', () => {
    const base: InSpanExample = { id: 'C', question: 'q', turns: [{ text: 'all', time: -1 }], gold: exA.gold };
    const lk: ScoreLookup = (_e, g) => (g === 'g1' ? 4 : 2);
    expect(inSpanScore([base], lk, opts()).inSpanScore).toBe(3);
    const off = inSpanScore([base], lk, opts({ baselineAllMatch: false, padWithOne: true, numExamples: 2 }));
    expect(off.counts.skipped_untimed).toBe(1);
    expect(off.counts.n_padded).toBe(2);
    expect(off.inSpanScore).toBe(1);
  });

  it('examples without gold contribute nothing; no examples gives null', () => {
    const r = inSpanScore([{ id: 'D', question: 'q', turns: [], gold: [] }], lookup, opts());
    expect(r.counts.no_gold).toBe(1);
    expect(r.inSpanScore).toBeNull();
  });
});

describe('pairsNeeded', () => {
  it('lists only in-span pairs, deduplicated by text', () => {
    expect(pairsNeeded(exA, true)).toEqual([
      { gold: 'g1', pred: 'a' },
      { gold: 'g1', pred: 'b' },
      { gold: 'g2', pred: 'b' },
      { gold: 'g2', pred: 'a' },
    ]);
    expect(pairsNeeded(exB, true)).toEqual([]);
  });
});
