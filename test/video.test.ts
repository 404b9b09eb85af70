import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeRgbFrames,
  embedVideo,
  FrameSelector,
  frameTimes,
  letterboxGeometry,
  openSampledVideo,
  planSampling,
  probeVideo,
  profileSettings,
  resizeBilinearRgb,
  resolveFfmpeg,
  resolveVideoPath,
  selectedFrameIndices,
  SIGLIP_NORMALISATION,
  VideoError,
  type FrameEncoder,
  type SamplingSettings,
} from '../src/video/index.js';
import { hasShared, sharedDir } from './helpers/golden.js';

const ffmpeg = resolveFfmpeg();
const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
const at2fps: SamplingSettings = { fps: 2, maxFrames: 400, overflow: 'uniform' };

/** Deterministic test pattern (same formula as the script that produced the cv2 values). */
function pattern(w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) out[(y * w + x) * 3 + c] = (x * 37 + y * 91 + c * 53 + x * y * 7) % 256;
  return out;
}

function resize(w: number, h: number, nw: number, nh: number): number[] {
  const out = new Uint8Array(nw * nh * 3);
  resizeBilinearRgb(pattern(w, h), w, h, nw, nh, out);
  return [...out];
}

describe('cv2.resize INTER_LINEAR reproduction (values from opencv-python 4.14, x86)', () => {
  it('downscale 13x7 -> 5x3', () => {
    expect(resize(13, 7, 5, 3)).toEqual([
      94, 147, 200, 134, 85, 138, 140, 108, 161, 163, 113, 98, 101, 154, 121, 63, 116, 169, 214, 165, 64, 109, 162, 215, 106, 57, 110, 155, 208,
      209, 67, 120, 139, 141, 125, 76, 163, 131, 184, 100, 102, 121, 174, 74, 127,
    ]);
  });
  it('upscale 5x3 -> 13x7 (first and last rows)', () => {
    const r = resize(5, 3, 13, 7);
    expect(r.slice(0, 39)).toEqual([0, 53, 106, 3, 56, 109, 17, 70, 123, 31, 84, 137, 46, 98, 152, 60, 113, 166, 74, 127, 180, 88, 141, 194, 102, 155, 208, 117, 169, 223, 131, 184, 237, 145, 198, 251, 148, 201, 254]);
    expect(r.slice(6 * 39)).toEqual([182, 235, 32, 186, 219, 36, 205, 140, 55, 225, 61, 75, 186, 42, 95, 107, 61, 114, 28, 81, 134, 48, 100, 153, 67, 120, 173, 87, 140, 193, 106, 159, 212, 126, 179, 232, 130, 183, 236]);
  });
  it('exact 2x downscale 8x6 -> 4x3 uses the INTER_AREA average', () => {
    expect(resize(8, 6, 4, 3)).toEqual([66, 119, 172, 147, 136, 125, 100, 153, 142, 117, 106, 159, 127, 116, 105, 108, 161, 150, 153, 142, 131, 134, 123, 112, 124, 177, 102, 133, 122, 111, 142, 131, 120, 151, 140, 129]);
  });
  it('letterbox-size upscale 10x4 -> 384x153 (row 76 and checksum)', () => {
    const r = resize(10, 4, 384, 153);
    expect(r.slice(76 * 384 * 3, 76 * 384 * 3 + 24)).toEqual([137, 190, 115, 137, 190, 115, 137, 190, 115, 137, 190, 115, 137, 190, 115, 137, 190, 115, 137, 190, 115, 137, 190, 115]);
    expect(r.reduce((s, v) => s + v, 0)).toBe(22547917);
  });
});

describe('letterbox geometry (protocol.md §3)', () => {
  it('landscape: int truncation and even padding', () => {
    expect(letterboxGeometry(1000, 563, 384)).toEqual({ width: 384, height: 216, top: 84, bottom: 84, left: 0, right: 0, size: 384 });
  });
  it('odd padding puts the extra pixel at the bottom / right', () => {
    expect(letterboxGeometry(97, 61, 384)).toMatchObject({ width: 384, height: 241, top: 71, bottom: 72 });
    expect(letterboxGeometry(61, 97, 384)).toMatchObject({ width: 241, height: 384, left: 71, right: 72 });
  });
  it('square frames fill the canvas', () => {
    expect(letterboxGeometry(500, 500, 384)).toMatchObject({ width: 384, height: 384, top: 0, left: 0 });
  });
});

