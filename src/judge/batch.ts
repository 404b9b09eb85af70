/**
 * The OpenAI Batch API route (judge.md §7): one request per judged pair in a JSONL input file, submitted as
 * batches of at most 50,000 requests with a 24 h window, polled, downloaded and reconciled. Batch ids are
 * stored in the run directory before polling, so an interrupted run polls the same batches instead of
 * paying for them twice. Every submitted request is accounted for: a reply, or a transport failure.
 */
import { existsSync } from 'node:fs';
import OpenAI, { toFile } from 'openai';
import { InputError } from '../errors.js';
import { readJson, writeFileAtomic } from '../io/files.js';
import { askPair, chatBody, type PairOutcome } from './chat.js';
import type { JudgeSettings } from './config.js';
import type { PairTask } from './pairs.js';
import { DEFAULT_RETRY, sleep, withRetries, type RetryStats } from './retry.js';

export const BATCH_MAX_REQUESTS = 50_000;
const TERMINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);

interface BatchEntry {
  batch_id: string;
  input_file_id: string;
  custom_ids: string[];
  consumed: boolean;
  status: string;
}
interface BatchState {
  batches: BatchEntry[];
}

const customId = (key: string) => `k-${key}`;
const keyOfCustomId = (id: string) => (id.startsWith('k-') ? id.slice(2) : null);

function loadState(file: string): BatchState {
  if (!existsSync(file)) return { batches: [] };
  const v = readJson(file) as BatchState;
  if (!v || !Array.isArray(v.batches)) throw InputError.at(file, '$.batches', 'a list of batches');
  return v;
}

async function submit(client: OpenAI, s: JudgeSettings, chunk: PairTask[], retry: RetryStats): Promise<BatchEntry> {
  const lines = chunk.map((t) => JSON.stringify({ custom_id: customId(t.key), method: 'POST', url: '/v1/chat/completions', body: chatBody(s, t.pair) }));
  const file = await withRetries(
    async () => client.files.create({ file: await toFile(Buffer.from(lines.join('\n') + '\n'), 'magqa-judge.jsonl'), purpose: 'batch' }),
    DEFAULT_RETRY,
    retry,
  );
  const batch = await withRetries(
    () => client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }),
    DEFAULT_RETRY,
    retry,
  );
  return { batch_id: batch.id, input_file_id: file.id, custom_ids: chunk.map((t) => customId(t.key)), consumed: false, status: batch.status };
}

async function download(client: OpenAI, fileId: string | null | undefined, retry: RetryStats): Promise<Record<string, any>[]> {
  if (!fileId) return [];
  const text = await withRetries(async () => (await client.files.content(fileId)).text(), DEFAULT_RETRY, retry);
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, any>);
}

/**
 * Submits the tasks not already in a pending batch, waits for every pending batch, and records each reply
 * through `onReply`. Unparsable batch replies are re-asked once through chat completions. Returns nothing
 * left to ask: what did not come back is in `missing` and is resubmitted by the next run.
 */
export async function runBatch(
  client: OpenAI,
  tasks: PairTask[],
  s: JudgeSettings,
  stateFile: string,
  pollMs: number,
  log: (line: string) => void,
  onReply: (t: PairTask, out: PairOutcome) => void,
  missing: Map<string, string>,
): Promise<PairTask[]> {
  const retry: RetryStats = { retries: 0, rateLimited: 0, serverErrors: 0 };
  const state = loadState(stateFile);
  const save = () => writeFileAtomic(stateFile, JSON.stringify(state, null, 2) + '\n');
  const byKey = new Map(tasks.map((t) => [t.key, t]));
  const pending = new Set(state.batches.filter((b) => !b.consumed).flatMap((b) => b.custom_ids));
  const toSubmit = tasks.filter((t) => !pending.has(customId(t.key)));
  for (let i = 0; i < toSubmit.length; i += BATCH_MAX_REQUESTS) {
    const entry = await submit(client, s, toSubmit.slice(i, i + BATCH_MAX_REQUESTS), retry);
    state.batches.push(entry);
    save();
    log(`submitted batch ${entry.batch_id} (${entry.custom_ids.length} requests)`);
  }
  for (const entry of state.batches.filter((b) => !b.consumed)) {
    let batch = await withRetries(() => client.batches.retrieve(entry.batch_id), DEFAULT_RETRY, retry);
    while (!TERMINAL.has(batch.status)) {
      log(`batch ${entry.batch_id}: ${batch.status} (${batch.request_counts?.completed ?? 0}/${batch.request_counts?.total ?? entry.custom_ids.length} done); polling every ${pollMs / 1000} s — interrupting is safe, a rerun resumes this batch`);
      await sleep(pollMs);
      batch = await withRetries(() => client.batches.retrieve(entry.batch_id), DEFAULT_RETRY, retry);
    }
    const accounted = new Set<string>();
    for (const line of await download(client, batch.output_file_id, retry)) {
      const key = keyOfCustomId(String(line.custom_id));
      const task = key ? byKey.get(key) : undefined;
      if (!task) continue; // a pair this run no longer needs
      accounted.add(task.key);
      const res = line.response;
      if (!res || res.status_code !== 200) {
        missing.set(task.key, `batch line HTTP ${res?.status_code ?? '?'}: ${JSON.stringify(line.error ?? res?.body?.error ?? null).slice(0, 160)}`);
        continue;
      }
      const reply = String(res.body?.choices?.[0]?.message?.content ?? '');
      const usage = { prompt_tokens: res.body?.usage?.prompt_tokens ?? 0, completion_tokens: res.body?.usage?.completion_tokens ?? 0 };
      try {
        onReply(task, await askPair(client, s, task.pair, DEFAULT_RETRY, retry, { reply, usage }));
      } catch (e) {
        missing.set(task.key, `re-ask after an unparsable batch reply failed: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    for (const line of await download(client, batch.error_file_id, retry)) {
      const key = keyOfCustomId(String(line.custom_id));
      if (!key || !byKey.has(key) || accounted.has(key)) continue;
      accounted.add(key);
      missing.set(key, `batch error: ${JSON.stringify(line.error ?? line.response?.body?.error ?? null).slice(0, 160)}`);
    }
    for (const id of entry.custom_ids) {
      const key = keyOfCustomId(id)!;
      if (byKey.has(key) && !accounted.has(key)) missing.set(key, `not in the output of batch ${entry.batch_id} (status ${batch.status})`);
    }
    entry.consumed = true;
    entry.status = batch.status;
    save();
    log(`batch ${entry.batch_id} ${batch.status}: ${accounted.size} of ${entry.custom_ids.length} accounted for`);
  }
  return [];
}
