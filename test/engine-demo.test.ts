import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDemo, type DemoMaterial } from '../fixtures/demo.js';
import { loadModel, runDuet, type LoadedModel, type ResponsePolicy } from '../src/engine/index.js';
import { ffmpegCommand, probeFfmpeg } from '../src/engine/doctor.js';

const hasFfmpeg = probeFfmpeg().ok;
const R = 384;

/**
 * Decodes every frame at its native size and samples them with the released loader's clock rule
 * (protocol.md §2.2): frame j becomes sample k once the clock c ≥ k/fps. The demo videos are square
 * 128x128, so letterboxing is a plain 3x upscale (nearest: the frames are flat colour blocks).
 */
function sampleVideo(file: string, fps: number): { pixels: Float32Array; times: number[]; duration: number } {
  const probe = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=nb_frames,r_frame_rate,width', '-of', 'json', file], { encoding: 'utf8' });
  const stream = (JSON.parse(probe.stdout) as { streams: Array<{ nb_frames: string; r_frame_rate: string; width: number }> }).streams[0]!;
  const [num, den] = stream.r_frame_rate.split('/').map(Number) as [number, number];
  const inputFps = num / den;
  const duration = Number(stream.nb_frames) / inputFps;
  const size = stream.width;
  const scale = R / size;
  const raw = spawnSync(ffmpegCommand(), ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 }).stdout;
  const frameBytes = size * size * 3;
  const targets = Math.ceil(duration * fps);
  const picked: number[] = [];
  let clock = 0;
  for (let j = 0; j < raw.length / frameBytes && picked.length < targets; j++) {
    if (clock >= picked.length / fps) picked.push(j);
    clock += 1 / inputFps;
  }
  const plane = R * R;
  const pixels = new Float32Array(picked.length * 3 * plane);
  picked.forEach((j, k) => {
    for (let y = 0; y < R; y++) {
      for (let x = 0; x < R; x++) {
        const src = j * frameBytes + (Math.floor(y / scale) * size + Math.floor(x / scale)) * 3;
        for (let c = 0; c < 3; c++) pixels[(k * 3 + c) * plane + y * R + x] = raw[src + c]! / 127.5 - 1;
      }
    }
  });
  return { pixels, times: picked.map((_, k) => k / fps), duration };
}

describe.skipIf(!hasFfmpeg)('demo material on the tiny model', () => {
  const cache = mkdtempSync(join(tmpdir(), 'mmduet-demo-'));
  let demo: DemoMaterial;
  let model: LoadedModel;
  beforeAll(async () => {
    demo = await ensureDemo(cache);
    model = await loadModel({ modelDir: demo.modelDir, device: 'cpu', log: () => {} });
  });
  afterAll(async () => {
    await model?.release();
    rmSync(cache, { recursive: true, force: true });
  });

  async function run(benchmark: keyof DemoMaterial['annotations'], fps: number, policy: ResponsePolicy) {
    const item = (JSON.parse(readFileSync(demo.annotations[benchmark], 'utf8')) as Array<{ question_id: string | number; video: string; conversation: Array<{ time: number; content: string }> }>)[0]!;
    const v = sampleVideo(join(demo.videosDir, item.video), fps);
    const emb = await model.encodeFrames(v.pixels, v.times.length);
    return runDuet(model, { questionId: String(item.question_id), frameEmbeddings: emb, frameTimes: v.times, userTurns: item.conversation, policy, videoDuration: v.duration });
  }

  it('is generated once (the second call reuses the cache)', async () => {
    const again = await ensureDemo(cache);
    expect(again).toEqual(demo);
  });

  it('YouCook2 (0.5 fps, sum s = 2): one response per marker run, with the segment colour', async () => {
    const { record } = await run('youcook2', 0.5, { kind: 'sum', s: 2 });
    expect(record.video_duration).toBe(60);
    expect(record.debug_data).toHaveLength(30);
    expect(record.model_response_list.filter((r) => r.role === 'assistant')).toEqual([
      { time: 18, content: 'green', role: 'assistant' },
      { time: 38, content: 'red', role: 'assistant' },
      { time: 58, content: 'blue', role: 'assistant' },
    ]);
  });

  it('MAGQA (2 fps, inf + rel > 0.5): responses on marker frames and on the red segment', async () => {
    const { record } = await run('magqa', 2, { kind: 'per-frame', t: 0.5 });
    const said = record.model_response_list.filter((r) => r.role === 'assistant').map((r) => `${r.time}:${r.content}`);
    const expected = [
      ...[8, 8.5, 9, 9.5].map((t) => `${t}:green`),
      ...[18, 18.5, 19, 19.5].map((t) => `${t}:blue`),
      ...[20, 20.5, 21, 21.5, 22, 22.5, 23, 23.5].map((t) => `${t}:red`),
    ];
    expect(said).toEqual(expected);
  });

  it('QVHighlights (1 fps): relevance above 0.5 exactly on the red seconds 10-19', async () => {
    const { record } = await run('qvhighlights', 1, { kind: 'never' });
    expect(record.debug_data.filter((d) => d.relevance_score > 0.5).map((d) => d.time)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });

  it('Charades-STA (2 fps): frame-level IoU with w = 6, τ = 0.5 is 20/21 (R1@0.5 = 100)', async () => {
    const { record } = await run('charades-sta', 2, { kind: 'never' });
    // benchmarks.md §3: 3-decimal rounding, centred box smoothing, min-max normalisation, gold frames inclusive.
    const p = record.debug_data.map((d) => Math.round(d.relevance_score * 1000) / 1000);
    const w = 6;
    const s = p.map((_, i) => {
      const win = p.slice(Math.max(0, i - w), Math.min(p.length - 1, i + w) + 1);
      return win.reduce((a, b) => a + b, 0) / win.length;
    });
    const lo = Math.min(...s);
    const hi = Math.max(...s);
    const pred = s.map((x) => (x - lo) / (hi - lo) >= 0.5);
    const gold = record.debug_data.map((d) => d.time >= 10 && d.time <= 20);
    const inter = pred.filter((x, i) => x && gold[i]).length;
    const union = pred.filter((x, i) => x || gold[i]).length;
    expect(inter / union).toBeCloseTo(20 / 21, 12);
  });
});
