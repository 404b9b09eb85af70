/**
 * End-to-end tests of the built CLI (`npm run build` first) with the tiny fixture model and the two
 * real videos: resume after SIGKILL, shards run as separate processes then merged, failed items,
 * path traversal, and `eval --demo`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasShared, repoRoot, sharedDir } from './helpers/golden.js';

const bin = join(repoRoot, 'bin', 'run.js');
const model = join(repoRoot, 'fixtures', 'tiny-model');
const built = existsSync(join(repoRoot, 'dist', 'commands', 'infer.js'));
const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
const ready = hasShared && hasFfmpeg && built && existsSync(join(model, 'config.json'));

interface Cli {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Cli> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const read = (f: string) => readFileSync(f, 'utf8');
const lines = (f: string) => (existsSync(f) ? read(f).split('\n').filter(Boolean).length : 0);

describe.skipIf(!ready)('mmduet infer / merge / eval (built CLI, fixture model)', () => {
  let dir: string;
  let args: (out: string, ...extra: string[]) => string[];
  let env: Record<string, string>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mmduet-e2e-'));
    const videos = join(dir, 'videos');
    mkdirSync(join(videos, 'sub'), { recursive: true });
    copyFileSync(join(sharedDir, 'data', 'videos', 'drive.mp4'), join(videos, 'drive.mp4'));
    copyFileSync(join(sharedDir, 'data', 'videos', 'office.mp4'), join(videos, 'sub', 'office.mp4'));
    writeFileSync(join(dir, 'outside.mp4'), 'x');
    const q = (qid: string, video: string, time: number) => ({ question_id: qid, video, conversation: [{ role: 'user', content: 'When does the car turn?', time }], timestamps: [[2, 6]] });
    const data = [
      q('c0', 'drive.mp4', 0),
      q('c1', 'sub/office.mp4', 0),
      q('c2', 'missing.mp4', 0),
      q('c3', 'drive.mp4', 4),
      q('c4', '../outside.mp4', 0),
      q('c5', 'sub/office.mp4', 3),
      q('c6', 'drive.mp4', 0),
    ];
    writeFileSync(join(dir, 'data.json'), JSON.stringify(data));
    env = { MMDUET_CACHE_DIR: join(dir, 'cache') };
    args = (out, ...extra) => ['infer', 'charades', '--model', model, '--data', join(dir, 'data.json'), '--videos', videos, '--out', out, '--device', 'cpu', ...extra];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an uninterrupted run: predictions, failed items with reasons, exit 0', async () => {
    const r = await cli(args(join(dir, 'full')), env);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/items: 7 planned, 0 already done, 5 done now, 2 failed/);
    expect(lines(join(dir, 'full', 'predictions.jsonl'))).toBe(5);
    const errors = read(join(dir, 'full', 'errors.jsonl')).trim().split('\n').map((l) => JSON.parse(l));
    expect(errors.map((e) => e.question_id)).toEqual(['c2', 'c4']);
    expect(errors[0].reason).toMatch(/^missing video/);
    expect(errors[1].reason).toMatch(/leaves the --videos folder/);
    const first = JSON.parse(read(join(dir, 'full', 'predictions.jsonl')).split('\n')[0]!);
    expect(first.debug_data.length).toBe(33);
    expect(first.video_duration).toBe(16.5);
    expect(first.debug_data[32].time).toBe(16);
  });

  it('SIGKILL mid-run, then the same command: output equal to the uninterrupted run', async () => {
    const out = join(dir, 'killed');
    // No embedding cache for this run, so every item decodes and the kill lands mid-run.
    const child = spawn(process.execPath, [bin, ...args(out, '--no-cache')], { env: { ...process.env, ...env }, stdio: 'ignore' });
    const pred = join(out, 'predictions.jsonl');
    await new Promise<void>((resolve, reject) => {
      const t0 = Date.now();
      const timer = setInterval(() => {
        if (lines(pred) >= 2) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve();
        } else if (Date.now() - t0 > 90_000) {
          clearInterval(timer);
          child.kill('SIGKILL');
          reject(new Error('the run produced no predictions in 90 s'));
        }
      }, 10);
    });
    await new Promise((r) => child.once('close', r));
    const partial = lines(pred);
    expect(partial).toBeGreaterThanOrEqual(2);
    expect(partial).toBeLessThan(5);
    const r = await cli(args(out, '--no-cache'), env);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/resuming/);
    expect(read(pred)).toBe(read(join(dir, 'full', 'predictions.jsonl')));
    expect(read(join(out, 'errors.jsonl'))).toBe(read(join(dir, 'full', 'errors.jsonl')));
  });

  it('3 shards as separate processes, merged, equal the single run', async () => {
    const shards = [1, 2, 3].map((k) => join(dir, `shard${k}`));
    const results = await Promise.all(shards.map((d, i) => cli(args(d, '--shard', `${i + 1}/3`), env)));
    for (const r of results) expect(r.status).toBe(0);
    const merged = join(dir, 'merged');
    const m = await cli(['merge', ...shards, '--out', merged]);
    expect(m.stderr).toBe('');
    expect(m.stdout).toMatch(/merged 3 shards .*: 5 predictions, 2 failed items/);
    expect(read(join(merged, 'predictions.jsonl'))).toBe(read(join(dir, 'full', 'predictions.jsonl')));
    expect(read(join(merged, 'errors.jsonl'))).toBe(read(join(dir, 'full', 'errors.jsonl')));
    const bad = await cli(['merge', shards[0]!, shards[1]!, '--out', join(dir, 'm2')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^Error: merge: expected all 3 shards, missing 3\/3/);
  });

  it('refuses to resume with other parameters (exit 2, one line)', async () => {
    const r = await cli(args(join(dir, 'full'), '--profile', 'mmduet-code'), env);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot resume.*profile: "paper" in the run, "mmduet-code" now/);
  });

  it('--strict stops at the missing video', async () => {
    const r = await cli(args(join(dir, 'strict'), '--strict'), env);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/missing\.mp4: missing video/);
  });

  it('eval scores the finished run and writes result.json', async () => {
    const r = await cli(['eval', 'charades', '--model', model, '--data', join(dir, 'data.json'), '--videos', join(dir, 'videos'), '--out', join(dir, 'full'), '--device', 'cpu'], env);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/items: 7 planned, 5 already done, 0 done now, 2 failed/);
    expect(r.stdout).toMatch(/R1@0\.5/);
    const result = JSON.parse(read(join(dir, 'full', 'result.json')));
    expect(result.benchmark).toBe('charades-sta');
    expect(result.counts).toMatchObject({ inference_items_planned: 7, inference_items_predicted: 5, inference_items_failed: 2 });
    expect(result.perItemVideo).toEqual({ c0: 'drive.mp4', c1: 'sub/office.mp4', c3: 'drive.mp4', c5: 'sub/office.mp4', c6: 'drive.mp4' });
    expect(result.notes.join('\n')).toMatch(/2 item\(s\) failed at inference/);
  });

  it('eval --demo (charades): the fixture model finds the red segment', async () => {
    const r = await cli(['eval', 'charades', '--demo', '--out', join(dir, 'demo-run')], { ...env, MMDUET_DEMO_DIR: join(dir, 'demo') });
    expect(r.status).toBe(0);
    // fixtures/README.md: at w = 6, τ = 0.5 the predicted frames are 10.0–19.5 s against gold [10, 20]: IoU 20/21.
    const result = JSON.parse(read(join(dir, 'demo-run', 'result.json')));
    expect(result.metrics['R1@0.5']).toBe(100);
    expect(result.metrics.mIoU).toBeCloseTo((100 * 20) / 21, 9);
  });
});
