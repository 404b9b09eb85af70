import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { comparable, itemsOf, makeResult, type FixtureOptions } from '../../test/report-fixtures.js';
import { compareResults, type CompareOptions } from './compare.js';
import { metricDirection } from './directions.js';
import { parseResult } from './result-file.js';

const options: CompareOptions = { tolerances: {}, allowMismatch: false, seed: 1, resamples: 2000, top: 3 };

function compare(a: FixtureOptions, b: FixtureOptions, extra: Partial<CompareOptions> = {}) {
  return compareResults(comparable(a, 'base.json'), comparable(b, 'cur.json'), { ...options, ...extra });
}

function row(a: FixtureOptions, b: FixtureOptions, metric: string, extra: Partial<CompareOptions> = {}) {
  return compare(a, b, extra).rows.find((r) => r.metric === metric)!;
}

describe('metricDirection', () => {
  it('treats accuracy metrics as higher-is-better and counts, turns and timings as informational', () => {
    for (const m of ['SODA_c', 'CIDEr', 'F1', 'METEOR', 'Bleu_4', 'ROUGE_L', 'R@0.5', 'R1@0.7', 'mIoU', 'HL-min-VeryGood-mAP', 'HIT@1', 'in_span', 'Para_CIDEr']) {
      expect(metricDirection(m), m).toBe('higher');
    }
    for (const m of ['# turns', '# turns w/ dedup', 'turns_dedup', 'n_padded', 'num_segments', 'mean_pred_segments', 'time_per_example']) {
      expect(metricDirection(m), m).toBe('informational');
    }
  });
});

describe('compareResults: statuses', () => {
  const flat = (n: number) => ({ metrics: { CIDEr: n } });

  it('without per-item values the drop beyond the tolerance alone decides', () => {
    expect(row(flat(8.8), flat(8.7), 'CIDEr')).toMatchObject({ status: 'regression', decidedBy: 'tolerance-only', failing: true, ci: null });
    expect(row(flat(8.8), flat(8.7), 'CIDEr').delta).toBeCloseTo(-0.1, 12);
    expect(row(flat(8.8), flat(8.7), 'CIDEr', { tolerances: { CIDEr: 0.2 } })).toMatchObject({ status: 'within-tolerance', failing: false });
    expect(row(flat(8.8), flat(8.7), 'CIDEr', { tolerances: { '*': 0.2 } }).tolerance).toBe(0.2);
    expect(row(flat(8.8), flat(9.7), 'CIDEr')).toMatchObject({ status: 'improvement', decidedBy: 'tolerance-only', failing: false });
    expect(row(flat(8.8), flat(8.8), 'CIDEr')).toMatchObject({ status: 'unchanged', delta: 0 });
  });

  it('a metric that becomes null or disappears fails; one that appears is new; null on both sides is unavailable', () => {
    expect(row({ metrics: { METEOR: 5 } }, { metrics: { METEOR: null } }, 'METEOR')).toMatchObject({ status: 'missing', failing: true });
    expect(row({ metrics: { METEOR: 5 } }, { metrics: {} }, 'METEOR')).toMatchObject({ status: 'missing', failing: true, current: null });
    expect(row({ metrics: { METEOR: null } }, { metrics: { METEOR: 5 } }, 'METEOR')).toMatchObject({ status: 'new', failing: false });
    expect(row({ metrics: { METEOR: null } }, { metrics: { METEOR: null } }, 'METEOR')).toMatchObject({ status: 'unavailable', failing: false });
  });

  it('informational metrics are never failures', () => {
    expect(row({ metrics: { '# turns': 18 } }, { metrics: { '# turns': 3 } }, '# turns')).toMatchObject({ status: 'informational', failing: false });
  });
});

