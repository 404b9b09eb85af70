import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectClose, goldenCases, hasShared, readJsonFile } from './helpers/golden.js';
import { ptbTokenize } from '../src/metrics/ptb-tokenizer.js';
import { bleu } from '../src/metrics/bleu.js';
import { rougeL } from '../src/metrics/rouge.js';
import { ciderD } from '../src/metrics/cider.js';
import type { CaptionItem } from '../src/metrics/caption-types.js';

interface CocoExpected {
  corpus: Record<string, number | null>;
  per_item: Record<string, Record<string, number | string>>;
  tokenized: Record<string, { refs: string[]; hyp: string[] }>;
}

const BLEU_KEYS = ['Bleu_1', 'Bleu_2', 'Bleu_3', 'Bleu_4'];

describe.skipIf(!hasShared)('golden cap (pycocoevalcap BLEU, ROUGE-L, CIDEr-D, PTB tokenizer)', () => {
  const cases = goldenCases('cap');
  it('has the cap cases', () => expect(cases.length).toBeGreaterThanOrEqual(3));

  for (const c of cases) {
    it(c.name, () => {
      const gts = readJsonFile<Record<string, string[]>>(join(c.dir, 'gts.json'));
      const res = readJsonFile<{ image_id: string | number; caption: string }[]>(join(c.dir, 'res.json'));
      const exp = readJsonFile<{ references: { coco: CocoExpected } }>(join(c.dir, 'expected.json')).references.coco;
      const hyp = new Map(res.map((r) => [String(r.image_id), r.caption]));
      // pycocoevalcap scores the ids in gts key order.
      const items: CaptionItem[] = Object.keys(gts).map((id) => ({
        id,
        candidate: ptbTokenize(hyp.get(id) ?? ''),
        references: gts[id]!.map((r) => ptbTokenize(r)),
      }));
      let checked = 0;
      for (const it of items) {
        const t = exp.tokenized[it.id]!;
        expect(it.references, `${c.name} refs ${it.id}`).toEqual(t.refs);
        expect([it.candidate], `${c.name} hyp ${it.id}`).toEqual(t.hyp);
        checked += t.refs.length + 1;
      }
      const b = bleu(items);
      const r = rougeL(items);
      const cd = ciderD(items);
      const corpus: Record<string, number> = { ROUGE_L: r.corpus, CIDEr: cd.corpus };
      BLEU_KEYS.forEach((k, i) => (corpus[k] = b.corpus[i]!));
      for (const [k, v] of Object.entries(corpus)) {
        expectClose(v, exp.corpus[k] as number, 1e-6, `${c.name} corpus ${k}`);
        checked++;
      }
      items.forEach((it, i) => {
        const e = exp.per_item[it.id]!;
        BLEU_KEYS.forEach((k, n) => expectClose(b.perItem[n]![i]!, e[k] as number, 1e-6, `${c.name} ${it.id} ${k}`));
        expectClose(r.perItem[i]!, e.ROUGE_L as number, 1e-6, `${c.name} ${it.id} ROUGE_L`);
        expectClose(cd.perItem[i]!, e.CIDEr as number, 1e-6, `${c.name} ${it.id} CIDEr`);
        checked += 6;
      });
      console.log(`${c.name}: ${checked} values checked (tokenized strings + corpus + per-item)`);
    });
  }
});
