import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captions } from './index.js';
import { resolveConventions } from '../conventions.js';
import { expectClose, goldenCases, hasShared, readJsonFile } from '../../../test/helpers/golden.js';

const dir = mkdtempSync(join(tmpdir(), 'captions-test-'));
function file(name: string, value: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
}
const request = (goldPath: string, predictionsPath: string, stripNonAscii = false) => ({
  goldPath,
  predictionsPath,
  conventions: resolveConventions('mmduet', { stripNonAscii }),
  params: {},
});

describe('captions benchmark', () => {
  it('scores {id: [refs]} gold against COCO results, percent scale, counting id mismatches', async () => {
    const gold = file('g1.json', { a: ['A dog runs.', 'The dog runs'], b: ['A cat sleeps.'], c: ['Nobody predicted this.'] });
    const pred = file('p1.json', [
      { image_id: 'a', caption: 'a dog runs' },
      { image_id: 'b', caption: 'a cat sleeps' },
      { image_id: 'zz', caption: 'not in gold' },
    ]);
    const r = await captions.score(request(gold, pred));
    expect(r.counts).toMatchObject({ scored: 2, predictions_not_in_gold: 1, gold_without_prediction: 1, gold_ids: 3 });
    expect(r.metrics.BLEU_1).toBeCloseTo(100, 6);
    expect(r.metrics.ROUGE_L).toBeCloseTo(100, 9);
    // METEOR comes from createMeteorScorer(): a percent value, or null with a note saying why.
    if (r.metrics.METEOR === null) expect(r.notes.some((n) => n.startsWith('METEOR: not computed'))).toBe(true);
    else expect(r.metrics.METEOR).toBeGreaterThan(50);
    expect(Object.keys(r.perItem!)).toEqual(['a', 'b']);
  });

  it('accepts COCO annotations gold and {id: caption} / {id: [caption]} predictions', async () => {
    const gold = file('g2.json', { annotations: [{ image_id: 1, caption: 'add salt' }, { image_id: 1, caption: 'add the salt' }, { image_id: 2, caption: 'stir well' }] });
    const pred = file('p2.json', { 1: 'add salt', 2: ['stir well', 'ignored second caption'] });
    const r = await captions.score(request(gold, pred));
    expect(r.params).toMatchObject({ goldFormat: 'coco-annotations', predictionsFormat: 'id-map' });
    expect(r.counts).toMatchObject({ scored: 2, duplicate_predictions: 1, references: 3 });
    expect(r.perItem!['1']!.ROUGE_L).toBeCloseTo(100, 9);
  });

  it('applies stripNonAscii from the conventions', async () => {
    const gold = file('g3.json', { a: ['café'], b: ['tea'] });
    const pred = file('p3.json', [{ image_id: 'a', caption: 'caf' }, { image_id: 'b', caption: 'tea' }]);
    expect((await captions.score(request(gold, pred, true))).perItem!.a!.ROUGE_L).toBeCloseTo(100, 9);
    expect((await captions.score(request(gold, pred, false))).perItem!.a!.ROUGE_L).toBe(0);
  });

  it('rejects bad input with the file and JSON path', async () => {
    const pred = file('p4.json', [{ image_id: 'a', caption: 'x' }]);
    await expect(captions.score(request(file('g4.json', { a: 'not a list' }), pred))).rejects.toThrow(/g4\.json: \$\.a: expected an array/);
    await expect(captions.score(request(file('g5.json', { a: ['ok'] }), file('p5.json', [{ image_id: 'a', caption: 3 }])))).rejects.toThrow(/p5\.json: \$\[0\]\.caption: expected a string/);
    await expect(captions.score(request(file('g6.json', { b: ['ok'] }), pred))).rejects.toThrow(/no prediction id matches/);
    await expect(captions.score(request(file('g7.json', '{oops'), pred))).rejects.toThrow(/g7\.json: .*invalid JSON/);
  });
});

describe.skipIf(!hasShared)('captions benchmark on the golden cap cases (pycocoevalcap values x 100)', () => {
  for (const c of goldenCases('cap')) {
    it(c.name, async () => {
      const exp = readJsonFile(join(c.dir, 'expected.json')).references.coco;
      const r = await captions.score(request(join(c.dir, 'gts.json'), join(c.dir, 'res.json')));
      const keys: [string, string][] = [['BLEU_1', 'Bleu_1'], ['BLEU_2', 'Bleu_2'], ['BLEU_3', 'Bleu_3'], ['BLEU_4', 'Bleu_4'], ['ROUGE_L', 'ROUGE_L'], ['CIDEr', 'CIDEr']];
      for (const [ours, theirs] of keys) {
        expectClose(r.metrics[ours] as number, exp.corpus[theirs] * 100, 1e-6, `${c.name} ${ours}`);
        for (const [id, row] of Object.entries(exp.per_item as Record<string, Record<string, number>>)) {
          expectClose(r.perItem![id]![ours], row[theirs]! * 100, 1e-6, `${c.name} ${id} ${ours}`);
        }
      }
    });
  }
});
