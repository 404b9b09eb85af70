/**
 * Video metadata (ffprobe) and frame decoding (ffmpeg, raw RGB24 on a pipe) with the system binaries.
 * `--ffmpeg PATH` or MMDUET_FFMPEG picks the ffmpeg binary; ffprobe is taken from the same folder.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.js';

/** A video that cannot be used: missing, unreadable, no video stream, zero frames. Becomes a failed item. */
export class VideoError extends InputError {
  constructor(
    readonly video: string,
    readonly reason: string,
  ) {
    super(`${video}: ${reason}`);
    this.name = 'VideoError';
  }
}

export interface FfmpegPaths {
  ffmpeg: string;
  ffprobe: string;
}

/** Resolves the binaries: explicit path, then MMDUET_FFMPEG, then `ffmpeg` / `ffprobe` on PATH. */
export function resolveFfmpeg(explicit?: string): FfmpegPaths {
  const ffmpeg = explicit ?? process.env.MMDUET_FFMPEG ?? 'ffmpeg';
  if (ffmpeg.includes('/')) {
    if (!existsSync(ffmpeg)) throw new InputError(`--ffmpeg: ${ffmpeg}: file not found`);
    const name = basename(ffmpeg).replace(/ffmpeg/, 'ffprobe');
    const ffprobe = join(dirname(ffmpeg), name === basename(ffmpeg) ? 'ffprobe' : name);
    if (!existsSync(ffprobe)) throw new InputError(`--ffmpeg: expected ffprobe beside ${ffmpeg}, found no ${ffprobe}`);
    return { ffmpeg, ffprobe };
  }
  return { ffmpeg, ffprobe: 'ffprobe' };
}

