/**
 * Public types of the inference engine (protocol.md §4–§8, model-contract.md). The runs/video code calls
 * `loadModel` and `runDuet` (src/engine/index.ts) with these shapes.
 */

/** What the user asked for; `auto` = cuda if its provider loads, else cpu with a printed notice. */
export type DeviceChoice = 'auto' | 'cuda' | 'webgpu' | 'cpu';
/** The execution provider a model actually runs on. */
export type ProviderName = 'cuda' | 'webgpu' | 'cpu';

export interface LoadModelOptions {
  modelDir: string;
  device?: DeviceChoice;
  /** Notices (provider fallback, no-heads mode). Default: stderr. */
  log?: (line: string) => void;
  /**
   * Graph dtype(s) (model-contract.md §3a): one for all graphs or per graph, e.g. `{ vision: 'fp16', decoder: 'q4f16' }`.
   * Default: config.json `transformers.js_config.dtype`, else fp32.
   */
  dtype?: string | Partial<Record<'vision' | 'embed' | 'decoder', string>>;
  /** CPU threads per session run (onnxruntime `intraOpNumThreads`); default: onnxruntime's choice (one per core). */
  intraOpThreads?: number;
}

/** sha256 of every file in the model directory (the model fingerprint used in cache keys). */
export interface ModelFingerprint {
  /** sha256 over the sorted `path sha256` lines of `files`: one id for the whole directory. */
  sha256: string;
  /** relative path (posix) → sha256, for every regular file of the model directory. */
  files: Record<string, string>;
}

/** The config.json values the runtime reads (model-contract.md §2). */
export interface ModelConfig {
  modelType: string;
  hiddenSize: number;
  numLayers: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  headDim: number;
  vocabSize: number;
  eosTokenId: number;
  /** null = no `mmduet` block or no head outputs: text generation only (no-heads mode). */
  mmduet: MmduetBlock | null;
}

export interface MmduetBlock {
  frameResolution: number;
  frameNumTokens: number;
  imageMean: [number, number, number];
  imageStd: [number, number, number];
  padValue: number;
  heads: { informative: string; relevance: string; positiveIndex: number };
  systemPrompt: string;
  generation: { maxNewTokens: number; stopTokenId: number; greedy: boolean };
}

export interface LoadedModel {
  dir: string;
  config: ModelConfig;
  provider: ProviderName;
  fingerprint: ModelFingerprint;
  /** dtype of each graph (file suffix, model-contract.md §3a). */
  dtypes: Record<'vision' | 'embed' | 'decoder', string>;
  /** true when the model has no `mmduet` block or no head outputs; runDuet refuses such models. */
  noHeads: boolean;
  /** Encode letterboxed, normalised frames `[n,3,R,R]` → frame embeddings `[n, frameNumTokens, H]` (batches of 32). */
  encodeFrames(pixels: Float32Array, n: number): Promise<Float32Array>;
  /** Token ids of one text piece (no special tokens added; special-token strings are recognised). */
  tokenize(text: string): number[];
  /** Text of generated ids, special tokens skipped. */
  detokenize(ids: number[]): string;
  release(): Promise<void>;
}

export type ResponsePolicy = { kind: 'sum'; s: number } | { kind: 'per-frame'; t: number } | { kind: 'never' };

export interface UserTurn {
  time: number;
  content: string;
}

/** protocol.md §9 Q1/Q2: `reference` reproduces the released code; `always` feeds the system block first and opens a stream turn after it. */
export type SystemPromptMode = 'reference' | 'always';

export interface DuetRequest {
  questionId: string;
  /** `[nFrames, frameNumTokens, H]` row-major, from `encodeFrames`. */
  frameEmbeddings: Float32Array;
  /** Nominal time of every sampled frame (protocol.md §2.2 step 5); length = number of frames. */
  frameTimes: number[];
  /** User turns in annotation order (at most one is consumed per frame). */
  userTurns: UserTurn[];
  policy: ResponsePolicy;
  /** rm. prev. resp. (default true). */
  removePreviousResponses?: boolean;
  /** Default: `chunked` when responses never stay in the cache, else `frame`. `chunked` with responses kept is refused. */
  scoring?: 'chunked' | 'frame';
  /** Frames per decoder call in chunked scoring (default 64). */
  chunkSize?: number;
  videoDuration: number;
  systemPrompt?: SystemPromptMode;
  /** Default: config `mmduet.generation.max_new_tokens` (200). */
  maxNewTokens?: number;
  /** Extra provenance fields (profile, fps, sampling mode…) copied into the record. */
  provenance?: Record<string, unknown>;
}

export interface ResponseTurn {
  time: number;
  content: string;
  role: 'user' | 'assistant';
}

export interface DebugEntry {
  time: number;
  informative_score: number;
  relevance_score: number;
}

/** One output line (protocol.md §8), full precision scores. */
export interface DuetRecord {
  question_id: string;
  model_response_list: ResponseTurn[];
  video_duration: number;
  debug_data: DebugEntry[];
  provenance: Record<string, unknown>;
}

export interface DuetStats {
  frames: number;
  decoderCalls: number;
  /** Decoder calls spent on generation (part of decoderCalls). */
  generationCalls: number;
  generatedTokens: number;
  responses: number;
  /** Milliseconds inside `session.run` (all graphs) and the whole runDuet call. */
  sessionRunMs: number;
  totalMs: number;
  /** Share of totalMs spent outside session.run (0..1). */
  outsideShare: number;
  /** Which system-prompt quirk applied to this example: Q1 (query at time ≤ 0), Q2 (first query later), none (no query). */
  systemPromptCase: 'Q1' | 'Q2' | 'always' | 'no-query';
  /** User turns never consumed (time beyond the last frame; kept in the output, quirk Q10). */
  unconsumedUserTurns: number;
  scoring: 'chunked' | 'frame';
}

export interface DuetResult {
  record: DuetRecord;
  stats: DuetStats;
}
