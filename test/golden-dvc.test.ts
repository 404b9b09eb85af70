/**
 * Golden dense-captioning cases (../shared/golden/dvc): every case under both protocols.
 *  - densevid  -> --protocol standard on gt.json / pred.json (P/R, BLEU, ROUGE-L, CIDEr per tIoU and
 *    averaged, F1 of the averaged P and R);
 *  - soda      -> --protocol standard with --soda-scorer cider (SODA_c P/R/F, SODA_d);
 *  - timechat_dvc -> --protocol mmduet --missing-videos zero --soda-scorer cider on the TimeChat-format
 *    files (video averages, SODA_c_2, Para_CIDER, per-video arrays).
 * METEOR-valued keys are checked only once createMeteorScorer() returns a scorer.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { goldenCases, hasShared, readJsonFile } from './helpers/golden.js';
import { youcook2 } from '../src/benchmarks/youcook2/index.js';
import { resolveConventions, type Conventions, type Protocol } from '../src/benchmarks/conventions.js';
import type { BenchmarkScore } from '../src/benchmarks/types.js';
import { createMeteorScorer } from '../src/metrics/meteor/index.js';

const meteorAvailable = (await createMeteorScorer()).scorer !== null;
const REL = 1e-6;
const TIOUS = ['0.3', '0.5', '0.7', '0.9'];

type Tally = { checked: number; matched: number };
const tallies = new Map<string, Tally>();

/** Collects comparisons so a failing case lists every mismatch, and counts values per reference. */
class Checker {
  readonly mismatches: string[] = [];
  constructor(private readonly reference: string) {
    if (!tallies.has(reference)) tallies.set(reference, { checked: 0, matched: 0 });
  }
  value(label: string, actual: number | null | undefined, expected: number | null | undefined): void {
    if (expected === null || expected === undefined) return; // not computable by the reference
    const t = tallies.get(this.reference)!;
    t.checked++;
    const ok = typeof actual === 'number' && Math.abs(actual - expected) <= Math.max(Math.abs(expected) * REL, REL * 1e-3);
    if (ok) t.matched++;
    else this.mismatches.push(`${label}: expected ${expected}, got ${actual}`);
  }
  done(): void {
    expect(this.mismatches).toEqual([]);
  }
}

async function run(dir: string, gold: string, pred: string, protocol: Protocol, overrides: Partial<Conventions>): Promise<BenchmarkScore> {
  return youcook2.score({ goldPath: join(dir, gold), predictionsPath: join(dir, pred), conventions: resolveConventions(protocol, overrides), params: {} });
}

/** The METEOR value a reference stored: all four modules when computable, else exact+stem+synonym. */
function meteorKey(obj: Record<string, unknown>, base: string): string {
  return obj[base] !== null && obj[base] !== undefined ? base : `${base}(exact+stem+synonym)`;
}

interface DenseCaptionDetails {
  perTiou: Record<string, (number | null)[]>;
  videos: { id: string; precisionMean: number; recallMean: number; f1: number; nPreds: number; captionMeans: Record<string, number | null> }[];
}
const dense = (s: BenchmarkScore) => (s.details as { denseCaptions: DenseCaptionDetails }).denseCaptions;
const sodaC = (s: BenchmarkScore) => (s.details as { sodaC: { precision: number; recall: number; f1: number } | null }).sodaC;
const sodaD = (s: BenchmarkScore) => (s.details as { sodaD: { precision: number; recall: number; f1: number } }).sodaD;
const frac = (v: number | null | undefined) => (typeof v === 'number' ? v / 100 : v);

