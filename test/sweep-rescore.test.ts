import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// A post-processing sweep must never load the model: make any attempt fail loudly.
const loadModel = vi.fn(() => {
  throw new Error('model loaded during a post-processing sweep');
});
vi.mock('../src/engine/index.js', () => ({ loadModel, checkModelDir: loadModel, runDuet: loadModel }));

const { runSweepCommand, rescoreSweep, parseSweepValues, sweepCsv } = await import('../src/sweep/index.js');
const { writeSyntheticQvhRun, writeSyntheticCharadesRun } = await import('../src/sweep/synthetic.js');
const { scoreToResult } = await import('../src/score/service.js');
const { writeFileAtomic } = await import('../src/io/files.js');
const { InputError } = await import('../src/errors.js');

function finishedRun(dir: string, benchmark: string, dataPath: string): void {
  // The run.json of `mmduet infer` (only the fields a sweep reads matter here).
  writeFileAtomic(join(dir, 'run.json'), JSON.stringify({ format: 'mmduet-eval-run/1', toolkit_version: 'test', created_at: '', identity: { benchmark }, provenance: { data: dataPath }, items_planned: 0 }));
}

describe('parseSweepValues', () => {
  it('reads lists and inclusive ranges without float drift', () => {
    expect(parseSweepValues('0,1,2')).toEqual([0, 1, 2]);
    expect(parseSweepValues('0:14:1')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(parseSweepValues('0.3:0.6:0.1')).toEqual([0.3, 0.4, 0.5, 0.6]);
    expect(parseSweepValues('1:3:0.5')).toEqual([1, 1.5, 2, 2.5, 3]);
  });
  it('refuses malformed values with the flag name', () => {
    expect(() => parseSweepValues('1,,2')).toThrow(/--values: expected numbers/);
    expect(() => parseSweepValues('3:1:1')).toThrow(/from <= to/);
    expect(() => parseSweepValues('1,1')).toThrow(/distinct/);
  });
});

describe('w sweep on a finished QVHighlights run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-qvh-'));
  const run = writeSyntheticQvhRun(dir, 30);
  finishedRun(dir, 'qvhighlights', run.goldPath);

  it('rescoring w = 0..14 equals separate scoreToResult calls, with no model call', async () => {
    const { sweep, written } = await runSweepCommand({ benchmark: 'qvh', param: 'w', values: '0:14:1', runDir: dir });
    expect(loadModel).not.toHaveBeenCalled();
    expect(sweep.model_calls).toEqual({ scoring_passes: 0, generations: 0 });
    expect(sweep.reused).toMatch(/^no model call/);
    expect(sweep.rows.map((r) => r.value)).toEqual([...Array(15).keys()]);
    for (const row of sweep.rows) {
      const separate = await scoreToResult({ benchmark: 'qvhighlights', goldPath: run.goldPath, predictionsPath: run.predictionsPath, params: { w: row.value } });
      expect(row.metrics).toEqual(separate.metrics);
      expect(row.counts).toEqual(separate.counts);
    }
    // w changes the numbers (otherwise the equality above proves nothing about the parameter reaching the scorer).
    const maps = new Set(sweep.rows.map((r) => r.metrics['HL-min-VeryGood-mAP']));
    expect(maps.size).toBeGreaterThan(5);
    expect(written.json).toBe(join(dir, 'sweeps', 'w', 'sweep.json'));
    expect(JSON.parse(readFileSync(written.json, 'utf8')).rows).toHaveLength(15);
    const csv = readFileSync(written.csv, 'utf8').trim().split('\n');
    expect(csv).toHaveLength(16);
    expect(csv[0]!.split(',').slice(0, 3)).toEqual(['w', 'seconds', 'HL-min-Fair-mAP']);
    expect(Number(csv[3]!.split(',')[0])).toBe(2);
    expect(written.plots.map((p) => p.slice(dir.length))).toEqual(['/sweeps/w/w-hl-verygood.png']);
    expect(existsSync(written.plots[0]!)).toBe(true);
  }, 120_000);

  it('refuses s and t (they change the responses) and a run of another benchmark', async () => {
    await expect(rescoreSweep({ benchmark: 'qvh', param: 's', values: [1], goldPath: run.goldPath, predictionsPath: run.predictionsPath })).rejects.toThrow(/s and t change the responses/);
    await expect(runSweepCommand({ benchmark: 'charades', param: 'w', values: '1', runDir: dir })).rejects.toThrow(InputError);
    await expect(runSweepCommand({ benchmark: 'qvh', param: 'x', runDir: dir })).rejects.toThrow(/--param: expected one of w, threshold, s, t/);
  });
});

describe('Charades-STA sweeps', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-cha-'));
  const run = writeSyntheticCharadesRun(dir, 25);

  it('τ sweep from a prediction file equals separate calls and keeps w fixed', async () => {
    const out = join(dir, 'out');
    const { sweep, written } = await runSweepCommand({ benchmark: 'charades-sta', param: 'threshold', values: '0.3,0.5,0.7', predictionsPath: run.predictionsPath, goldPath: run.goldPath, outDir: out, params: { w: 3 } });
    expect(written.json).toBe(join(out, 'sweep.json'));
    for (const row of sweep.rows) {
      const separate = await scoreToResult({ benchmark: 'charades-sta', goldPath: run.goldPath, predictionsPath: run.predictionsPath, params: { w: 3, threshold: row.value } });
      expect(row.metrics).toEqual(separate.metrics);
    }
    expect((sweep.source.parameters_held_fixed as Record<string, unknown>).w).toBe(3);
    expect(sweepCsv(sweep).split('\n')[0]).toBe('threshold,seconds,R1@0.3,R1@0.5,R1@0.7,mIoU,count:gold_queries,count:predictions,count:predictions_without_gold,count:scored,count:predictions_without_frames,count:all_equal_scores');
  }, 120_000);
});