describe('frame selection (protocol.md §2.2; expected indices from a Python float64 replica of the loader)', () => {
  it('25 fps -> 2 fps', () => expect(selectedFrameIndices(25, 100, at2fps)).toEqual([0, 13, 25, 38, 50, 63, 75, 88]));
  it('30 fps -> 2 fps follows the float clock, not nearest rounding', () => expect(selectedFrameIndices(30, 100, at2fps)).toEqual([0, 16, 31, 45, 60, 75, 91]));
  it('30 fps -> 1 fps', () => expect(selectedFrameIndices(30, 90, { ...at2fps, fps: 1 })).toEqual([0, 31, 60]));
  it('NTSC 29.97 fps -> 2 fps', () => {
    expect(selectedFrameIndices(30000 / 1001, 300, at2fps)).toEqual([0, 15, 30, 45, 60, 75, 90, 105, 120, 135, 150, 165, 180, 195, 210, 225, 240, 255, 270, 285]);
  });
  it('sampling at the native rate loses a frame to the float clock, as the loader does (Python replica: 399 of 400)', () => {
    const idx = selectedFrameIndices(25, 400, { ...at2fps, fps: 25 });
    expect(idx.length).toBe(399);
    expect(idx.slice(9, 12)).toEqual([9, 11, 12]); // sample 10 waits for decoded frame 11
  });
  it('at most one sample per decoded frame when the target rate exceeds the input rate', () => {
    const plan = planSampling(1, 5, at2fps); // D = 5 s, 10 targets, 5 decoded frames
    const sel = new FrameSelector(plan, 1);
    expect([0, 1, 2, 3, 4].map(() => sel.offer())).toEqual([0, 1, 2, 3, 4]);
  });
  it('paper profile: a 1000 s YouCook2 video is resampled uniformly to 400 frames at 0.4 fps', () => {
    const plan = planSampling(25, 25000, profileSettings('paper', 0.5, 'youcook2'));
    expect(plan).toEqual({ effectiveFps: 0.4, mode: 'uniform', nominalFrames: 500, frames: 400, duration: 1000 });
    const idx = selectedFrameIndices(25, 25000, profileSettings('paper', 0.5, 'youcook2'));
    expect(idx.length).toBe(400);
    expect(idx.slice(0, 3)).toEqual([0, 63, 125]); // 2.5 s apart at 25 fps
    expect(frameTimes(0.4, 3)).toEqual([0, 2.5, 5]);
  });
  it('mmduet-code profile: YouCook2 truncates at 200 frames (first 400 s)', () => {
    const s = profileSettings('mmduet-code', 0.5, 'youcook2');
    expect(s.maxFrames).toBe(200);
    const idx = selectedFrameIndices(25, 25000, s);
    expect(idx.length).toBe(200);
    expect(idx[199]).toBe(9950); // 398 s
    expect(profileSettings('mmduet-code', 2, 'magqa').maxFrames).toBe(400);
  });
});

/** Uncompressed BGR in AVI: exact colours, and the container stores nb_frames. */
const lossless = ['-c:v', 'rawvideo', '-pix_fmt', 'bgr24'];

/** Runs ffmpeg to make a synthetic video; returns its path. */
function makeVideo(dir: string, name: string, args: string[]): string {
  const out = join(dir, name);
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args, out]);
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
  return out;
}

async function collect(path: string, settings: SamplingSettings) {
  const video = openSampledVideo(path, { settings, size: 384, normalisation: SIGLIP_NORMALISATION, batchSize: 4, ffmpeg });
  const batches = [];
  for await (const b of video.batches()) batches.push({ ...b, pixels: b.pixels.slice() });
  return { video, batches };
}

const plane = 384 * 384;

