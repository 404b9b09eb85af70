/**
 * Demo material for `--demo` runs: short synthetic videos (ffmpeg `lavfi` colour segments) designed against
 * the tiny fixture model (fixtures/README.md), and one MMDuetIT-style annotation file per benchmark.
 * Generated once into a cache directory; a manifest marks it complete.
 *
 * Videos (square 128x128, 10 fps, H.264; "+m" = white 20x20 marker square in the bottom-right corner):
 * - demo-cook.mp4 (60 s): green 0–14, green+m 14–20, red 20–34, red+m 34–40, blue 40–54, blue+m 54–60.
 *   YouCook2 (0.5 fps, sum s = 2): marker frames at 14/16/18 → response "green" at 18, "red" at 38,
 *   "blue" at 58. Gold steps: green [0,20], red [20,40], blue [40,60].
 * - demo-ground.mp4 (30 s): blue 0–10, red 10–20, green 20–30. Relevance ≈ 1 exactly on the red
 *   segment: QVHighlights (1 fps) clips 5–9 relevant; Charades-STA (2 fps) gold moment [10, 20]
 *   (R1@0.5 = 100 at w = 6, τ = 0.5: predicted frames 10.0–19.5 s, IoU 20/21).
 * - demo-qa.mp4 (30 s): green 0–8, green+m 8–10, blue 10–18, blue+m 18–20, red 20–24, black 24–30.
 *   MAGQA (2 fps, inf + rel > 0.5): responses "green" at 8.0–9.5, "blue" at 18.0–19.5, "red" at 20.0–23.5.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { ffmpegCommand } from './doctor.js';

const DEMO_VERSION = 2;
const SIZE = 128;
const FPS = 10;
const MARKER = { x: 108, y: 108, w: 20, h: 20 };

export interface DemoMaterial {
  modelDir: string;
  videosDir: string;
  /** MMDuetIT-style test files (also gold for every benchmark), keyed by benchmark name. */
  annotations: Record<'youcook2' | 'qvhighlights' | 'charades-sta' | 'magqa', string>;
  /** Official-format gold files where the benchmark has one. */
  gold: { qvhighlights: string; 'charades-sta': string };
}

interface Segment {
  colour: 'red' | 'green' | 'blue' | 'black';
  seconds: number;
  marker?: boolean;
}

const VIDEOS: Record<string, Segment[]> = {
  'demo-cook.mp4': [
    { colour: 'green', seconds: 14 },
    { colour: 'green', seconds: 6, marker: true },
    { colour: 'red', seconds: 14 },
    { colour: 'red', seconds: 6, marker: true },
    { colour: 'blue', seconds: 14 },
    { colour: 'blue', seconds: 6, marker: true },
  ],
  'demo-ground.mp4': [
    { colour: 'blue', seconds: 10 },
    { colour: 'red', seconds: 10 },
    { colour: 'green', seconds: 10 },
  ],
  'demo-qa.mp4': [
    { colour: 'green', seconds: 8 },
    { colour: 'green', seconds: 2, marker: true },
    { colour: 'blue', seconds: 8 },
    { colour: 'blue', seconds: 2, marker: true },
    { colour: 'red', seconds: 4 },
    { colour: 'black', seconds: 6 },
  ],
};

/** The committed tiny model (fixtures/tiny-model beside src/ and dist/). */
export function tinyModelDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'tiny-model');
}

function makeVideo(file: string, segments: Segment[]): void {
  const args = ['-hide_banner', '-loglevel', 'error', '-y'];
  segments.forEach((s) => args.push('-f', 'lavfi', '-i', `color=c=${s.colour}:s=${SIZE}x${SIZE}:r=${FPS}:d=${s.seconds}`));
  const chains = segments.map((s, i) =>
    s.marker ? `[${i}:v]drawbox=x=${MARKER.x}:y=${MARKER.y}:w=${MARKER.w}:h=${MARKER.h}:color=white:t=fill[s${i}]` : `[${i}:v]null[s${i}]`,
  );
  const filter = `${chains.join(';')};${segments.map((_, i) => `[s${i}]`).join('')}concat=n=${segments.length}:v=1:a=0[v]`;
  args.push('-filter_complex', filter, '-map', '[v]', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '1', '-g', String(FPS), file);
  const r = spawnSync(ffmpegCommand(), args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new InputError(`--demo: ffmpeg (${ffmpegCommand()}) could not make ${file}: ${r.error?.message ?? r.stderr.trim().split('\n').pop()} (install ffmpeg with libx264 or set MMDUET_FFMPEG)`);
  }
}

