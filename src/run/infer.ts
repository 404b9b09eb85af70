/**
 * `mmduet infer` as a plain service: annotations -> videos -> frame embeddings -> duet loop ->
 * predictions.jsonl in a resumable run directory. Knows nothing about oclif.
 */
import type { DuetRequest, DuetResult, LoadedModel, LoadModelOptions, ResponsePolicy, SystemPromptMode } from '../engine/types.js';
import { InputError } from '../errors.js';
import { describePolicy, inferBenchmark, resolvePolicy, type InferBenchmark } from './defaults.js';
import { checkLimit, encoderOf, identityOf, logOf, runItems, type ItemRunInputs, type ItemRunSummary, type ItemStep } from './items.js';
import type { RunIdentity } from './rundir.js';

/** The engine functions inference uses; injectable so the run layer can be tested without ONNX. */
export interface EngineApi {
  loadModel(opts: LoadModelOptions): Promise<LoadedModel>;
  runDuet(model: LoadedModel, req: DuetRequest): Promise<DuetResult>;
}

export interface InferOptions extends ItemRunInputs {
  benchmark: string;
  modelDir: string;
  outDir: string;
  scoring?: 'chunked' | 'frame';
  /** rm. prev. resp. off (the Table 3 "responses kept in context" row). */
  keepResponses?: boolean;
  s?: number;
  t?: number;
  systemPrompt?: SystemPromptMode;
  engine?: EngineApi;
}

export interface InferSummary extends ItemRunSummary {
  /** question_id -> reason, for items that failed now. */
  failures: { questionId: string; reason: string }[];
  cachedVideos: number;
  systemPromptCases: Record<string, number>;
  unconsumedUserTurns: number;
  repairedBytes: number;
  resumed: boolean;
}

async function defaultEngine(): Promise<EngineApi> {
  const engine = await import('../engine/index.js');
  return { loadModel: engine.loadModel, runDuet: engine.runDuet };
}

/** Everything that must match for a resume, from the options. */
export function runIdentity(opts: InferOptions, benchmark: InferBenchmark, dataSha: string, modelSha: string, policy: ResponsePolicy): RunIdentity {
  return identityOf(opts, benchmark, dataSha, modelSha, {
    policy: { ...policy },
    remove_previous_responses: !opts.keepResponses,
    scoring: opts.scoring ?? (opts.keepResponses ? 'frame' : 'chunked'),
    system_prompt: opts.systemPrompt ?? 'reference',
  });
}

export async function runInference(opts: InferOptions): Promise<InferSummary> {
  const t0 = performance.now();
  const log = logOf(opts.log);
  const benchmark = inferBenchmark(opts.benchmark);
  checkLimit(opts.limit);
  if (opts.keepResponses && opts.scoring === 'chunked') {
    throw new InputError('--scoring chunked: expected frame scoring with --keep-responses (responses kept in the cache make later scores depend on them, protocol.md §11)');
  }
  const policy = resolvePolicy(benchmark, { s: opts.s, t: opts.t });
  // Imported only once the inputs are checked, after ffmpeg, as before the model loads.
  let engine: EngineApi | undefined;
  return runItems<LoadedModel, InferSummary>({
    opts,
    log,
    startedAt: t0,
    loadModel: async () => {
      engine = opts.engine ?? (await defaultEngine());
      return engine.loadModel({ modelDir: opts.modelDir, device: opts.device ?? 'auto', log });
    },
    encoder: (model) => encoderOf(model),
    identity: (model, dataSha) => runIdentity(opts, benchmark, dataSha, model.fingerprint.sha256, policy),
    provenance: (common) => ({ ...common, policy: describePolicy(policy) }),
    noteRepairedBytes: true,
    summary: ({ planned, skipped, run }) => ({
      runDir: opts.outDir,
      benchmark,
      planned,
      skipped,
      completed: 0,
      failed: 0,
      failures: [],
      frames: 0,
      cachedVideos: 0,
      systemPromptCases: {},
      unconsumedUserTurns: 0,
      repairedBytes: run.repairedBytes,
      resumed: run.resumed,
      wallMs: 0,
    }),
    onFailed: (summary, item, reason) => summary.failures.push({ questionId: item.questionId, reason }),
    runItem: (step) => runItem(step, engine!, policy),
  });
}

/** The duet loop over one embedded item; appends its prediction and timing lines. */
async function runItem(c: ItemStep<LoadedModel, InferSummary>, engine: EngineApi, policy: ResponsePolicy): Promise<string> {
  const { item, video, identity } = c;
  const t0 = c.startedAt;
  const t1 = performance.now();
  const { record, stats } = await engine.runDuet(c.model, {
    questionId: item.questionId,
    frameEmbeddings: video.embeddings,
    frameTimes: video.frameTimes,
    userTurns: item.userTurns,
    policy,
    removePreviousResponses: identity.remove_previous_responses,
    scoring: identity.scoring as 'chunked' | 'frame',
    videoDuration: video.duration,
    systemPrompt: identity.system_prompt as SystemPromptMode,
    provenance: {
      item_index: item.index,
      profile: identity.profile,
      fps: video.plan.effectiveFps,
      frames: video.frames,
      sampling_mode: video.plan.mode,
      remove_previous_responses: identity.remove_previous_responses,
      model_fingerprint: identity.model_sha256,
    },
  });
  const t2 = performance.now();
  c.run.appendPrediction(record, {
    index: item.index,
    frames: video.frames,
    embeddings_cached: video.cached,
    decode_ms: video.decodeMs,
    vision_ms: video.encodeMs,
    video_ms: t1 - t0,
    duet_ms: t2 - t1,
    session_run_ms: stats.sessionRunMs,
    generated_tokens: stats.generatedTokens,
    responses: stats.responses,
    total_ms: t2 - t0,
  });
  const s = c.summary;
  if (video.cached) s.cachedVideos++;
  s.systemPromptCases[stats.systemPromptCase] = (s.systemPromptCases[stats.systemPromptCase] ?? 0) + 1;
  s.unconsumedUserTurns += stats.unconsumedUserTurns;
  return `${video.frames} frames${video.cached ? ' (cached)' : ''}, ${stats.responses} responses, ${((t2 - t0) / 1000).toFixed(2)} s`;
}
