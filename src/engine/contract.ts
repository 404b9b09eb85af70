/**
 * The model-directory contract (model-contract.md §1–§3): config.json fields and the input/output names,
 * dtypes and shapes of the three graphs. Every problem is collected so one error names them all.
 */
import { InputError } from '../errors.js';
import { Shape, jsonPath } from '../io/files.js';
import type { MmduetBlock, ModelConfig } from './types.js';

const GRAPH_NAMES = { vision: 'vision_encoder', embed: 'embed_tokens', decoder: 'decoder_model_merged' } as const;
export type GraphKey = keyof typeof GRAPH_NAMES;
export const GRAPH_KEYS = Object.keys(GRAPH_NAMES) as GraphKey[];

/** dtype → file-name suffix (model-contract.md §3a, transformers.js convention). */
export const DTYPE_SUFFIX: Record<string, string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

export type GraphDtypes = Record<GraphKey, string>;

/** `onnx/<graph>{suffix}.onnx` for each graph. */
export function graphFiles(dtypes: GraphDtypes): Record<GraphKey, string> {
  return Object.fromEntries(GRAPH_KEYS.map((k) => [k, `onnx/${GRAPH_NAMES[k]}${DTYPE_SUFFIX[dtypes[k]]}.onnx`])) as Record<GraphKey, string>;
}

export const TEXT_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];

/**
 * Per-graph dtype: the caller's choice, else config.json `transformers.js_config.dtype` (a string or a map
 * from graph name to dtype), else fp32.
 */
export function resolveDtypes(requested: string | Partial<GraphDtypes> | undefined, rawConfig: unknown, file: string): GraphDtypes {
  const fromConfig = (rawConfig as { 'transformers.js_config'?: { dtype?: unknown } })?.['transformers.js_config']?.dtype;
  const pick = (key: GraphKey): { value: unknown; where: string } => {
    if (typeof requested === 'string') return { value: requested, where: '--dtype' };
    if (requested?.[key] !== undefined) return { value: requested[key], where: `--dtype ${key}` };
    if (typeof fromConfig === 'string') return { value: fromConfig, where: `${file}: $["transformers.js_config"].dtype` };
    const mapped = (fromConfig as Record<string, unknown> | undefined)?.[GRAPH_NAMES[key]];
    if (mapped !== undefined) return { value: mapped, where: `${file}: $["transformers.js_config"].dtype.${GRAPH_NAMES[key]}` };
    return { value: 'fp32', where: 'default' };
  };
  return Object.fromEntries(
    GRAPH_KEYS.map((key) => {
      const { value, where } = pick(key);
      if (typeof value !== 'string' || DTYPE_SUFFIX[value] === undefined) {
        throw new InputError(`${where}: expected a dtype (${Object.keys(DTYPE_SUFFIX).join(', ')}), found ${JSON.stringify(value)}`);
      }
      return [key, value];
    }),
  ) as GraphDtypes;
}

/** What a session reports about one input or output. */
export interface ValueMeta {
  name: string;
  type: string;
  /** numbers are fixed dims, strings symbolic; empty = unknown. */
  shape: ReadonlyArray<number | string>;
}

/** Expected value: `null` dims accept anything; `float` accepts float32 or float16 (converted at run time). */
interface ValueSpec {
  name: string;
  type: 'float' | 'float32' | 'int64' | 'bool';
  shape: Array<number | null>;
  optional?: boolean;
}

const fmtShape = (s: ReadonlyArray<number | string | null>): string => `[${s.map((d) => (d === null ? '*' : String(d))).join(',')}]`;
const fmtSpec = (v: ValueSpec): string => `${v.name} ${v.type === 'float' ? 'float32/float16' : v.type} ${fmtShape(v.shape)}`;

function num(shape: Shape, cfg: Record<string, unknown>, key: string, base = '$'): number {
  return shape.number(cfg[key], jsonPath(base, key));
}

/** Parses config.json (already JSON-parsed); throws InputError naming the JSON path of a bad field. */
export function parseModelConfig(raw: unknown, file: string): ModelConfig {
  const s = new Shape(file);
  const cfg = s.object(raw, '$');
  const hiddenSize = num(s, cfg, 'hidden_size');
  const numAttentionHeads = num(s, cfg, 'num_attention_heads');
  const eosRaw = cfg.eos_token_id;
  const eosTokenId = Array.isArray(eosRaw) ? s.number(eosRaw[0], '$.eos_token_id[0]') : num(s, cfg, 'eos_token_id');
  return {
    modelType: s.string(cfg.model_type, '$.model_type'),
    hiddenSize,
    numLayers: num(s, cfg, 'num_hidden_layers'),
    numAttentionHeads,
    numKeyValueHeads: num(s, cfg, 'num_key_value_heads'),
    headDim: cfg.head_dim === undefined ? hiddenSize / numAttentionHeads : num(s, cfg, 'head_dim'),
    vocabSize: num(s, cfg, 'vocab_size'),
    eosTokenId,
    mmduet: cfg.mmduet === undefined ? null : parseMmduetBlock(s, cfg.mmduet),
  };
}

function triple(s: Shape, v: unknown, path: string): [number, number, number] {
  const a = s.array(v, path);
  if (a.length !== 3) s.fail(path, 'an array of 3 numbers', v);
  return [s.number(a[0], `${path}[0]`), s.number(a[1], `${path}[1]`), s.number(a[2], `${path}[2]`)];
}