const user = (content: string) => [{ role: 'user', content, time: 0 }];

function annotationFiles(): Record<string, unknown> {
  return {
    'youcook2.json': [
      {
        question_id: 'demo-cook',
        video: 'demo-cook.mp4',
        conversation: user('Please concisely narrate the video in real time.'),
        answer: [
          { content: 'green', time: [0, 20] },
          { content: 'red', time: [20, 40] },
          { content: 'blue', time: [40, 60] },
        ],
      },
    ],
    'qvhighlights.json': [
      {
        question_id: 1,
        video: 'demo-ground.mp4',
        duration: 30,
        conversation: user("Which clips in the video relate to the query 'the screen turns red'?"),
        answer: { relevant_clip_ids: [5, 6, 7, 8, 9], saliency_scores: Array.from({ length: 5 }, () => [4, 4, 4]) },
      },
    ],
    'charades-sta.json': [
      {
        question_id: 'demo-ground_0',
        video: 'demo-ground.mp4',
        conversation: user("What segment of the video addresses the topic 'the screen turns red'?"),
        timestamps: [[10, 20]],
      },
    ],
    'magqa.json': [
      {
        question_id: 'demo-qa.mp4',
        video: 'demo-qa.mp4',
        conversation: user('What colour is the screen?'),
        answer: [
          { content: 'green', time: [6, 10] },
          { content: 'blue', time: [16, 20] },
          { content: 'red', time: [20, 24] },
        ],
      },
    ],
  };
}

function goldFiles(): Record<string, string> {
  const qvh = {
    qid: 1,
    query: 'the screen turns red',
    vid: 'demo-ground_0_30',
    duration: 30,
    relevant_windows: [[10, 20]],
    relevant_clip_ids: [5, 6, 7, 8, 9],
    saliency_scores: Array.from({ length: 5 }, () => [4, 4, 4]),
  };
  return { 'qvhighlights_gold.jsonl': JSON.stringify(qvh) + '\n', 'charades-sta_gold.txt': 'demo-ground 10.0 20.0##the screen turns red.\n' };
}

function material(dir: string): DemoMaterial {
  const a = (name: string): string => join(dir, 'annotations', name);
  return {
    modelDir: tinyModelDir(),
    videosDir: join(dir, 'videos'),
    annotations: { youcook2: a('youcook2.json'), qvhighlights: a('qvhighlights.json'), 'charades-sta': a('charades-sta.json'), magqa: a('magqa.json') },
    gold: { qvhighlights: a('qvhighlights_gold.jsonl'), 'charades-sta': a('charades-sta_gold.txt') },
  };
}

/** Generates the demo material into `dir` unless a complete copy of this version is there. */
export async function ensureDemo(dir: string): Promise<DemoMaterial> {
  const root = resolve(dir);
  const manifest = join(root, 'manifest.json');
  if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: number }).version === DEMO_VERSION) return material(root);
  if (!existsSync(join(tinyModelDir(), 'config.json'))) throw new InputError(`--demo: the tiny fixture model is missing at ${tinyModelDir()} (run \`npm run fixtures\`)`);
  // Build beside the target and rename, so an interrupted run never leaves a half-made cache.
  const staging = `${root}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, 'videos'), { recursive: true });
  mkdirSync(join(staging, 'annotations'), { recursive: true });
  for (const [name, segments] of Object.entries(VIDEOS)) makeVideo(join(staging, 'videos', name), segments);
  for (const [name, content] of Object.entries(annotationFiles())) writeFileSync(join(staging, 'annotations', name), JSON.stringify(content, null, 2) + '\n');
  for (const [name, content] of Object.entries(goldFiles())) writeFileSync(join(staging, 'annotations', name), content);
  writeFileSync(join(staging, 'manifest.json'), JSON.stringify({ version: DEMO_VERSION, videos: VIDEOS }, null, 2) + '\n');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(dirname(root), { recursive: true });
  renameSync(staging, root);
  return material(root);
}