describe.skipIf(!hasShared)('golden dvc (densevid, SODA v1.1, TimeChat eval_dvc)', () => {
  const cases = goldenCases('dvc');
  it('has the 7 dvc cases', () => expect(cases.length).toBe(7));

  for (const c of cases) {
    const exp = readJsonFile<{ references: Record<string, any> }>(join(c.dir, 'expected.json')).references;

    it(`${c.name}: densevid (--protocol standard)`, async () => {
      const ref = exp.densevid;
      expect(ref.status).toBe('ok');
      const s = await run(c.dir, 'gt.json', 'pred.json', 'standard', {});
      const ck = new Checker('densevid');
      const pairs: [string, string][] = [['Bleu_1', 'BLEU_1'], ['Bleu_2', 'BLEU_2'], ['Bleu_3', 'BLEU_3'], ['Bleu_4', 'BLEU_4'], ['ROUGE_L', 'ROUGE_L'], ['CIDEr', 'CIDEr'], ['Precision', 'Precision'], ['Recall', 'Recall']];
      if (meteorAvailable) pairs.push([meteorKey(ref.average_over_tious, 'METEOR'), 'METEOR']);
      for (const [rk, ok] of pairs) {
        ck.value(`average ${rk}`, frac(s.metrics[ok]), ref.average_over_tious[rk]);
        TIOUS.forEach((t, k) => ck.value(`${rk}@${t}`, dense(s).perTiou[ok]![k], ref.per_tiou[rk][t]));
      }
      TIOUS.forEach((t) => {
        ck.value(`metrics Precision@${t}`, frac(s.metrics[`Precision@${t}`]), ref.per_tiou.Precision[t]);
        ck.value(`metrics Recall@${t}`, frac(s.metrics[`Recall@${t}`]), ref.per_tiou.Recall[t]);
      });
      ck.value('F1_from_avg_P_R', frac(s.metrics.F1), ref.derived.F1_from_avg_P_R);
      ck.done();
    });

    it(`${c.name}: SODA v1.1 (--protocol standard --soda-scorer cider)`, async () => {
      const ref = exp.soda;
      const s = await run(c.dir, 'gt.json', 'pred.json', 'standard', { sodaScorer: 'cider' });
      const ck = new Checker('soda');
      const results = ref.results as Record<string, { precision: number; recall: number; f1: number; n_videos_evaluated: number } | null>;
      const errors = (ref.errors ?? {}) as Record<string, string>;
      const cider = results['SODA_c(scorer=Cider)'];
      if (cider) {
        ck.value('SODA_c(Cider) precision', sodaC(s)!.precision, cider.precision);
        ck.value('SODA_c(Cider) recall', sodaC(s)!.recall, cider.recall);
        ck.value('SODA_c(Cider) f1', sodaC(s)!.f1, cider.f1);
        ck.value('SODA_c metric', frac(s.metrics.SODA_c), cider.f1);
        ck.value('n_videos_evaluated', s.counts.soda_videos_scored, cider.n_videos_evaluated);
      } else {
        // The reference raised (empty prediction list): we score the video 0 and say so.
        expect(errors['SODA_c(scorer=Cider)']).toBeTruthy();
        expect(s.counts.empty_prediction_videos).toBeGreaterThan(0);
        expect(s.notes.some((n) => n.includes('raises'))).toBe(true);
      }
      const d = results.SODA_d;
      if (d) {
        ck.value('SODA_d precision', sodaD(s).precision, d.precision);
        ck.value('SODA_d recall', sodaD(s).recall, d.recall);
        ck.value('SODA_d f1', sodaD(s).f1, d.f1);
      }
      if (meteorAvailable) {
        const m = await run(c.dir, 'gt.json', 'pred.json', 'standard', { sodaScorer: 'meteor' });
        const rm = results['SODA_c(scorer=Meteor)'] ?? results['SODA_c(scorer=METEOR(exact+stem+synonym))'];
        if (rm) ck.value('SODA_c(METEOR) f1', sodaC(m)!.f1, rm.f1);
      }
      ck.done();
    });

    it(`${c.name}: TimeChat eval_dvc (--protocol mmduet --missing-videos zero --soda-scorer cider)`, async () => {
      const ref = exp.timechat_dvc;
      expect(ref.status).toBe('ok');
      const s = await run(c.dir, 'val.timechat_gt.json', 'pred_timechat.json', 'mmduet', { missingVideos: 'zero', sodaScorer: 'cider' });
      const ck = new Checker('timechat_dvc');
      const va = ref.video_average as Record<string, number | null>;
      ck.value('CIDER', frac(s.metrics.CIDEr), va.CIDER);
      for (const t of TIOUS) {
        ck.value(`Precision@${t}`, frac(s.metrics[`Precision@${t}`]), va[`Precision@${t}`]);
        ck.value(`Recall@${t}`, frac(s.metrics[`Recall@${t}`]), va[`Recall@${t}`]);
      }
      ck.value('Precision_Mean', frac(s.metrics.Precision), va.Precision_Mean);
      ck.value('Recall_Mean', frac(s.metrics.Recall), va.Recall_Mean);
      ck.value('F1_Score', frac(s.metrics.F1), va.F1_Score);
      ck.value('n_preds', s.metrics.n_preds, va.n_preds);
      ck.value('SODA_c_2(scorer=CIDEr)', frac(s.metrics.SODA_c), ref['SODA_c_2(scorer=CIDEr, TimeChat sodac)']);
      ck.value('Para_CIDER', frac(s.metrics.Para_CIDEr), ref.paragraph.Para_CIDER);
      const pv = ref.per_video as Record<string, (number | string)[]>;
      const videos = dense(s).videos;
      expect(videos.map((v) => v.id)).toEqual(pv.key);
      videos.forEach((v, i) => {
        ck.value(`${v.id} Precision_Mean`, v.precisionMean, pv.Precision_Mean![i] as number);
        ck.value(`${v.id} Recall_Mean`, v.recallMean, pv.Recall_Mean![i] as number);
        ck.value(`${v.id} F1_Score`, v.f1, pv.F1_Score![i] as number);
        ck.value(`${v.id} CIDER`, v.captionMeans.CIDEr, pv.CIDER![i] as number);
        ck.value(`${v.id} n_preds`, v.nPreds, pv.n_preds![i] as number);
      });
      if (meteorAvailable) {
        const mk = meteorKey(va, 'METEOR');
        ck.value('METEOR', frac(s.metrics.METEOR), va[mk]);
        ck.value('Para_METEOR', frac(s.metrics.Para_METEOR), ref.paragraph[meteorKey(ref.paragraph, 'Para_METEOR')]);
        videos.forEach((v, i) => ck.value(`${v.id} METEOR`, v.captionMeans.METEOR, (pv[mk] ?? [])[i] as number | undefined));
        const m = await run(c.dir, 'val.timechat_gt.json', 'pred_timechat.json', 'mmduet', { missingVideos: 'zero', sodaScorer: 'meteor' });
        ck.value('SODA_c_2(METEOR)', frac(m.metrics.SODA_c), va['SODA_c_2(METEOR)'] ?? va['SODA_c_2(METEOR(exact+stem+synonym))']);
      } else {
        expect(s.metrics.METEOR).toBeNull();
        expect(s.metrics.Para_METEOR).toBeNull();
      }
      ck.done();
    });
  }

  afterAll(() => {
    for (const [ref, t] of tallies) console.log(`golden dvc ${ref}: ${t.matched}/${t.checked} values matched`);
  });
});
