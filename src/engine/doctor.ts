/**
 * `mmduet doctor`: which execution providers work here and why not, whether ffmpeg is present, and whether a
 * model directory meets the contract. Returns plain lines; the command only prints them.
 */
import { spawnSync } from 'node:child_process';
import { errorText, PROVIDERS, PROVIDER_HELP, probeProvider, type ProbeResult } from './providers.js';
import { checkModelDir } from './model.js';

export interface DoctorReport {
  providers: ProbeResult[];
  ffmpeg: { command: string; ok: boolean; version?: string; error?: string };
  model?: { dir: string; ok: boolean; error?: string; fingerprint?: string; noHeads?: boolean };
  lines: string[];
  /** false when a model was given and fails its check, or no provider works, or ffmpeg is missing. */
  ok: boolean;
}

/** The ffmpeg binary used for decoding: MMDUET_FFMPEG overrides `ffmpeg` on the PATH. */
export function ffmpegCommand(): string {
  return process.env.MMDUET_FFMPEG || 'ffmpeg';
}

export function probeFfmpeg(command = ffmpegCommand()): DoctorReport['ffmpeg'] {
  const r = spawnSync(command, ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 20_000 });
  if (r.error) return { command, ok: false, error: errorText(r.error) };
  if (r.status !== 0) return { command, ok: false, error: `exit code ${r.status}: ${(r.stderr || '').trim().split('\n')[0]}` };
  return { command, ok: true, version: (r.stdout || '').split('\n')[0]!.trim() };
}

export async function runDoctor(opts: { modelDir?: string; dtype?: string } = {}): Promise<DoctorReport> {
  const lines: string[] = ['execution providers (onnxruntime-node):'];
  const providers: ProbeResult[] = [];
  for (const name of PROVIDERS) {
    const p = await probeProvider(name);
    providers.push(p);
    const bundled = p.bundled ? 'bundled' : 'not bundled';
    lines.push(p.usable ? `  ${name}: usable (${bundled})` : `  ${name}: NOT usable (${bundled}): ${p.error}`);
    if (!p.usable) lines.push(`    fix: ${PROVIDER_HELP[name]}`);
  }
  const auto = providers.find((p) => p.provider === 'cuda')?.usable ? 'cuda' : 'cpu';
  lines.push(`  --device auto would use: ${auto}`);
  const ffmpeg = probeFfmpeg();
  lines.push(ffmpeg.ok ? `ffmpeg (${ffmpeg.command}): ${ffmpeg.version}` : `ffmpeg (${ffmpeg.command}): NOT found: ${ffmpeg.error} (install ffmpeg or set MMDUET_FFMPEG)`);
  let model: DoctorReport['model'];
  if (opts.modelDir) {
    try {
      const m = await checkModelDir(opts.modelDir, opts.dtype);
      model = { dir: opts.modelDir, ok: true, fingerprint: m.fingerprint.sha256, noHeads: m.noHeads };
      const c = m.config;
      lines.push(
        `model ${opts.modelDir}: meets the contract (${c.modelType}, ${c.numLayers} layers, width ${c.hiddenSize}, vocab ${c.vocabSize}, ` +
          `dtypes ${Object.entries(m.dtypes).map(([g, d]) => `${g} ${d}`).join(', ')}, ` +
          `${Object.keys(m.fingerprint.files).length} files, fingerprint ${m.fingerprint.sha256.slice(0, 16)}…)` +
          (m.noHeads ? '; NO-HEADS mode: no mmduet block, MMDuet benchmarks will refuse it' : ''),
      );
    } catch (e) {
      model = { dir: opts.modelDir, ok: false, error: errorText(e) };
      lines.push(`model ${opts.modelDir}: FAILS: ${model.error}`);
    }
  }
  const ok = providers.some((p) => p.usable) && ffmpeg.ok && (model?.ok ?? true);
  return { providers, ffmpeg, model, lines, ok };
}
