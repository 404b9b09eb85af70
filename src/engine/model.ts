/**
 * Loads a model directory (model-contract.md): checks files and the graph contract, fingerprints every file,
 * loads the tokenizer, creates the three sessions on the chosen provider, and exposes the low-level calls
 * the duet loop needs (text embeddings, one decoder step) with time spent inside `session.run` counted.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Tokenizer } from '@huggingface/tokenizers';
import { InputError } from '../errors.js';
import { readJson, sha256File, sha256Text } from '../io/files.js';
import { TEXT_FILES, contractProblems, graphFiles, parseModelConfig, resolveDtypes, type GraphDtypes, type GraphKey, type ValueMeta } from './contract.js';
import { fromHalfArray, toHalfArray } from './float16.js';
import { PROVIDER_HELP, errorText, probeProvider, sessionOptions } from './providers.js';
import type { DeviceChoice, LoadModelOptions, LoadedModel, ModelConfig, ModelFingerprint, ProviderName } from './types.js';

const FRAME_BATCH = 32; // protocol.md §3 step 5

/** Every regular file under `dir`, relative posix paths, sorted. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

export function fingerprintDir(dir: string): ModelFingerprint {
  const files = Object.fromEntries(listFiles(dir).map((f) => [f, sha256File(join(dir, f))]));
  return { files, sha256: sha256Text(Object.entries(files).map(([f, h]) => `${f} ${h}\n`).join('')) };
}

/** Past key/values of every layer (key0, value0, key1, …) and the cached length. */
export interface KvCache {
  tensors: ort.Tensor[];
  length: number;
}

export interface DecoderStep {
  cache: KvCache;
  /** [s, 2] each, every input position (empty in no-heads mode). */
  informative: Float32Array;
  relevance: Float32Array;
  /** LM logits of the last input position, [V]. */
  lastLogits: Float32Array;
}

interface Sessions {
  vision: ort.InferenceSession;
  embed: ort.InferenceSession;
  decoder: ort.InferenceSession;
}

const metaOf = (s: ort.InferenceSession, which: 'inputMetadata' | 'outputMetadata'): ValueMeta[] =>
  s[which].map((m) => ({ name: m.name, type: m.isTensor ? m.type : 'non-tensor', shape: m.isTensor ? m.shape : [] }));

type FloatType = 'float32' | 'float16';
type FloatData = Float32Array | Uint16Array;

/** A float tensor of the graph's dtype from float32 values. */
function floatTensor(type: FloatType, data: Float32Array, dims: number[]): ort.Tensor {
  return type === 'float16' ? new ort.Tensor('float16', toHalfArray(data), dims) : new ort.Tensor('float32', data, dims);
}

/** The values of a float32 or float16 tensor as float32. */
async function readFloat(t: ort.Tensor): Promise<Float32Array> {
  const data = (await t.getData()) as FloatData;
  return t.type === 'float16' ? fromHalfArray(data as Uint16Array) : (data as Float32Array);
}

function typeOf(meta: ValueMeta[], name: string): FloatType {
  return meta.find((m) => m.name === name)?.type === 'float16' ? 'float16' : 'float32';
}

async function createSessions(dir: string, files: Record<GraphKey, string>, provider: ProviderName, cfg: ModelConfig, threads: number | undefined): Promise<Sessions> {
  const present = Array.from({ length: cfg.numLayers }, (_, i) => [`present.${i}.key`, `present.${i}.value`]).flat();
  const create = (key: GraphKey, gpuOutputs: string[] = []): Promise<ort.InferenceSession> =>
    ort.InferenceSession.create(join(dir, files[key]), sessionOptions(provider, gpuOutputs, threads));
  return { vision: await create('vision'), embed: await create('embed'), decoder: await create('decoder', present) };
}

async function chooseProvider(device: DeviceChoice, log: (line: string) => void): Promise<ProviderName> {
  if (device === 'cpu') return 'cpu';
  const wanted: ProviderName = device === 'auto' ? 'cuda' : device;
  const probe = await probeProvider(wanted);
  if (probe.usable) return wanted;
  if (device === 'auto') {
    log(`notice: the CUDA execution provider is not usable (${probe.error}); running on CPU, which is orders of magnitude slower for a 7B model. To use CUDA: ${PROVIDER_HELP.cuda}.`);
    return 'cpu';
  }
  throw new InputError(`--device ${device}: the ${device} execution provider cannot be created: ${probe.error}. ${PROVIDER_HELP[wanted]}.`);
}

