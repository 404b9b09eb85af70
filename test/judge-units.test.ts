import { describe, expect, it } from 'vitest';
import { parseJudgeReply } from '../src/judge/parse.js';
import { lexicalScore, tokenF1 } from '../src/judge/lexical.js';
import { parseDuration, serverDelayMs } from '../src/judge/retry.js';
import { GPT4O_SYSTEM, LLAMA_SYSTEM, promptHash, userMessage } from '../src/judge/prompts.js';
import { cacheKey } from '../src/judge/cache.js';
import { resolveJudge } from '../src/judge/config.js';
import { sha256Text } from '../src/io/files.js';

describe('reply parsing', () => {
  it('strict accepts exactly one digit 1-5 after trimming', () => {
    expect(parseJudgeReply(' 4\n')).toBe(4);
    for (const bad of ['4.', 'Score: 4', '**4**', '0', '6', '45', '', 'four']) expect(parseJudgeReply(bad), bad).toBeNull();
  });
  it('original parsers as options', () => {
    expect(parseJudgeReply('4 because', 'first-char')).toBe(4);
    expect(parseJudgeReply('Score: 3', 'last-char')).toBe(3);
    expect(parseJudgeReply(' +5 ', 'int')).toBe(5);
    expect(parseJudgeReply('7', 'int')).toBeNull();
    expect(parseJudgeReply('x4', 'first-char')).toBeNull();
  });
});

describe('lexical stand-in judge', () => {
  it('token F1 mapped to 1..5', () => {
    // gold {a, man, cuts, onions}, pred {man, cuts, bread}: common 2, P 2/3, R 2/4 -> F1 = 4/7
    expect(tokenF1('A man cuts onions.', 'man cuts bread')).toBeCloseTo(4 / 7, 12);
    expect(lexicalScore('A man cuts onions.', 'man cuts bread')).toBe(1 + Math.round(16 / 7)); // 3
    expect(lexicalScore('same words', 'Same, words!')).toBe(5);
    expect(lexicalScore('nothing shared', 'other text')).toBe(1);
  });
});

describe('retry headers', () => {
  it('reads retry-after-ms, retry-after seconds and dates, and x-ratelimit-reset', () => {
    expect(serverDelayMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(serverDelayMs(new Headers({ 'retry-after': '2' }))).toBe(2000);
    expect(serverDelayMs(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 4000)).toBe(6000);
    expect(serverDelayMs(new Headers({ 'x-ratelimit-reset-requests': '1m2s', 'x-ratelimit-reset-tokens': '20ms' }))).toBe(62_000);
    expect(serverDelayMs(new Headers({}))).toBeNull();
    expect(parseDuration('6m0s')).toBe(360_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('soon')).toBeNull();
  });
});

describe('prompts and cache keys', () => {
  it('prompts are the spec strings', () => {
    expect(GPT4O_SYSTEM.endsWith('does not address the question at all.\nOnly reply with a number from 1 to 5, and nothing else.')).toBe(true);
    expect(LLAMA_SYSTEM.endsWith('does not address the question at all.\n\nHere are some examples to guide you:')).toBe(true);
    expect(GPT4O_SYSTEM.split('\n')).toHaveLength(7);
    expect(userMessage('Q', 'G', 'P')).toBe('Question: Q\nGround Truth Answer: G\nPredicted Answer: P');
    expect(promptHash('gpt-4o')).toBe(sha256Text(JSON.stringify([{ role: 'system', content: GPT4O_SYSTEM }])));
    expect(promptHash('gpt-4o')).not.toBe(promptHash('llama-3.1-70b'));
  });
  it('cache key changes with model, prompt, sampling and every text', () => {
    const s = resolveJudge({ judge: 'gpt-4o' });
    const id = { model: s.model, provider: s.provider, promptSha256: s.promptSha256, sampling: JSON.stringify(s.samplingParams) };
    const base = cacheKey(id, { question: 'q', gold: 'g', pred: 'p' });
    expect(cacheKey(id, { question: 'q', gold: 'g', pred: 'p' })).toBe(base);
    const variants = [
      cacheKey({ ...id, model: 'gpt-4o-2024-11-20' }, { question: 'q', gold: 'g', pred: 'p' }),
      cacheKey({ ...id, promptSha256: 'x' }, { question: 'q', gold: 'g', pred: 'p' }),
      cacheKey({ ...id, sampling: '{}' }, { question: 'q', gold: 'g', pred: 'p' }),
      cacheKey(id, { question: 'q2', gold: 'g', pred: 'p' }),
      cacheKey(id, { question: 'q', gold: 'g ', pred: 'p' }),
      cacheKey(id, { question: 'q', gold: 'g', pred: 'P' }),
      cacheKey(id, { question: 'q', gold: 'g', pred: 'p', scope: 'ex1' }),
    ];
    expect(new Set([base, ...variants]).size).toBe(8);
  });
  it('provider is the host only; llama needs a base URL', () => {
    expect(resolveJudge({ judge: 'llama-3.1-70b', baseUrl: 'http://user:pw@10.0.0.5:8000/v1' }).provider).toBe('10.0.0.5');
    expect(resolveJudge({ judge: 'gpt-4o', baseUrl: 'https://api.openai.com/v1' }).model).toBe('gpt-4o-2024-08-06');
    const env = process.env.OPENAI_BASE_URL;
    delete process.env.OPENAI_BASE_URL;
    expect(() => resolveJudge({ judge: 'llama-3.1-70b' })).toThrow(/--base-url/);
    if (env !== undefined) process.env.OPENAI_BASE_URL = env;
    expect(() => resolveJudge({ judge: 'gpt-5' })).toThrow(/--judge: expected one of/);
  });
});