describe.skipIf(!hasFfmpeg)('synthetic videos (lavfi, lossless RGB)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mmduet-video-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a 320x240 colour is letterboxed to 384x288 with black bars and normalised exactly', async () => {
    const path = makeVideo(dir, 'blue.avi', ['-f', 'lavfi', '-i', 'color=c=0x3366CC:s=320x240:r=4:d=1,format=bgr24', ...lossless]);
    const { video, batches } = await collect(path, at2fps);
    expect(video.info).toMatchObject({ width: 320, height: 240, fps: 4, frameCount: 4, duration: 1 });
    expect(video.geometry).toMatchObject({ width: 384, height: 288, top: 48, bottom: 48 });
    expect(video.taken()).toBe(2);
    expect(video.times()).toEqual([0, 0.5]);
    const px = batches[0]!.pixels;
    const at = (c: number, y: number, x: number) => px[c * plane + y * 384 + x]!;
    // (51, 102, 204) -> x/127.5 - 1
    expect(at(0, 200, 100)).toBeCloseTo(51 / 127.5 - 1, 6);
    expect(at(1, 48, 0)).toBeCloseTo(102 / 127.5 - 1, 6);
    expect(at(2, 335, 383)).toBeCloseTo(204 / 127.5 - 1, 6);
    expect(at(0, 47, 10)).toBe(-1);
    expect(at(2, 336, 10)).toBe(-1);
    expect(at(1, 0, 0)).toBe(-1);
  });

  it('portrait white frames get side bars; values reach +1', async () => {
    const path = makeVideo(dir, 'white.avi', ['-f', 'lavfi', '-i', 'color=c=white:s=100x200:r=2:d=1,format=bgr24', ...lossless]);
    const { video, batches } = await collect(path, at2fps);
    expect(video.geometry).toMatchObject({ width: 192, height: 384, left: 96, right: 96 });
    const px = batches[0]!.pixels;
    expect(px[0 * plane + 10 * 384 + 95]).toBe(-1);
    expect(px[0 * plane + 10 * 384 + 96]).toBe(1);
    expect(px[2 * plane + 383 * 384 + 287]).toBe(1);
    expect(px[2 * plane + 383 * 384 + 288]).toBe(-1);
  });

  it('the selected frames are the decoded frames the loader picks (frame number encoded in the colour)', async () => {
    // Frame j has red = 8j: 25 fps, 4 s -> 100 frames; at 2 fps the loader keeps 0,13,25,38,50,63,75,88.
    const path = makeVideo(dir, 'ramp.avi', ['-f', 'lavfi', '-i', "color=c=black:s=64x48:r=25:d=4,format=rgb24,geq=r='mod(8*N,256)':g='0':b='0'", ...lossless]);
    const { video, batches } = await collect(path, at2fps);
    expect(video.decoded()).toBeGreaterThanOrEqual(89);
    const decodedIdx = batches.flatMap((b) => b.decodedIndex);
    expect(decodedIdx).toEqual([0, 13, 25, 38, 50, 63, 75, 88]);
    const reds = batches.flatMap((b) => Array.from({ length: b.count }, (_, i) => Math.round((b.pixels[i * 3 * plane + 192 * 384 + 192]! + 1) * 127.5)));
    expect(reds).toEqual(decodedIdx.map((j) => (8 * j) % 256));
    expect(batches.map((b) => b.count)).toEqual([4, 4]);
  });

  it('ffmpeg-side selection with 400 frame indices picks the same frames as the streaming rule', async () => {
    // 1000 frames at 100 fps, sampled at 40 fps: 400 samples, the float clock skips some frames.
    const path = makeVideo(dir, 'dense.avi', ['-f', 'lavfi', '-i', "color=c=black:s=32x16:r=100:d=10,format=rgb24,geq=r='mod(N,256)':g='mod(floor(N/256),256)':b='0'", ...lossless]);
    const settings = { fps: 40, maxFrames: 400, overflow: 'uniform' as const };
    const { video, batches } = await collect(path, settings);
    const expected = selectedFrameIndices(100, 1000, settings);
    expect(expected.length).toBe(400);
    const got = batches.flatMap((b) => b.decodedIndex);
    expect(got).toEqual(expected);
    // The pixels really are those frames: frame number = red + 256·green.
    const byte = (v: number) => Math.round((v + 1) * 127.5);
    const numbers = batches.flatMap((b) => Array.from({ length: b.count }, (_, i) => byte(b.pixels[i * 3 * plane + 192 * 384 + 192]!) + 256 * byte(b.pixels[(i * 3 + 1) * plane + 192 * 384 + 192]!)));
    expect(numbers).toEqual(expected);
    expect(video.taken()).toBe(400);
  });

  it('truncation stops decoding early', async () => {
    const path = join(dir, 'ramp.avi');
    const { video } = await collect(path, { fps: 2, maxFrames: 3, overflow: 'truncate' });
    expect(video.taken()).toBe(3);
    expect(video.decoded()).toBe(26); // frames 0..25: the third sample is frame 25
  });

  it('unreadable and zero-length files are VideoErrors', () => {
    const garbage = join(dir, 'garbage.mp4');
    writeFileSync(garbage, 'not a video at all');
    expect(() => probeVideo(garbage, ffmpeg)).toThrow(VideoError);
    expect(() => probeVideo(join(dir, 'none.mp4'), ffmpeg)).toThrow(/unreadable video/);
  });

  it('the embedding cache serves a second request without decoding or encoding', async () => {
    const path = join(dir, 'ramp.avi');
    let calls = 0;
    const encoder: FrameEncoder = {
      fingerprint: 'fake-encoder-1',
      size: 384,
      normalisation: SIGLIP_NORMALISATION,
      // two "tokens" of width 1 per frame: the frame's mean red value and its index in the batch
      encodeFrames: (pixels, n) => {
        calls++;
        const out = new Float32Array(n * 2);
        for (let i = 0; i < n; i++) {
          out[2 * i] = pixels[i * 3 * plane + 192 * 384 + 192]!;
          out[2 * i + 1] = i;
        }
        return out;
      },
    };
    const cacheDir = join(dir, 'cache');
    const first = await embedVideo({ videoPath: path, settings: at2fps, encoder, ffmpeg, cacheDir, batchSize: 3 });
    expect(first.cached).toBe(false);
    expect(calls).toBe(3); // 8 frames in batches of 3
    expect(first.frames).toBe(8);
    expect(first.valuesPerFrame).toBe(2);
    expect(first.frameTimes).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5]);
    const second = await embedVideo({ videoPath: path, settings: at2fps, encoder, ffmpeg, cacheDir, batchSize: 3 });
    expect(second.cached).toBe(true);
    expect(calls).toBe(3);
    expect([...second.embeddings]).toEqual([...first.embeddings]);
    expect(second.cacheKey).toBe(first.cacheKey);
    // Other sampling settings or another encoder: another key.
    const other = await embedVideo({ videoPath: path, settings: { ...at2fps, fps: 1 }, encoder, ffmpeg, cacheDir });
    expect(other.cached).toBe(false);
    expect(other.frames).toBe(4);
    expect(other.cacheKey).not.toBe(first.cacheKey);
  });
});