/** Fails early, with an install hint, when the binaries cannot be run at all. */
export function checkFfmpeg(paths: FfmpegPaths): string {
  for (const bin of [paths.ffmpeg, paths.ffprobe]) {
    const r = spawnSync(bin, ['-version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) {
      throw new InputError(`${bin}: expected a runnable ffmpeg/ffprobe (install ffmpeg, or pass --ffmpeg PATH / set MMDUET_FFMPEG), found ${r.error?.message ?? `exit code ${r.status}`}`);
    }
  }
  const first = spawnSync(paths.ffmpeg, ['-version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? '';
  return first.trim();
}

export interface VideoInfo {
  /** Displayed frame size (after the rotation metadata, which ffmpeg and OpenCV both apply). */
  width: number;
  height: number;
  /** Container frame rate: avg_frame_rate, else r_frame_rate (as OpenCV's CAP_PROP_FPS). */
  fps: number;
  /** nb_frames, else round(duration · fps) (as OpenCV's CAP_PROP_FRAME_COUNT). */
  frameCount: number;
  /** D = frameCount / fps (protocol.md §2.2). */
  duration: number;
  codec: string;
}

function ratio(s: unknown): number {
  if (typeof s !== 'string') return 0;
  const [a, b] = s.split('/').map(Number);
  if (b === undefined) return Number.isFinite(a) ? a! : 0;
  return b ? a! / b : 0;
}

function rotationOf(stream: Record<string, any>): number {
  const side = Array.isArray(stream.side_data_list) ? stream.side_data_list.find((d: any) => d && d.rotation !== undefined) : undefined;
  const r = Number(side?.rotation ?? stream.tags?.rotate ?? 0);
  return Number.isFinite(r) ? r : 0;
}

export function probeVideo(path: string, paths: FfmpegPaths): VideoInfo {
  const r = spawnSync(
    paths.ffprobe,
    ['-v', 'error', '-select_streams', 'v:0', '-show_streams', '-show_format', '-of', 'json', path],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  if (r.error) throw new InputError(`${paths.ffprobe}: cannot run (${r.error.message}); install ffmpeg or pass --ffmpeg PATH`);
  if (r.status !== 0) throw new VideoError(path, `unreadable video (ffprobe: ${oneLine(r.stderr) || `exit code ${r.status}`})`);
  let parsed: { streams?: Record<string, any>[]; format?: Record<string, any> };
  try {
    parsed = JSON.parse(r.stdout);
  } catch {
    throw new VideoError(path, 'unreadable video (ffprobe printed no JSON)');
  }
  const stream = parsed.streams?.[0];
  if (!stream) throw new VideoError(path, 'no video stream');
  let width = Number(stream.width);
  let height = Number(stream.height);
  if (!(width > 0 && height > 0)) throw new VideoError(path, `invalid frame size ${stream.width}x${stream.height}`);
  if (Math.abs(rotationOf(stream)) % 180 === 90) [width, height] = [height, width];
  let fps = ratio(stream.avg_frame_rate);
  if (!(fps > 0)) fps = ratio(stream.r_frame_rate);
  if (!(fps > 0)) throw new VideoError(path, 'no frame rate in the container metadata');
  let frameCount = Number(stream.nb_frames);
  if (!(frameCount > 0)) {
    const seconds = Number(parsed.format?.duration ?? stream.duration);
    frameCount = Number.isFinite(seconds) ? Math.floor(seconds * fps + 0.5) : 0;
  }
  if (!(frameCount > 0)) throw new VideoError(path, 'zero-length video (no frames in the metadata)');
  return { width, height, fps, frameCount, duration: frameCount / fps, codec: String(stream.codec_name ?? 'unknown') };
}

function oneLine(s: string): string {
  return s.split('\n').map((l) => l.trim()).filter(Boolean).slice(-2).join(' ').slice(0, 300);
}

/**
 * Colour conversion as OpenCV's ffmpeg reader does it (swscale with SWS_BICUBIC; colour matrix and
 * range from the stream's tags). Checked against cv2.VideoCapture (opencv-python 4.14): identical
 * RGB bytes on untagged, BT.709-tagged and full-range (yuvj420p) H.264 and on shared drive.mp4.
 * Every decoded frame is passed through (no frame-rate filter: ffmpeg's fps filter picks different
 * frames than the released loader). Not checked: videos with rotation metadata (both ffmpeg and
 * recent OpenCV apply it).
 */
/** `a+b+c+…` as a balanced tree: ffmpeg's expression parser refuses a flat sum of more than ~100 terms. */
function anyOf(terms: string[]): string {
  if (terms.length === 1) return terms[0]!;
  const mid = terms.length >> 1;
  return `(${anyOf(terms.slice(0, mid))}+${anyOf(terms.slice(mid))})`;
}

function decodeArgs(path: string, only: number[] | undefined): string[] {
  // `select` counts decoded frames (n) before any conversion, so only the wanted frames are converted
  // to RGB and piped; the choice of frames stays the loader's (the indices come from FrameSelector).
  const select = only ? `select='${anyOf(only.map((j) => `eq(n,${j})`))}',` : '';
  return [
    '-nostdin', '-v', 'error', '-i', path, '-map', '0:v:0', '-an', '-sn',
    '-vsync', 'passthrough',
    '-vf', `${select}scale=flags=bicubic`,
    '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1',
  ];
}

/**
 * Decodes the first video stream in order and yields each frame (or, with `only`, just the frames
 * with those 0-based decoded indices, ascending) as an RGB24 buffer of `width · height · 3` bytes.
 * The buffer is reused: consume it before asking for the next frame. Leaving the loop early kills
 * ffmpeg, so truncated sampling decodes only what it needs.
 */
export async function* decodeRgbFrames(path: string, info: VideoInfo, paths: FfmpegPaths, only?: number[]): AsyncGenerator<Uint8Array> {
  const frameBytes = info.width * info.height * 3;
  const child = spawn(paths.ffmpeg, decodeArgs(path, only), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    if (stderr.length < 8192) stderr += d;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  const frame = new Uint8Array(frameBytes);
  let filled = 0;
  let finished = false;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let pos = 0;
      while (pos < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - pos);
        frame.set(chunk.subarray(pos, pos + n), filled);
        filled += n;
        pos += n;
        if (filled === frameBytes) {
          filled = 0;
          yield frame;
        }
      }
    }
    finished = true;
  } finally {
    if (!finished) child.kill('SIGKILL');
  }
  const code = await exited.catch((e: Error) => {
    throw new InputError(`${paths.ffmpeg}: cannot run (${e.message}); install ffmpeg or pass --ffmpeg PATH`);
  });
  if (code !== 0) throw new VideoError(path, `decoding failed (ffmpeg: ${oneLine(stderr) || `exit code ${code}`})`);
}
