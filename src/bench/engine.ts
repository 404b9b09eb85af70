/**
 * Benchmark: the duet loop on the tiny fixture model (CPU) for one 400-frame item (the frame cap), with a
 * query at 0 s and marker runs that trigger responses. Measures frame-by-frame against chunked scoring:
 * wall and CPU time, frames/s, decoder calls per frame, share of time outside session.run, at 1 and 2 intra-op
 * threads. The tiny model makes session.run cheap, so the outside share here is an upper bound of the runtime's
 * own overhead; its cost is almost all causal attention, paid alike by both modes (fixtures/README.md, "Performance").
 */
import { loadModel, runDuet } from '../engine/index.js';
import { tinyModelDir } from '../engine/demo-material.js';
import { COLOURS, syntheticPixels, type SyntheticFrame } from '../engine/synthetic.js';
import type { DuetRequest, DuetStats, LoadedModel } from '../engine/types.js';

const FRAMES = 400;

/** 8 distinct frames; frame k of the item uses pattern[k % 40]: 30 plain frames, then a 3-frame marker run, … */
function itemEmbeddings(distinct: Float32Array, per: number): Float32Array {
  const pattern = (k: number): number => {
    const phase = k % 40;
    const colour = Math.floor(k / 40) % 4;
    return phase >= 30 && phase < 33 ? 4 + colour : colour;
  };
  const out = new Float32Array(FRAMES * per);
  for (let k = 0; k < FRAMES; k++) out.set(distinct.subarray(pattern(k) * per, (pattern(k) + 1) * per), k * per);
  return out;
}

interface Timed {
  stats: DuetStats;
  /** Process CPU time (user + system) of the measured run: steadier than wall time on a shared machine. */
  cpuMs: number;
}

function summarise({ stats, cpuMs }: Timed): Record<string, number> {
  return {
    wall_ms: Math.round(stats.totalMs),
    cpu_ms: Math.round(cpuMs),
    frames_per_s: Math.round((stats.frames / stats.totalMs) * 1000 * 10) / 10,
    decoder_calls: stats.decoderCalls,
    decoder_calls_per_frame: Math.round((stats.decoderCalls / stats.frames) * 1000) / 1000,
    responses: stats.responses,
    outside_session_run_share: Math.round(stats.outsideShare * 1000) / 1000,
  };
}

async function timed(model: LoadedModel, req: DuetRequest): Promise<Timed> {
  await runDuet(model, { ...req, questionId: 'warmup' }); // first runs pay for kernel set-up
  const cpu0 = process.cpuUsage();
  const stats = (await runDuet(model, req)).stats;
  const cpu = process.cpuUsage(cpu0);
  return { stats, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const ratio = (a: Timed, b: Timed): number => Math.round((a.stats.totalMs / b.stats.totalMs) * 100) / 100;

/** Frame-by-frame against chunked scoring with `threads` intra-op threads. */
async function compareModes(threads: number): Promise<Record<string, unknown>> {
  const model = await loadModel({ modelDir: tinyModelDir(), device: 'cpu', log: () => {}, intraOpThreads: threads });
  try {
    const base: SyntheticFrame[] = [COLOURS.green, COLOURS.red, COLOURS.blue, COLOURS.grey].map((colour) => ({ colour }));
    const distinct = await model.encodeFrames(syntheticPixels([...base, ...base.map((f) => ({ ...f, marker: COLOURS.white }))]), 8);
    const per = distinct.length / 8;
    const req: DuetRequest = {
      questionId: 'bench',
      frameEmbeddings: itemEmbeddings(distinct, per),
      frameTimes: Array.from({ length: FRAMES }, (_, k) => k * 0.5),
      userTurns: [{ time: 0, content: 'Please concisely narrate the video in real time.' }],
      policy: { kind: 'sum', s: 2 },
      videoDuration: FRAMES * 0.5,
    };
    const frame = await timed(model, { ...req, scoring: 'frame' });
    const chunked = await timed(model, { ...req, scoring: 'chunked', chunkSize: 64 });
    const chunked16 = await timed(model, { ...req, scoring: 'chunked', chunkSize: 16 });
    const grounding = await timed(model, { ...req, policy: { kind: 'never' }, scoring: 'chunked', chunkSize: 64 });
    return {
      intra_op_threads: threads,
      frame_by_frame: summarise(frame),
      chunked_64: summarise(chunked),
      chunked_16: summarise(chunked16),
      chunked_64_never_policy: summarise(grounding),
      speedup_chunked_64_vs_frame: ratio(frame, chunked),
      speedup_chunked_16_vs_frame: ratio(frame, chunked16),
    };
  } finally {
    await model.release();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  // Timings are erratic on a shared machine (ORT's worker threads spin); 1 and 2 threads are both reported.
  return {
    model: 'tiny fixture (H=16, 2 layers, GroupQueryAttention), CPU',
    frames: FRAMES,
    threads_1: await compareModes(1),
    threads_2: await compareModes(2),
    targets: { outside_share_max: 0.15, chunked_speedup_min: 3 },
  };
}