export class OnnxModel implements LoadedModel {
  readonly noHeads: boolean;
  /** Milliseconds spent inside session.run since load (all graphs). */
  runMs = 0;
  decoderCalls = 0;
  private readonly hasLogitsToKeep: boolean;
  private readonly hasCacheBranch: boolean;
  /** float dtypes the graphs take (fp16 exports take Uint16 bit patterns). */
  private readonly pixelType: FloatType;
  private readonly embedsType: FloatType;
  private readonly kvType: FloatType;

  constructor(
    readonly dir: string,
    readonly config: ModelConfig,
    readonly provider: ProviderName,
    readonly fingerprint: ModelFingerprint,
    readonly dtypes: GraphDtypes,
    private readonly sessions: Sessions,
    private readonly tokenizer: Tokenizer,
  ) {
    this.noHeads = config.mmduet === null;
    this.hasLogitsToKeep = sessions.decoder.inputNames.includes('num_logits_to_keep');
    this.hasCacheBranch = sessions.decoder.inputNames.includes('use_cache_branch');
    const decoderInputs = metaOf(sessions.decoder, 'inputMetadata');
    this.pixelType = typeOf(metaOf(sessions.vision, 'inputMetadata'), 'pixel_values');
    this.embedsType = typeOf(decoderInputs, 'inputs_embeds');
    this.kvType = typeOf(decoderInputs, 'past_key_values.0.key');
  }

  private async run(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.ReturnType> {
    const t0 = performance.now();
    const out = await session.run(feeds);
    this.runMs += performance.now() - t0;
    return out;
  }

  tokenize(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  detokenize(ids: number[]): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: true });
  }

  get frameNumTokens(): number {
    return this.config.mmduet?.frameNumTokens ?? 49;
  }

  async encodeFrames(pixels: Float32Array, n: number): Promise<Float32Array> {
    const R = this.config.mmduet?.frameResolution ?? 384;
    const perFrame = 3 * R * R;
    if (pixels.length !== n * perFrame) throw new Error(`encodeFrames: ${pixels.length} values for ${n} frames of [3,${R},${R}]`);
    const perOut = this.frameNumTokens * this.config.hiddenSize;
    const out = new Float32Array(n * perOut);
    for (let start = 0; start < n; start += FRAME_BATCH) {
      const m = Math.min(FRAME_BATCH, n - start);
      const feeds = { pixel_values: floatTensor(this.pixelType, pixels.subarray(start * perFrame, (start + m) * perFrame), [m, 3, R, R]) };
      const res = await this.run(this.sessions.vision, feeds);
      out.set(await readFloat(res.image_features!), start * perOut);
    }
    return out;
  }

  /** Embeddings [ids.length, H] of token ids. */
  async embedTokens(ids: number[]): Promise<Float32Array> {
    if (ids.length === 0) return new Float32Array(0);
    const feeds = { input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]) };
    const res = await this.run(this.sessions.embed, feeds);
    return readFloat(res.inputs_embeds!);
  }

  emptyCache(): KvCache {
    const { numLayers, numKeyValueHeads, headDim } = this.config;
    const empty = (): ort.Tensor => floatTensor(this.kvType, new Float32Array(0), [1, numKeyValueHeads, 0, headDim]);
    return { tensors: Array.from({ length: 2 * numLayers }, empty), length: 0 };
  }

  /** One decoder call on `embeds` ([s, H]) on top of `cache`. */
  async decode(embeds: Float32Array, cache: KvCache): Promise<DecoderStep> {
    const { hiddenSize: H, numLayers } = this.config;
    const s = embeds.length / H;
    const total = cache.length + s;
    const positions = new BigInt64Array(s);
    for (let i = 0; i < s; i++) positions[i] = BigInt(cache.length + i);
    const feeds: Record<string, ort.Tensor> = {
      inputs_embeds: floatTensor(this.embedsType, embeds, [1, s, H]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
      position_ids: new ort.Tensor('int64', positions, [1, s]),
    };
    for (let i = 0; i < numLayers; i++) {
      feeds[`past_key_values.${i}.key`] = cache.tensors[2 * i]!;
      feeds[`past_key_values.${i}.value`] = cache.tensors[2 * i + 1]!;
    }
    if (this.hasLogitsToKeep) feeds.num_logits_to_keep = new ort.Tensor('int64', BigInt64Array.from([1n]), []);
    if (this.hasCacheBranch) feeds.use_cache_branch = new ort.Tensor('bool', Uint8Array.from([cache.length > 0 ? 1 : 0]), [1]);
    const out = await this.run(this.sessions.decoder, feeds);
    this.decoderCalls++;
    const tensors = Array.from({ length: numLayers }, (_, i) => [out[`present.${i}.key`]!, out[`present.${i}.value`]!]).flat();
    const logits = await readFloat(out.logits!);
    const V = out.logits!.dims[2]!;
    const heads = this.config.mmduet?.heads;
    return {
      cache: { tensors, length: total },
      informative: heads ? await readFloat(out[heads.informative]!) : new Float32Array(0),
      relevance: heads ? await readFloat(out[heads.relevance]!) : new Float32Array(0),
      lastLogits: logits.subarray(logits.length - V),
    };
  }

  /** The first `length` positions of a cache (the KV prefix at a trigger frame), as new CPU tensors. */
  async sliceCache(cache: KvCache, length: number): Promise<KvCache> {
    if (length === cache.length) return cache;
    const tensors = await Promise.all(
      cache.tensors.map(async (t) => {
        const [b, heads, T, D] = t.dims as [number, number, number, number];
        const data = (await t.getData()) as FloatData;
        const out = data instanceof Uint16Array ? new Uint16Array(b * heads * length * D) : new Float32Array(b * heads * length * D);
        for (let h = 0; h < b * heads; h++) out.set(data.subarray(h * T * D, h * T * D + length * D) as never, h * length * D);
        return out instanceof Uint16Array ? new ort.Tensor('float16', out, [b, heads, length, D]) : new ort.Tensor('float32', out, [b, heads, length, D]);
      }),
    );
    return { tensors, length };
  }

  /** Frees device-resident cache tensors (WebGPU); CPU tensors are left to the garbage collector. */
  disposeCache(cache: KvCache, keep?: KvCache): void {
    for (const t of cache.tensors) if (t.location === 'gpu-buffer' && !keep?.tensors.includes(t)) t.dispose();
  }

  async release(): Promise<void> {
    await Promise.all(Object.values(this.sessions).map((s) => s.release()));
  }
}

