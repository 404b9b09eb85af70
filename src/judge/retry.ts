/**
 * Retries with exponential backoff for judge API calls. The openai client's own retries are disabled so
 * that the policy (and the Retry-After / rate-limit headers it honours) is ours and testable.
 */
import OpenAI from 'openai';

export interface RetryPolicy {
  /** Attempts after the first one. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 6, baseDelayMs: 1000, maxDelayMs: 60_000 };

/** Authentication or permission errors stop the whole run: every other pair would fail the same way. */
export class FatalJudgeError extends Error {}

/** Parses OpenAI-style durations such as "1s", "6m0s", "20ms", "1h2m3.5s" into milliseconds. */
export function parseDuration(v: string): number | null {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = '';
  for (const m of v.matchAll(re)) {
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    matched += m[0];
  }
  return matched.length > 0 && matched === v.trim() ? total : null;
}

/** The wait a server asked for: retry-after-ms, retry-after (seconds or HTTP date), x-ratelimit-reset-*. */
export function serverDelayMs(headers: Headers | undefined, now = Date.now()): number | null {
  if (!headers) return null;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = headers.get('retry-after');
  if (ra !== null) {
    if (Number.isFinite(Number(ra))) return Math.max(0, Number(ra) * 1000);
    const date = Date.parse(ra);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  const resets = ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens']
    .map((h) => headers.get(h))
    .map((v) => (v === null ? null : parseDuration(v)))
    .filter((v): v is number => v !== null);
  return resets.length > 0 ? Math.max(...resets) : null;
}

function retryable(e: unknown): boolean {
  if (e instanceof OpenAI.APIConnectionError) return true; // includes timeouts
  if (e instanceof OpenAI.APIError) {
    const s = e.status ?? 0;
    return s === 408 || s === 409 || s === 429 || s >= 500;
  }
  return false;
}

export interface RetryStats {
  retries: number;
  rateLimited: number;
  serverErrors: number;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `fn`, retrying retryable API errors; the last error is rethrown. 401/403 become FatalJudgeError. */
export async function withRetries<T>(fn: () => Promise<T>, policy: RetryPolicy, stats: RetryStats): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof OpenAI.APIError && (e.status === 401 || e.status === 403)) {
        throw new FatalJudgeError(`judge API refused the credentials (HTTP ${e.status}); check OPENAI_API_KEY and --base-url`);
      }
      if (!retryable(e) || attempt >= policy.maxRetries) throw e;
      stats.retries++;
      if (e instanceof OpenAI.APIError && e.status === 429) stats.rateLimited++;
      else if (e instanceof OpenAI.APIError && (e.status ?? 0) >= 500) stats.serverErrors++;
      const asked = e instanceof OpenAI.APIError ? serverDelayMs(e.headers) : null;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt) * (0.5 + Math.random() / 2);
      await sleep(asked !== null ? Math.min(asked, policy.maxDelayMs) : backoff);
    }
  }
}
