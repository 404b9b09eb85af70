/**
 * Which judge, which model, where, with which sampling: everything that goes into the cache key and the
 * provenance block. The API key is held here only in memory and never serialised.
 */
import { InputError } from '../errors.js';
import { sha256Text } from '../io/files.js';
import { LEXICAL_VERSION } from './lexical.js';
import { JUDGE_NAMES, promptHash, type JudgeName } from './prompts.js';
import type { JudgeIdentity } from './cache.js';
import type { ParseMode } from './parse.js';

export type SamplingMode = 'deterministic' | 'original';

export interface JudgeSettings {
  judge: JudgeName;
  model: string;
  /** Full base URL for the client (may hold a port and path); never written to files, only `provider`. */
  baseUrl: string | undefined;
  /** Host name only: what results and cache keys name. */
  provider: string;
  samplingMode: SamplingMode;
  /** Extra body fields of every chat request (temperature, top_p, max_tokens). */
  samplingParams: Record<string, number>;
  parse: ParseMode;
  promptSha256: string;
}

export const DEFAULT_MODELS: Record<JudgeName, string> = {
  'gpt-4o': 'gpt-4o-2024-08-06',
  'llama-3.1-70b': 'meta-llama/Meta-Llama-3.1-70B-Instruct',
  lexical: 'lexical-token-f1-v1',
};

/** USD per million tokens (input, output) for synchronous calls; the Batch API costs half. */
export const PRICES_PER_MTOK: Record<string, [number, number]> = {
  'gpt-4o-2024-08-06': [2.5, 10],
};

export function samplingFor(judge: JudgeName, mode: SamplingMode): Record<string, number> {
  if (judge === 'lexical') return {};
  if (mode === 'deterministic') return { temperature: 0, max_tokens: 32 };
  // The originals: GPT-4o with API defaults; Llama's generation config (temperature 0.6, top_p 0.9), 32 new tokens.
  return judge === 'gpt-4o' ? {} : { temperature: 0.6, top_p: 0.9, max_tokens: 32 };
}

export function providerHost(baseUrl: string | undefined, judge: JudgeName): string {
  if (judge === 'lexical') return 'local';
  if (!baseUrl) return 'api.openai.com';
  try {
    return new URL(baseUrl).hostname;
  } catch {
    throw new InputError(`--base-url: expected a URL such as http://127.0.0.1:8000/v1, found ${JSON.stringify(baseUrl.replace(/\/\/[^@/]*@/, '//…@'))}`);
  }
}

export function resolveJudge(o: { judge: string; model?: string; baseUrl?: string; sampling?: SamplingMode; parse?: ParseMode }): JudgeSettings {
  if (!JUDGE_NAMES.includes(o.judge as JudgeName)) throw new InputError(`--judge: expected one of ${JUDGE_NAMES.join(', ')}, found ${JSON.stringify(o.judge)}`);
  const judge = o.judge as JudgeName;
  const baseUrl = o.baseUrl ?? (judge === 'lexical' ? undefined : process.env.OPENAI_BASE_URL || undefined);
  if (judge === 'llama-3.1-70b' && !baseUrl) {
    throw new InputError('--judge llama-3.1-70b: expected --base-url of an OpenAI-compatible server (vLLM, SGLang, …), found none');
  }
  const samplingMode = o.sampling ?? 'deterministic';
  return {
    judge,
    model: o.model ?? DEFAULT_MODELS[judge],
    baseUrl,
    provider: providerHost(baseUrl, judge),
    samplingMode,
    samplingParams: samplingFor(judge, samplingMode),
    parse: o.parse ?? 'strict',
    promptSha256: judge === 'lexical' ? sha256Text(LEXICAL_VERSION) : promptHash(judge),
  };
}

export function identityOf(s: JudgeSettings): JudgeIdentity {
  return { model: s.model, provider: s.provider, promptSha256: s.promptSha256, sampling: JSON.stringify(s.samplingParams) };
}
