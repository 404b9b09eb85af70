/**
 * Benchmark: the whole YouCook2 dense-captioning evaluation (detection, BLEU/ROUGE-L/CIDEr per tIoU,
 * SODA_c with CIDEr-D, SODA_d, paragraph CIDEr; no METEOR) on TimeChat's real YouCook2 predictions
 * (415 videos, ../shared/data/real/timechat_dvc_youcook2_example) under both protocols. Without
 * ../shared, a seeded synthetic set of the same size is written to a temp folder and used instead.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConventions, type Protocol } from '../benchmarks/conventions.js';
import { prepareYouCook2, scoreWithToolkit } from '../benchmarks/youcook2/index.js';
import type { ScoreRequest } from '../benchmarks/types.js';
import type { CaptionToolkit } from '../metrics/densecap.js';
import { mulberry32 } from '../util/prng.js';
import { ptbTokenize } from '../metrics/ptb-tokenizer.js';
import { bleu } from '../metrics/bleu.js';
import { rougeL } from '../metrics/rouge.js';
import { ciderScorer } from '../metrics/cider.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sharedDir = process.env.MMDUET_SHARED ?? resolve(repoRoot, '..', 'shared');
const REAL = join(sharedDir, 'data', 'real', 'timechat_dvc_youcook2_example');

const WORDS = 'add cut the onion pan oil salt pepper stir fry bowl mix chicken garlic sauce water boil pour slice place on in a of to with'.split(' ');

/** A seeded synthetic TimeChat-format gold/prediction pair shaped like the real one (415 videos). */
function syntheticFiles(nVideos = 415): { gold: string; pred: string } {
  const rand = mulberry32(415);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const sentence = () => Array.from({ length: int(3, 10) }, () => WORDS[int(0, WORDS.length - 1)]).join(' ');
  const annotations: unknown[] = [];
  const pred: Record<string, unknown[]> = {};
  for (let v = 0; v < nVideos; v++) {
    const id = `vid${v}.mp4`;
    const duration = int(120, 600);
    const segments: [number, number][] = [];
    let t = int(0, 20);
    for (let k = int(3, 12); k > 0 && t < duration - 10; k--) {
      const e = Math.min(duration, t + int(5, 40));
      segments.push([t, e]);
      t = e + int(0, 20);
    }
    annotations.push({ image_id: id, duration, segments, pure_cap: segments.map(sentence).join('. ') });
    pred[id] = Array.from({ length: int(1, 20) }, () => {
      const s = rand() * duration;
      return { timestamp: [Math.round(s * 10) / 10, Math.round((s + rand() * 60) * 10) / 10], caption: sentence() + '.' };
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'mmduet-densecap-bench-'));
  const gold = join(dir, 'val.json');
  const predFile = join(dir, 'pred.json');
  writeFileSync(gold, JSON.stringify({ annotations }));
  writeFileSync(predFile, JSON.stringify(pred));
  return { gold, pred: predFile };
}

export async function run(): Promise<Record<string, unknown>> {
  const real = existsSync(join(REAL, 'example_gt_file.json')) && existsSync(join(REAL, 'example_pred_file.json'));
  const files = real ? { gold: join(REAL, 'example_gt_file.json'), pred: join(REAL, 'example_pred_file.json') } : syntheticFiles();
  const tk: CaptionToolkit = { tokenize: ptbTokenize, bleu, rougeL, cider: ciderScorer, meteor: null };
  const out: Record<string, unknown> = { data: real ? 'real TimeChat YouCook2 predictions' : 'synthetic (../shared absent)' };
  for (const protocol of ['mmduet', 'standard'] as Protocol[]) {
    const req: ScoreRequest = { goldPath: files.gold, predictionsPath: files.pred, conventions: resolveConventions(protocol, { sodaScorer: 'cider' }), params: {} };
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const prepared = prepareYouCook2(req);
    const score = await scoreWithToolkit(req, prepared, tk, 'not timed in this benchmark');
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    out[protocol] = {
      seconds,
      // CPU time of this process (user + system): less sensitive than wall time to a shared machine.
      cpu_seconds: (cpu.user + cpu.system) / 1e6,
      videos: prepared.scored.length,
      caption_items: score.counts.caption_items,
      CIDEr: score.metrics.CIDEr,
      F1: score.metrics.F1,
      SODA_c_cider: score.metrics.SODA_c,
    };
  }
  return out;
}
