/**
 * Video ids come from annotation files and are never trusted as paths: the resolved file (after
 * following symbolic links) must stay inside the `--videos` folder.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { VideoError } from './ffmpeg.js';

function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel !== '' && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel);
}

/** The video file for `videoId` under `videosDir`, or a VideoError saying why it cannot be used. */
export function resolveVideoPath(videosDir: string, videoId: string): string {
  if (videoId.trim() === '' || videoId.includes('\0')) throw new VideoError(videoId, 'invalid video id');
  if (isAbsolute(videoId)) throw new VideoError(videoId, 'refused: video ids must be relative to --videos');
  const root = resolve(videosDir);
  const candidate = resolve(root, videoId);
  if (!inside(root, candidate)) throw new VideoError(videoId, 'refused: the path leaves the --videos folder');
  if (!existsSync(candidate)) throw new VideoError(videoId, `missing video (no file ${candidate})`);
  // Symbolic links inside the folder must not lead outside it either.
  const real = realpathSync(candidate);
  if (!inside(realpathSync(root), real)) throw new VideoError(videoId, 'refused: the file links outside the --videos folder');
  const st = statSync(real);
  if (!st.isFile()) throw new VideoError(videoId, 'not a file');
  if (st.size === 0) throw new VideoError(videoId, 'zero-length video (empty file)');
  return real;
}
