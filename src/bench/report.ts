/**
 * Bench for `mmduet report`: two seeded MAGQA-like results of 2000 items (clips of ~700 videos, in-span
 * score and turn counts per item), compared with 10,000 bootstrap resamples. Target: under 2 s.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '../util/prng.js';
import { runReport } from '../report/index.js';

const ITEMS = 2000;
const RESAMPLES = 10000;

function magqaLike(seed: number, shift: number): Record<string, unknown> {
  // The same clips and videos on both sides (fixed seed); only the values depend on `seed`.
  const layout = mulberry32(12345);
  const random = mulberry32(seed);
  const perItem: Record<string, Record<string, number>> = {};
  const perItemVideo: Record<string, string> = {};
  let video = 0;
  for (let i = 0; i < ITEMS; i++) {
    if (layout() < 0.35) video++; // about 2.9 clips per video
    const id = `vid${video}.${i}.mp4`;
    const turns = 1 + Math.floor(random() * 30);
    perItem[id] = { in_span: Math.min(5, Math.max(1, 1 + random() * 4 + shift)), '# turns': turns, '# turns w/ dedup': Math.ceil(turns * 0.6) };
    perItemVideo[id] = `vid${video}`;
  }
  const mean = (metric: string) => Object.values(perItem).reduce((s, v) => s + v[metric]!, 0) / ITEMS;
  return {
    benchmark: 'magqa',
    protocol: 'mmduet',
    metrics: { in_span: mean('in_span'), '# turns': mean('# turns'), '# turns w/ dedup': mean('# turns w/ dedup') },
    counts: { examples: ITEMS },
    notes: [],
    perItem,
    perItemVideo,
    provenance: { toolkit_version: 'bench', gold_sha256: 'g', predictions_sha256: `p${seed}`, parameters: { judge_model: 'j' }, created_at: '', node_version: process.version },
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'mmduet-bench-report-'));
  try {
    const baseline = join(dir, 'baseline.json');
    const current = join(dir, 'current.json');
    writeFileSync(baseline, JSON.stringify(magqaLike(1, 0)));
    writeFileSync(current, JSON.stringify(magqaLike(2, -0.05)));
    const timings: Record<string, number> = {};
    let clusters = 0;
    for (const format of ['markdown', 'junit', 'json'] as const) {
      const t0 = performance.now();
      const outcome = runReport({ baseline, current, format, resamples: RESAMPLES, seed: 1 });
      timings[`${format}_ms`] = Math.round(performance.now() - t0);
      const ci = outcome.comparison.rows.find((r) => r.metric === 'in_span')?.ci;
      if (ci?.items !== ITEMS) throw new Error(`expected all ${ITEMS} items paired, found ${ci?.items}`);
      clusters = ci.clusters;
    }
    return { items: ITEMS, videos: clusters, metrics_with_ci: 3, resamples: RESAMPLES, ...timings, target_ms: 2000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