describe('ffmpeg binaries', () => {
  it('--ffmpeg PATH takes ffprobe from the same folder; a missing binary is an input error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmduet-ffbin-'));
    writeFileSync(join(dir, 'ffmpeg'), '');
    expect(() => resolveFfmpeg(join(dir, 'ffmpeg'))).toThrow(/expected ffprobe beside/);
    writeFileSync(join(dir, 'ffprobe'), '');
    expect(resolveFfmpeg(join(dir, 'ffmpeg'))).toEqual({ ffmpeg: join(dir, 'ffmpeg'), ffprobe: join(dir, 'ffprobe') });
    expect(() => resolveFfmpeg(join(dir, 'nope', 'ffmpeg'))).toThrow(/--ffmpeg: .*file not found/);
    const saved = process.env.MMDUET_FFMPEG;
    process.env.MMDUET_FFMPEG = join(dir, 'ffmpeg');
    try {
      expect(resolveFfmpeg().ffprobe).toBe(join(dir, 'ffprobe'));
    } finally {
      if (saved === undefined) delete process.env.MMDUET_FFMPEG;
      else process.env.MMDUET_FFMPEG = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('video ids are never trusted as paths', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mmduet-paths-'));
    mkdirSync(join(dir, 'videos', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'videos', 'sub', 'a.mp4'), 'x');
    writeFileSync(join(dir, 'videos', 'empty.mp4'), '');
    writeFileSync(join(dir, 'secret.mp4'), 'x');
    symlinkSync(join(dir, 'secret.mp4'), join(dir, 'videos', 'link.mp4'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const videos = () => join(dir, 'videos');

  it('resolves a relative id inside the folder', () => {
    expect(resolveVideoPath(videos(), 'sub/a.mp4')).toMatch(/videos\/sub\/a\.mp4$/);
  });
  it('refuses traversal, absolute ids and links that leave the folder', () => {
    expect(() => resolveVideoPath(videos(), '../secret.mp4')).toThrow(/leaves the --videos folder/);
    expect(() => resolveVideoPath(videos(), 'sub/../../secret.mp4')).toThrow(/leaves the --videos folder/);
    expect(() => resolveVideoPath(videos(), join(dir, 'secret.mp4'))).toThrow(/relative to --videos/);
    expect(() => resolveVideoPath(videos(), 'link.mp4')).toThrow(/links outside/);
  });
  it('missing and empty files are named', () => {
    expect(() => resolveVideoPath(videos(), 'nope.mp4')).toThrow(/missing video/);
    expect(() => resolveVideoPath(videos(), 'empty.mp4')).toThrow(/zero-length/);
  });
});

describe.skipIf(!hasShared || !hasFfmpeg)('real videos (shared/data/videos)', () => {
  const drive = () => join(sharedDir, 'data', 'videos', 'drive.mp4');
  const office = () => join(sharedDir, 'data', 'videos', 'office.mp4');

  it('drive.mp4: metadata, 33 frames at 2 fps, full-canvas geometry, pixel range', async () => {
    const info = probeVideo(drive(), ffmpeg);
    expect(info).toMatchObject({ width: 384, height: 384, fps: 2, frameCount: 33, duration: 16.5, codec: 'h264' });
    const { video, batches } = await collect(drive(), at2fps);
    expect(video.taken()).toBe(33);
    expect(video.decoded()).toBe(33);
    expect(video.times()[32]).toBe(16);
    expect(video.geometry).toMatchObject({ width: 384, height: 384, top: 0, left: 0 });
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let n = 0;
    for (const b of batches) {
      for (const v of b.pixels) {
        if (v < min) min = v;
        if (v > max) max = v;
        sum += v;
        n++;
      }
    }
    expect(n).toBe(33 * 3 * plane);
    expect(min).toBeGreaterThanOrEqual(-1);
    expect(max).toBeLessThanOrEqual(1);
    expect(max - min).toBeGreaterThan(1); // a real picture, not a flat frame
    // Every value is a multiple of 1/127.5 offset by -1 (8-bit source).
    const v = batches[0]!.pixels[12345]!;
    expect(Math.abs((v + 1) * 127.5 - Math.round((v + 1) * 127.5))).toBeLessThan(1e-4);
    expect(Number.isFinite(sum / n)).toBe(true);
  });

  it('drive.mp4 decodes to the same RGB bytes as cv2.VideoCapture (opencv-python 4.14 values)', async () => {
    const info = probeVideo(drive(), ffmpeg);
    const sums: number[] = [];
    const picks: number[][] = [];
    let j = 0;
    for await (const f of decodeRgbFrames(drive(), info, ffmpeg)) {
      if (j === 0 || j === 32) sums.push(f.reduce((s, v) => s + v, 0));
      if (j === 0) picks.push([...f.subarray((100 * 384 + 200) * 3, (100 * 384 + 200) * 3 + 3)]);
      if (j === 16) picks.push([...f.subarray((383 * 384 + 0) * 3, (383 * 384 + 0) * 3 + 3)]);
      j++;
    }
    expect(j).toBe(33);
    expect(sums).toEqual([17698484, 14832442]);
    expect(picks).toEqual([[161, 201, 222], [0, 0, 0]]);
  });

  it('drive.mp4 at 1 and 0.5 fps keeps every 2nd / 4th frame', async () => {
    expect(selectedFrameIndices(2, 33, { ...at2fps, fps: 1 })).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32]);
    const { batches } = await collect(drive(), { ...at2fps, fps: 0.5 });
    expect(batches.flatMap((b) => b.decodedIndex)).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32]);
  });

  it('office.mp4: 30 frames, D = 15 s', async () => {
    const info = probeVideo(office(), ffmpeg);
    expect(info).toMatchObject({ width: 384, height: 384, fps: 2, frameCount: 30, duration: 15 });
    const plan = planSampling(info.fps, info.frameCount, profileSettings('paper', 1, 'qvhighlights'));
    expect(plan).toMatchObject({ frames: 15, mode: 'all', effectiveFps: 1 });
    const { video } = await collect(office(), { ...at2fps, fps: 1 });
    expect(video.taken()).toBe(15);
    expect(video.times()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  });
});