describe('compareResults: intervals', () => {
  const recall = (shift: number) => itemsOf(20, 2, (i) => ({ 'R@0.5': i % 2 === 0 || i < shift ? 1 : 0 }));

  it('a metric that is 100 x the mean of its per-item values gets the CI of the metric itself', () => {
    // Baseline recall 10/20 = 50 %; current: items 1, 3 (video v00, v01) also hit -> 60 %; per-item deltas +1 for 2 items.
    const r = row({ items: recall(0), itemMeanMetrics: { 'R@0.5': 100 } }, { items: recall(4), itemMeanMetrics: { 'R@0.5': 100 } }, 'R@0.5');
    expect(r.baseline).toBe(50);
    expect(r.current).toBe(60);
    expect(r.ci).toMatchObject({ basis: 'item-mean', scale: 100, items: 20, clusters: 10 });
    expect(r.ci!.mean).toBeCloseTo(10, 10);
    // The two changed items sit in different videos; the bootstrap mean is (#draws of v00 + #draws of v01) / 20 x 100.
    expect(r.ci!.low).toBeGreaterThanOrEqual(0);
    expect(r.ci!.high).toBeLessThanOrEqual(40);
    expect(r.status).toBe('within-noise'); // with 2 changed videos out of 10 the interval reaches 0
  });

  it('a corpus metric that is not the mean of its per-item values is labelled per-item-proxy', () => {
    const items = itemsOf(6, 1, (i) => ({ CIDEr: i / 10 }));
    const worse = itemsOf(6, 1, (i) => ({ CIDEr: i / 10 - 0.05 }));
    const r = row({ items, metrics: { CIDEr: 8.8 } }, { items: worse, metrics: { CIDEr: 8.1 } }, 'CIDEr');
    expect(r.ci).toMatchObject({ basis: 'per-item-proxy', scale: 1 });
    expect(r.ci!.low).toBeCloseTo(-0.05, 12);
    expect(r.ci!.high).toBeCloseTo(-0.05, 12);
    expect(r.status).toBe('regression');
    expect(r.decidedBy).toBe('ci');
  });

  it('items present on one side only are counted, noted and left out', () => {
    const a = itemsOf(6, 1, () => ({ s: 1 }));
    const b = itemsOf(8, 1, () => ({ s: 2 }));
    const c = compare({ items: a, itemMeanMetrics: { s: 1 } }, { items: b, itemMeanMetrics: { s: 1 } });
    expect(c.rows[0]).toMatchObject({ baselineOnlyItems: 0, currentOnlyItems: 2, status: 'improvement' });
    expect(c.rows[0]!.ci).toMatchObject({ items: 6, low: 1, high: 1 });
    expect(c.notes).toContain('s: 0 items only in the baseline and 2 only in the current result are left out of the paired interval');
  });

  it('lists the most-changed items per metric, largest |delta| first, ties by item id', () => {
    const a = itemsOf(5, 1, () => ({ s: 3 }));
    const b = itemsOf(5, 1, (i) => ({ s: [3, 1, 4, 5, 3][i]! }));
    const c = compare({ items: a, itemMeanMetrics: { s: 1 } }, { items: b, itemMeanMetrics: { s: 1 } }, { top: 2 });
    expect(c.topItems).toEqual([
      { metric: 's', item: 'v01.0', video: 'v01', baseline: 3, current: 1, delta: -2 },
      { metric: 's', item: 'v03.0', video: 'v03', baseline: 3, current: 5, delta: 2 },
    ]);
  });
});

describe('compareResults: per-item names that are no top-level metric', () => {
  it('feed the item breakdown and a note, never a row', () => {
    const a = itemsOf(3, 1, (i) => ({ IoU: 50 + i }));
    const b = itemsOf(3, 1, (i) => ({ IoU: 50 + i * 2 }));
    const c = compare({ items: a, metrics: { mIoU: 51 } }, { items: b, metrics: { mIoU: 52 } });
    expect(c.rows.map((r) => r.metric)).toEqual(['mIoU']);
    expect(c.rows[0]).toMatchObject({ status: 'improvement', decidedBy: 'tolerance-only', ciMissingReason: 'no item has per-item values for this metric on both sides' });
    expect(c.topItems.map((t) => [t.metric, t.item, t.delta])).toEqual([
      ['IoU', 'v02.0', 2],
      ['IoU', 'v01.0', 1],
    ]);
    expect(c.notes).toContain('per-item values with no top-level metric of the same name (item breakdown only, no interval): IoU');
  });
});