/** Checks files, config, provider and graph contract; returns a ready model. */
export async function loadModel(opts: LoadModelOptions): Promise<OnnxModel> {
  const dir = resolve(opts.modelDir);
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw InputError.at(dir, undefined, 'a model directory (model-contract.md §1)', 'no such directory');
  const configFile = join(dir, 'config.json');
  const rawConfig = existsSync(configFile) ? readJson(configFile) : undefined;
  const dtypes = resolveDtypes(opts.dtype, rawConfig, configFile);
  const files = graphFiles(dtypes);
  const missing = [...TEXT_FILES, ...Object.values(files)].filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) throw new InputError(`${dir}: model directory is missing ${missing.join(', ')} (model-contract.md §1)`);
  const config = parseModelConfig(rawConfig, configFile);
  const tokenizer = new Tokenizer(readJson(join(dir, 'tokenizer.json')) as object, readJson(join(dir, 'tokenizer_config.json')) as object);
  const threads = opts.intraOpThreads;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) throw new InputError(`threads: expected a positive integer, found ${threads}`);
  const provider = await chooseProvider(opts.device ?? 'auto', log);
  let sessions: Sessions;
  try {
    sessions = await createSessions(dir, files, provider, config, threads);
  } catch (e) {
    throw new InputError(`${dir}: onnxruntime could not load the model on ${provider}: ${errorText(e)}`);
  }
  const meta = (s: ort.InferenceSession) => ({ inputs: metaOf(s, 'inputMetadata'), outputs: metaOf(s, 'outputMetadata') });
  const problems = contractProblems(config, files, { vision: meta(sessions.vision), embed: meta(sessions.embed), decoder: meta(sessions.decoder) });
  const stop = config.mmduet?.generation.stopTokenId;
  const imEnd = tokenizer.token_to_id('<|im_end|>');
  if (stop !== undefined && imEnd !== stop) problems.push(`config.json: $.mmduet.generation.stop_token_id is ${stop} but tokenizer.json gives <|im_end|> the id ${imEnd}`);
  if (problems.length > 0) {
    await Promise.all(Object.values(sessions).map((s) => s.release()));
    throw new InputError(`${dir}: model does not meet the contract (model-contract.md §3): ${problems.join('; ')}`);
  }
  if (config.mmduet === null) log(`notice: ${dir} has no "mmduet" block in config.json: loaded in no-heads mode (text generation only; MMDuet benchmarks refuse it)`);
  return new OnnxModel(dir, config, provider, fingerprintDir(dir), dtypes, sessions, tokenizer);
}

/** Loads on CPU to check the contract, then releases; returns what `doctor` prints. */
export async function checkModelDir(modelDir: string, dtype?: LoadModelOptions['dtype']): Promise<{ config: ModelConfig; fingerprint: ModelFingerprint; noHeads: boolean; dtypes: GraphDtypes }> {
  const model = await loadModel({ modelDir, device: 'cpu', log: () => {}, dtype });
  await model.release();
  return { config: model.config, fingerprint: model.fingerprint, noHeads: model.noHeads, dtypes: model.dtypes };
}
