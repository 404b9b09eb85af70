/**
 * One judged pair through an OpenAI-compatible chat-completions endpoint: ask, parse, re-ask once when the
 * reply is not a score, report usage. Transport errors are retried (retry.ts) and finally thrown.
 */
import OpenAI from 'openai';
import { parseJudgeReply } from './parse.js';
import { judgeMessages } from './prompts.js';
import { withRetries, type RetryPolicy, type RetryStats } from './retry.js';
import type { JudgeSettings } from './config.js';
import type { PairText, TokenUsage } from './cache.js';

export interface PairOutcome {
  status: 'ok' | 'unparsable';
  score: number | null;
  replies: string[];
  usage: TokenUsage;
}

export function makeClient(s: JudgeSettings, apiKey: string | undefined, timeoutMs = 120_000): OpenAI {
  return new OpenAI({
    // Local servers usually take any key; the real API needs OPENAI_API_KEY (checked by the caller).
    apiKey: apiKey ?? 'none',
    baseURL: s.baseUrl,
    maxRetries: 0,
    timeout: timeoutMs,
  });
}

export function chatBody(s: JudgeSettings, pair: PairText) {
  return { model: s.model, messages: judgeMessages(s.judge, pair.question, pair.gold, pair.pred), ...s.samplingParams };
}

/** `first`: a reply already received elsewhere (a batch line); then at most one more request is made. */
export async function askPair(
  client: OpenAI,
  s: JudgeSettings,
  pair: PairText,
  policy: RetryPolicy,
  stats: RetryStats,
  first?: { reply: string; usage: TokenUsage },
): Promise<PairOutcome> {
  const replies: string[] = [];
  const usage: TokenUsage = { prompt_tokens: 0, completion_tokens: 0 };
  if (first) {
    replies.push(first.reply);
    usage.prompt_tokens += first.usage.prompt_tokens;
    usage.completion_tokens += first.usage.completion_tokens;
    const score = parseJudgeReply(first.reply, s.parse);
    if (score !== null) return { status: 'ok', score, replies, usage };
  }
  while (replies.length < 2) {
    const res = await withRetries(() => client.chat.completions.create({ ...chatBody(s, pair), stream: false }), policy, stats);
    usage.prompt_tokens += res.usage?.prompt_tokens ?? 0;
    usage.completion_tokens += res.usage?.completion_tokens ?? 0;
    const reply = res.choices[0]?.message?.content ?? '';
    replies.push(reply);
    const score = parseJudgeReply(reply, s.parse);
    if (score !== null) return { status: 'ok', score, replies, usage };
  }
  return { status: 'unparsable', score: null, replies, usage };
}