function parseMmduetBlock(s: Shape, raw: unknown): MmduetBlock {
  const m = s.object(raw, '$.mmduet');
  const heads = s.object(m.heads, '$.mmduet.heads');
  const gen = s.object(m.generation, '$.mmduet.generation');
  return {
    frameResolution: num(s, m, 'frame_resolution', '$.mmduet'),
    frameNumTokens: num(s, m, 'frame_num_tokens', '$.mmduet'),
    imageMean: triple(s, m.image_mean, '$.mmduet.image_mean'),
    imageStd: triple(s, m.image_std, '$.mmduet.image_std'),
    padValue: num(s, m, 'pad_value', '$.mmduet'),
    heads: {
      informative: s.string(heads.informative, '$.mmduet.heads.informative'),
      relevance: s.string(heads.relevance, '$.mmduet.heads.relevance'),
      positiveIndex: num(s, heads, 'positive_index', '$.mmduet.heads'),
    },
    systemPrompt: s.string(m.system_prompt, '$.mmduet.system_prompt'),
    generation: {
      maxNewTokens: num(s, gen, 'max_new_tokens', '$.mmduet.generation'),
      stopTokenId: num(s, gen, 'stop_token_id', '$.mmduet.generation'),
      greedy: gen.greedy !== false,
    },
  };
}

/** Expected inputs and outputs of each graph for this config. */
export function graphSpecs(cfg: ModelConfig): Record<GraphKey, { inputs: ValueSpec[]; outputs: ValueSpec[] }> {
  const H = cfg.hiddenSize;
  const m = cfg.mmduet;
  const kv = (prefix: string): ValueSpec[] =>
    Array.from({ length: cfg.numLayers }, (_, i) =>
      (['key', 'value'] as const).map((kind) => ({ name: `${prefix}.${i}.${kind}`, type: 'float' as const, shape: [null, cfg.numKeyValueHeads, null, cfg.headDim] })),
    ).flat();
  const heads: ValueSpec[] = m
    ? [m.heads.informative, m.heads.relevance].map((name) => ({ name, type: 'float32' as const, shape: [null, null, 2] }))
    : [];
  return {
    vision: {
      inputs: [{ name: 'pixel_values', type: 'float', shape: [null, 3, m?.frameResolution ?? null, m?.frameResolution ?? null] }],
      outputs: [{ name: 'image_features', type: 'float', shape: [null, m?.frameNumTokens ?? null, H] }],
    },
    embed: {
      inputs: [{ name: 'input_ids', type: 'int64', shape: [null, null] }],
      outputs: [{ name: 'inputs_embeds', type: 'float', shape: [null, null, H] }],
    },
    decoder: {
      inputs: [
        { name: 'inputs_embeds', type: 'float', shape: [null, null, H] },
        { name: 'attention_mask', type: 'int64', shape: [null, null] },
        { name: 'position_ids', type: 'int64', shape: [null, null] },
        ...kv('past_key_values'),
        { name: 'num_logits_to_keep', type: 'int64', shape: [], optional: true },
        { name: 'use_cache_branch', type: 'bool', shape: [1], optional: true },
      ],
      outputs: [{ name: 'logits', type: 'float', shape: [null, null, cfg.vocabSize] }, ...kv('present'), ...heads],
    },
  };
}

function shapeProblem(spec: ValueSpec, meta: ValueMeta): string | null {
  const typeOk = spec.type === 'float' ? meta.type === 'float32' || meta.type === 'float16' : meta.type === spec.type;
  if (!typeOk) return `${meta.name} has dtype ${meta.type}`;
  if (meta.shape.length === 0 && spec.shape.length > 0) return null; // shape not recorded in the graph
  if (meta.shape.length !== spec.shape.length) return `${meta.name} has shape ${fmtShape(meta.shape)}`;
  const bad = spec.shape.some((d, i) => d !== null && typeof meta.shape[i] === 'number' && meta.shape[i] !== d);
  return bad ? `${meta.name} has shape ${fmtShape(meta.shape)}` : null;
}

function compare(kind: 'input' | 'output', specs: ValueSpec[], actual: readonly ValueMeta[]): string[] {
  const problems: string[] = [];
  const byName = new Map(actual.map((a) => [a.name, a]));
  for (const spec of specs) {
    const meta = byName.get(spec.name);
    if (!meta) {
      if (!spec.optional) problems.push(`missing ${kind} ${fmtSpec(spec)}`);
      continue;
    }
    const p = shapeProblem(spec, meta);
    if (p) problems.push(`${kind} ${p}, expected ${fmtSpec(spec)}`);
  }
  if (kind === 'input') {
    const known = new Set(specs.map((s) => s.name));
    for (const a of actual) if (!known.has(a.name)) problems.push(`unexpected input ${a.name} ${a.type} ${fmtShape(a.shape)} (the runtime cannot feed it)`);
  }
  return problems;
}

/** Every contract problem of the three graphs, each prefixed with its graph file. Empty = conforms. */
export function contractProblems(
  cfg: ModelConfig,
  files: Record<GraphKey, string>,
  graphs: Record<GraphKey, { inputs: readonly ValueMeta[]; outputs: readonly ValueMeta[] }>,
): string[] {
  const specs = graphSpecs(cfg);
  return GRAPH_KEYS.flatMap((key) =>
    [...compare('input', specs[key].inputs, graphs[key].inputs), ...compare('output', specs[key].outputs, graphs[key].outputs)].map(
      (p) => `${files[key]}: ${p}`,
    ),
  );
}
