/**
 * The flags shared by `infer` and `eval` (one table, so both accept exactly the same spelling), and
 * their translation into InferOptions. Every flag has an environment-variable twin where useful.
 */
import { Flags } from '@oclif/core';
import type { DeviceChoice, SystemPromptMode } from '../engine/types.js';
import type { Profile } from '../video/sampling.js';
import { InputError } from '../errors.js';
import { parseShard } from './annotations.js';
import type { InferOptions, InferSummary } from './infer.js';

export const inferFlags = {
  model: Flags.string({ summary: 'ONNX model directory (model-contract.md).', env: 'MMDUET_MODEL' }),
  data: Flags.string({ summary: 'MMDuetIT annotation list (JSON) of the benchmark.', env: 'MMDUET_DATA' }),
  videos: Flags.string({ summary: 'Folder the annotation "video" paths are relative to (ids never leave it).', env: 'MMDUET_VIDEOS' }),
  out: Flags.string({ summary: 'Run directory: created, or resumed when it holds the same run.' }),
  limit: Flags.integer({ summary: 'Only the first N items of the annotation file (applied before --shard).', min: 0 }),
  shard: Flags.string({ summary: 'Run shard i of n (1-based): items whose file index mod n = i-1. Combine with mmduet merge.' }),
  device: Flags.string({ summary: 'Execution provider.', options: ['auto', 'cuda', 'webgpu', 'cpu'], default: 'auto', env: 'MMDUET_DEVICE' }),
  profile: Flags.string({ summary: 'Frame cap: paper (400, uniform resampling) or mmduet-code (released scripts: truncate; YouCook2 200).', options: ['paper', 'mmduet-code'], default: 'paper' }),
  scoring: Flags.string({ summary: 'Score frames in chunks (exact with rm. prev. resp., protocol.md §11) or one frame per call.', options: ['chunked', 'frame'] }),
  'keep-responses': Flags.boolean({ summary: 'Keep responses in the context (rm. prev. resp. off; Table 3 "MMDuet" row).' }),
  s: Flags.string({ summary: 'Sum-policy threshold s (YouCook2; default 2).' }),
  t: Flags.string({ summary: 'Per-frame threshold t on inf + rel (MAGQA; default 0.5).' }),
  'system-prompt': Flags.string({ summary: 'reference (released code, quirks Q1/Q2) or always (paper template).', options: ['reference', 'always'], default: 'reference' }),
  strict: Flags.boolean({ summary: 'Stop at the first missing or unreadable video instead of recording it in errors.jsonl.' }),
  ffmpeg: Flags.string({ summary: 'ffmpeg binary (ffprobe is taken from the same folder).', env: 'MMDUET_FFMPEG' }),
  'cache-dir': Flags.string({ summary: 'Frame-embedding cache folder (default ~/.cache/mmduet-eval/frames).', env: 'MMDUET_CACHE_DIR' }),
  'no-cache': Flags.boolean({ summary: 'Do not read or write the frame-embedding cache.' }),
};

type ParsedInferFlags = { [K in keyof typeof inferFlags]?: unknown };

function optionalNumber(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InputError(`--${flag}: expected a number, found ${JSON.stringify(v)}`);
  return n;
}

/** Flags -> InferOptions (paths left for the caller to require, since --demo supplies them). */
export function inferOptionsFromFlags(benchmark: string, flags: ParsedInferFlags): Omit<InferOptions, 'modelDir' | 'dataPath' | 'videosDir' | 'outDir'> {
  const cache = flags['no-cache'] ? null : (flags['cache-dir'] as string | undefined);
  return {
    benchmark,
    limit: flags.limit as number | undefined,
    shard: flags.shard === undefined ? undefined : parseShard(String(flags.shard)),
    device: flags.device as DeviceChoice | undefined,
    profile: flags.profile as Profile | undefined,
    scoring: flags.scoring as 'chunked' | 'frame' | undefined,
    keepResponses: Boolean(flags['keep-responses']),
    s: optionalNumber(flags.s, 's'),
    t: optionalNumber(flags.t, 't'),
    systemPrompt: flags['system-prompt'] as SystemPromptMode | undefined,
    strict: Boolean(flags.strict),
    ffmpeg: flags.ffmpeg as string | undefined,
    cacheDir: cache,
  };
}

export function formatInferSummary(s: InferSummary): string {
  const cases = Object.entries(s.systemPromptCases).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  const shown = s.failures.slice(0, 10).map((f) => `  failed ${f.questionId}: ${f.reason}`);
  if (s.failures.length > shown.length) shown.push(`  … ${s.failures.length - shown.length} more in errors.jsonl`);
  return [
    `run: ${s.runDir}`,
    `items: ${s.planned} planned, ${s.skipped} already done, ${s.completed} done now, ${s.failed} failed (see errors.jsonl)`,
    `frames: ${s.frames} (${s.cachedVideos} videos from the embedding cache), ${(s.wallMs / 1000).toFixed(1)} s`,
    `system-prompt cases: ${cases}; unconsumed user turns (quirk Q10): ${s.unconsumedUserTurns}`,
    ...shown,
  ].join('\n');
}
