/**
 * Synthetic finished runs for tests and benchmarks: gold files and MMDuet prediction lines with
 * per-frame scores that are higher inside the gold span (so w and τ change the metrics).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/files.js';
import { mulberry32 } from '../util/prng.js';

export interface SyntheticRun {
  goldPath: string;
  predictionsPath: string;
}

function predictionLine(id: string, duration: number, fps: number, inside: (t: number) => boolean, rand: () => number): string {
  const n = Math.floor(duration * fps);
  const debug = Array.from({ length: n }, (_, k) => {
    const time = k / fps;
    const base = inside(time) ? 0.55 : 0.25;
    return { time, informative_score: rand(), relevance_score: Math.min(1, Math.max(0, base + (rand() - 0.5) * 0.6)) };
  });
  return JSON.stringify({ question_id: id, model_response_list: [{ time: 0, content: `query ${id}`, role: 'user' }], video_duration: duration, debug_data: debug });
}

/** QVHighlights-like: 150-s videos at 1 fps, official gold JSONL (a contiguous block of relevant clips). */
export function writeSyntheticQvhRun(dir: string, queries: number, seed = 1): SyntheticRun {
  mkdirSync(dir, { recursive: true });
  const rand = mulberry32(seed);
  const gold: string[] = [];
  const preds: string[] = [];
  for (let q = 0; q < queries; q++) {
    const duration = 150;
    const start = Math.floor(rand() * 60);
    const len = 3 + Math.floor(rand() * 10);
    const ids = Array.from({ length: len }, (_, i) => start + i);
    const sal = ids.map(() => [0, 1, 2].map(() => Math.floor(rand() * 5)));
    gold.push(JSON.stringify({ qid: q, query: `query ${q}`, duration, vid: `v${q}`, relevant_clip_ids: ids, saliency_scores: sal, relevant_windows: [[start * 2, (start + len) * 2]] }));
    preds.push(predictionLine(String(q), duration, 1, (t) => t >= start * 2 && t < (start + len) * 2, rand));
  }
  const goldPath = join(dir, 'gold.jsonl');
  const predictionsPath = join(dir, 'predictions.jsonl');
  writeFileAtomic(goldPath, gold.join('\n') + '\n');
  writeFileAtomic(predictionsPath, preds.join('\n') + '\n');
  return { goldPath, predictionsPath };
}

/** Charades-STA-like: 30-s videos at 2 fps, the text gold format (ids = 0-based line numbers). */
export function writeSyntheticCharadesRun(dir: string, queries: number, seed = 2): SyntheticRun {
  mkdirSync(dir, { recursive: true });
  const rand = mulberry32(seed);
  const gold: string[] = [];
  const preds: string[] = [];
  for (let q = 0; q < queries; q++) {
    const duration = 30;
    const s = Math.round(rand() * 150) / 10;
    const e = Math.round((s + 3 + rand() * 10) * 10) / 10;
    gold.push(`V${q} ${s.toFixed(1)} ${e.toFixed(1)}##person does thing ${q}.`);
    preds.push(predictionLine(String(q), duration, 2, (t) => t >= s && t <= e, rand));
  }
  const goldPath = join(dir, 'charades_sta_test.txt');
  const predictionsPath = join(dir, 'predictions.jsonl');
  writeFileAtomic(goldPath, gold.join('\n') + '\n');
  writeFileAtomic(predictionsPath, preds.join('\n') + '\n');
  return { goldPath, predictionsPath };
}