describe('compareResults: mismatches and options', () => {
  it('refuses different benchmark, protocol, gold hash and judge model, listing all of them', () => {
    const err = (() => {
      try {
        compare({ metrics: { x: 1 } }, { metrics: { x: 1 }, benchmark: 'youcook2', protocol: 'standard', gold: 'gold-bbbb', parameters: { judge_model: 'gpt-4o-mini' } });
      } catch (e) {
        return e as InputError;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect(err!.message).toBe(
      'base.json and cur.json are not comparable: benchmark magqa (baseline) vs youcook2 (current); protocol mmduet (baseline) vs standard (current); ' +
        'gold data sha256 gold-aaaa (baseline) vs gold-bbbb (current); judge model gpt-4o-2024-08-06 (baseline) vs gpt-4o-mini (current) (pass --allow-mismatch to compare anyway)',
    );
  });

  it('treats an item assigned to different videos as a mismatch', () => {
    const a = [{ id: 'q1', video: 'A', values: { s: 1 } }, { id: 'q2', video: 'B', values: { s: 1 } }];
    const b = [{ id: 'q1', video: 'A', values: { s: 1 } }, { id: 'q2', video: 'C', values: { s: 1 } }];
    expect(() => compare({ items: a }, { items: b })).toThrow('perItemVideo["q2"] B (baseline) vs C (current)');
    expect(compare({ items: a }, { items: b }, { allowMismatch: true }).mismatches).toEqual([{ what: 'perItemVideo["q2"]', baseline: 'B', current: 'C' }]);
  });

  it('lists other parameter changes for information only', () => {
    const c = compare({ metrics: { x: 1 }, parameters: { t: 0.5, gold: 'a/gold.json' } }, { metrics: { x: 1 }, parameters: { t: 0.4, limit: 50, gold: 'b/gold.json' } });
    expect(c.mismatches).toEqual([]);
    expect(c.parameterChanges).toEqual([
      { what: 'parameter limit', baseline: '(absent)', current: '50' },
      { what: 'parameter t', baseline: '0.5', current: '0.4' },
    ]);
  });

  it('rejects a tolerance for an unknown metric and bad bootstrap settings', () => {
    expect(() => compare({ metrics: { x: 1 } }, { metrics: { x: 1 } }, { tolerances: { y: 1 } })).toThrow('--tolerance y: expected a metric of these results (x), found none named "y"');
    expect(() => compare({ metrics: { x: 1 } }, { metrics: { x: 1 } }, { resamples: 0 })).toThrow('--resamples: expected a positive integer, found 0');
  });
});

describe('parseResult', () => {
  it('names the JSON path of a bad value', () => {
    const bad = makeResult({ items: [{ id: 'q1', values: { s: 1 } }] });
    (bad.perItem as Record<string, Record<string, unknown>>).q1!.video = 'abc';
    expect(() => parseResult(bad, 'r.json')).toThrow(
      'r.json: $.perItem.q1.video: expected a finite number or null (put item videos in the top-level perItemVideo map), found the string "abc"',
    );
    expect(() => parseResult({ benchmark: 'magqa', protocol: 'mmduet', metrics: {} }, 'r.json')).toThrow('r.json: $.provenance: expected an object, found undefined');
    expect(() => parseResult([makeResult({}), makeResult({})], 'r.json')).toThrow(
      'r.json: $: expected one result object (score one predictions file per result to compare), found an array of 2 results',
    );
  });

  it('drops per-item nulls and counts them', () => {
    const r = makeResult({ items: [{ id: 'q1', values: { s: 1 } }] });
    (r.perItem as Record<string, Record<string, unknown>>).q1!.m = null;
    const parsed = parseResult(r, 'r.json');
    expect(parsed.perItem).toEqual({ q1: { s: 1 } });
    expect(parsed.perItemNulls).toBe(1);
  });
});
