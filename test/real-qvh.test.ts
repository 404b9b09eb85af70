import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readJsonFile, sharedDir } from './helpers/golden.js';
import { resolveConventions } from '../src/benchmarks/conventions.js';
import { scoreQvhighlights } from '../src/benchmarks/qvhighlights/index.js';
import { flattenTree, roundTree } from '../src/metrics/retrieval.js';

const dir = join(sharedDir, 'data', 'qvhighlights');
const has = existsSync(join(dir, 'highlight_val_release.jsonl'));

describe.skipIf(!has)('real QVHighlights val: Moment-DETR sample submission vs its official metrics', () => {
  it('reproduces all 104 values of moment_detr_sample_val_preds_metrics_raw.json', async () => {
    const res = await scoreQvhighlights({
      goldPath: join(dir, 'highlight_val_release.jsonl'),
      predictionsPath: join(dir, 'moment_detr_sample_val_preds.jsonl'),
      conventions: resolveConventions('mmduet', { qvhStrict: true }),
      params: {},
    });
    expect(res.counts.gold_scored).toBe(1550);
    const official = flattenTree(readJsonFile(join(dir, 'moment_detr_sample_val_preds_metrics_raw.json')));
    // The official file stores float(f"{100 v:.2f}"); ours rounded the same way must be equal.
    const ours = new Map(flattenTree(roundTree(res.details)));
    const unrounded = new Map(flattenTree(res.details));
    const mismatches: string[] = [];
    let matched = 0;
    for (const [path, v] of official) {
      if (ours.get(path) === v) matched++;
      else mismatches.push(`${path}: official ${v}, ours ${unrounded.get(path)}`);
    }
    console.log(`real QVH: ${matched}/${official.length} official values reproduced exactly after 2-decimal rounding`);
    expect(mismatches).toEqual([]);
    expect(official.length).toBe(104);
    expect(matched).toBe(104);
    expect(ours.size).toBe(104);
  });
});
