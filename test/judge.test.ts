import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { judgeMagqa, RESULT_FILE, CACHE_FILE, BATCH_STATE_FILE, type JudgeMagqaOptions } from '../src/judge/index.js';
import { startFakeOpenAI, type FakeServer, type FakeServerOptions } from '../src/judge/fake-server.js';
import { goldExample, mmduetLine, syntheticMagqa, writeMagqaFiles } from '../src/judge/synthetic.js';
import { GPT4O_SYSTEM, LLAMA_SYSTEM } from '../src/judge/prompts.js';
import { JudgeIncompleteError } from '../src/judge/outcome.js';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'mmduet-judge-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const servers: FakeServer[] = [];
async function server(o: FakeServerOptions = {}) {
  const s = await startFakeOpenAI(o);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

// Hand example. e1: gold A1 [0,10], A2 [10,20]; turns "cutting onions"@5, "frying"@10, "cutting onions"@15, "stirring"@30.
//   P_A1 = {cutting@5, frying@10}, P_A2 = {frying@10, cutting@15}; scores A1/cutting 5, A1/frying 2, A2/frying 4, A2/cutting 3
//   -> A1 (5+2)/2 = 3.5, A2 (4+3)/2 = 3.5, e1 = 3.5; 4 judged pairs (stirring is out of every span).
// e2: gold B1 [0,5]; turn "nothing"@8 -> empty span -> 1. e3: no prediction line -> padded with 1 (numExamples 3).
// in-span = (3.5 + 1 + 1) / 3; turns = (4 + 1 + 0) / 3; dedup = (3 + 1 + 0) / 3.
const SCORES: Record<string, string> = {
  'a man cuts onions|cutting onions': '5',
  'a man cuts onions|frying': '2',
  'he fries them|frying': '4',
  'he fries them|cutting onions': '3',
};
function handExample(dir: string) {
  const gold = [
    goldExample('e1', 'What happens?', [
      ['a man cuts onions', 0, 10],
      ['he fries them', 10, 20],
    ]),
    goldExample('e2', 'What is shown?', [['a dog', 0, 5]]),
    goldExample('e3', 'Who speaks?', [['a woman', 0, 5]]),
  ];
  const preds = [
    mmduetLine('e1', 'What happens?', [
      ['cutting onions', 5],
      ['frying', 10],
      ['cutting onions', 15],
      ['stirring', 30],
    ]),
    mmduetLine('e2', 'What is shown?', [['nothing', 8]]),
  ];
  return writeMagqaFiles(dir, gold, preds);
}
const handHandler: FakeServerOptions['handler'] = (r) => ({ content: SCORES[`${r.gold}|${r.pred}`] ?? '1' });

function opts(s: FakeServer, files: { goldPath: string; predictionsPath: string }, outDir: string, more: Partial<JudgeMagqaOptions> = {}): JudgeMagqaOptions {
  return {
    ...files,
    judge: 'gpt-4o',
    baseUrl: s.baseUrl,
    apiKey: 'sk-test-unused',
    outDir,
    conventions: { numExamples: 3 },
    retry: { baseDelayMs: 1, maxDelayMs: 20, maxRetries: 4 },
    ...more,
  };
}

describe('judgeMagqa against a local OpenAI-compatible server', () => {
  it('computes the hand-computed in-span score with the verbatim zero-shot prompt', async () => {
    const s = await server({ handler: handHandler });
    const dir = tmp();
    const r = await judgeMagqa(opts(s, handExample(dir), join(dir, 'run')));
    expect(r.metrics.in_span_score).toBeCloseTo((3.5 + 1 + 1) / 3, 12);
    expect(r.metrics.turns).toBeCloseTo(5 / 3, 12);
    expect(r.metrics.turns_dedup).toBeCloseTo(4 / 3, 12);
    expect(r.counts.judged_pairs).toBe(4);
    expect(r.counts.n_padded).toBe(1);
    expect([r.counts.unparsable, r.counts.missing_replies, r.counts.cache_hits, r.counts.asked]).toEqual([0, 0, 0, 4]);
    expect([r.valid, r.incomplete]).toEqual([true, false]);
    expect(s.requests.length).toBe(4);
    const body = s.requests[0]!.body;
    expect(body.model).toBe('gpt-4o-2024-08-06');
    expect(body.temperature).toBe(0);
    expect(body.messages).toHaveLength(2);
    expect(body.messages[0]).toEqual({ role: 'system', content: GPT4O_SYSTEM });
    expect(body.messages[1].content).toMatch(/^Question: What happens\?\nGround Truth Answer: (a man cuts onions|he fries them)\nPredicted Answer: (cutting onions|frying)$/);
    const saved = JSON.parse(readFileSync(join(dir, 'run', RESULT_FILE), 'utf8'));
    expect(saved.metrics.in_span_score).toBe(r.metrics.in_span_score);
    expect(saved.judge.provider).toBe('127.0.0.1');
    expect(saved.judge.prompt_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(saved.usage.prompt_tokens).toBe(400); // the fake server reports 100 per request
  });

  it('uses the six-shot prompt for llama-3.1-70b and its original sampling on request', async () => {
    const s = await server({ handler: handHandler });
    const dir = tmp();
    const r = await judgeMagqa(opts(s, handExample(dir), join(dir, 'run'), { judge: 'llama-3.1-70b', model: 'llama-70b', sampling: 'original' }));
    expect(r.metrics.in_span_score).toBeCloseTo((3.5 + 1 + 1) / 3, 12);
    const body = s.requests[0]!.body;
    expect(body.model).toBe('llama-70b');
    expect(body.messages).toHaveLength(14);
    expect(body.messages[0].content).toBe(LLAMA_SYSTEM);
    expect(body.messages.slice(1, 13).map((m: { role: string; content: string }) => (m.role === 'assistant' ? m.content : 'u')).join('')).toBe('u4u2u3u5u3u1');
    expect([body.temperature, body.top_p, body.max_tokens]).toEqual([0.6, 0.9, 32]);
  });

  it('retries 429 (honouring retry-after-ms) and 500, then succeeds', async () => {
    const seen = new Map<string, number>();
    const s = await server({
      handler: (r) => {
        const k = `${r.gold}|${r.pred}`;
        const n = (seen.get(k) ?? 0) + 1;
        seen.set(k, n);
        if (n === 1) return { status: 429, headers: { 'retry-after-ms': '30' } };
        if (n === 2) return { status: 500 };
        return handHandler(r);
      },
    });
    const dir = tmp();
    const t0 = Date.now();
    const r = await judgeMagqa(opts(s, handExample(dir), join(dir, 'run'), { concurrency: 1 }));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4 * 30); // each pair waited the 30 ms the server asked for
    expect(r.metrics.in_span_score).toBeCloseTo((3.5 + 1 + 1) / 3, 12);
    expect(r.retries).toEqual({ retries: 8, rateLimited: 4, serverErrors: 4 });
    expect(s.requests.length).toBe(12);
    expect([r.counts.unparsable, r.counts.missing_replies]).toEqual([0, 0]);
  });

  it('a pair that keeps failing leaves the judge stage incomplete: no headline, exit non-zero, retried by a rerun', async () => {
    let down = true;
    const handler: FakeServerOptions['handler'] = (r) => (down && r.pred === 'frying' && r.gold === 'he fries them' ? { status: 503 } : handHandler(r));
    const s = await server({ handler });
    const dir = tmp();
    const files = handExample(dir);
    const run = join(dir, 'run');
    const retry = { baseDelayMs: 1, maxDelayMs: 2, maxRetries: 2 };
    const failing = judgeMagqa(opts(s, files, run, { retry }));
    await expect(failing).rejects.toThrow(JudgeIncompleteError);
    await expect(failing).rejects.toThrow(
      'magqa judge: 1 of 4 pairs got no reply from 127.0.0.1: rerun the same command to retry them (answered pairs are cached), or pass --allow-missing-judgements to score them 1',
    );
    const saved = JSON.parse(readFileSync(join(run, RESULT_FILE), 'utf8'));
    expect([saved.incomplete, saved.valid, saved.metrics.in_span_score]).toEqual([true, false, null]);
    expect(saved.metrics.turns).toBeCloseTo(5 / 3, 12); // turns do not depend on the judge
    expect([saved.counts.missing_replies, saved.counts.unparsable, saved.counts.judged_pairs]).toEqual([1, 0, 4]);
    expect(saved.failures).toEqual([{ question: 'What happens?', gold: 'he fries them', pred: 'frying', kind: 'missing', reason: expect.stringMatching(/503/) }]);
    expect(saved.notes.join('\n')).toMatch(/^INCOMPLETE: 1 of 4 pairs got no reply/m);
    // Transport failures are not cached: the rerun asks only the missing pair and completes.
    expect(readFileSync(join(run, CACHE_FILE), 'utf8').trim().split('\n')).toHaveLength(3);
    down = false;
    const before = s.requests.length;
    const rerun = await judgeMagqa(opts(s, files, run, { retry }));
    expect(s.requests.length - before).toBe(1);
    expect([rerun.counts.cache_hits, rerun.counts.asked, rerun.incomplete, rerun.valid]).toEqual([3, 1, false, true]);
    expect(rerun.metrics.in_span_score).toBeCloseTo((3.5 + 1 + 1) / 3, 12);
  });

  it('every request refused (HTTP 400): incomplete, no in_span_score, never a publishable 1', async () => {
    const s = await server({ handler: () => ({ status: 400 }) });
    const dir = tmp();
    const run = join(dir, 'run');
    await expect(judgeMagqa(opts(s, handExample(dir), run, { retry: { maxRetries: 0 } }))).rejects.toThrow(/^magqa judge: 4 of 4 pairs got no reply from 127\.0\.0\.1: rerun/);
    const saved = JSON.parse(readFileSync(join(run, RESULT_FILE), 'utf8'));
    expect([saved.incomplete, saved.valid, saved.metrics.in_span_score, saved.counts.missing_replies]).toEqual([true, false, null, 4]);
    expect(saved.failures.map((f: { kind: string }) => f.kind)).toEqual(['missing', 'missing', 'missing', 'missing']);
    expect(existsSync(join(run, CACHE_FILE))).toBe(false);
  });

  it('--allow-missing-judgements: missing replies score 1 under mmduet (legacy), are excluded and guarded under standard', async () => {
    const s = await server({ handler: (r) => (r.pred === 'frying' && r.gold === 'he fries them' ? { status: 503 } : handHandler(r)) });
    const dir = tmp();
    const files = handExample(dir);
    const retry = { baseDelayMs: 1, maxDelayMs: 2, maxRetries: 0 };
    const r = await judgeMagqa(opts(s, files, join(dir, 'run'), { retry, allowMissingJudgements: true }));
    // A2 cell for frying becomes 1: A2 = (1 + 3) / 2 = 2, e1 = (3.5 + 2) / 2 = 2.75
    expect(r.metrics.in_span_score).toBeCloseTo((2.75 + 1 + 1) / 3, 12);
    expect([r.valid, r.incomplete]).toEqual([true, false]);
    expect([r.counts.missing_replies, r.counts.unparsable, r.counts.failed_cells_scored_1, r.counts.failed_cells_excluded]).toEqual([1, 0, 1, 0]);
    expect(r.failures[0]!.gold).toBe('he fries them');
    expect(r.notes.join(' ')).toMatch(/1 of 4 judged pair\(s\) got no reply: scored 1 \(legacy, --allow-missing-judgements\)/);
    // standard: excluded, and 1 of 4 failed is over --max-judge-failures 1 %: invalid, exit non-zero, metric kept for inspection.
    await expect(judgeMagqa(opts(s, files, join(dir, 'std'), { protocol: 'standard', retry, allowMissingJudgements: true }))).rejects.toThrow(
      /INVALID: 1 of 4 judged pairs failed \(25\.00 % > 1\.00 % allowed by --max-judge-failures under --protocol standard\)/,
    );
    const std = JSON.parse(readFileSync(join(dir, 'std', RESULT_FILE), 'utf8'));
    expect([std.valid, std.incomplete]).toEqual([false, false]);
    // standard: the failed cell is excluded, no padding: e1 = (3.5 + 3) / 2, e2 = 1 -> mean of 2 examples
    expect(std.metrics.in_span_score).toBeCloseTo((3.25 + 1) / 2, 12);
    expect([std.counts.n_padded, std.counts.failed_cells_excluded]).toEqual([0, 1]);
    const lenient = await judgeMagqa(opts(s, files, join(dir, 'std2'), { protocol: 'standard', retry, allowMissingJudgements: true, maxJudgeFailures: 0.25 }));
    expect(lenient.valid).toBe(true);
  });

  it('re-asks a malformed reply once, then records it as a failure', async () => {
    const s = await server({
      handler: (r) => {
        if (r.pred === 'cutting onions' && r.gold === 'a man cuts onions') return { content: 'Score: 5' };
        if (r.pred === 'frying' && r.gold === 'a man cuts onions') {
          const asked = s.requests.filter((q) => q.pred === 'frying' && q.gold === 'a man cuts onions').length;
          return { content: asked === 1 ? '**2**' : ' 2\n' };
        }
        return handHandler(r);
      },
    });
    const dir = tmp();
    const r = await judgeMagqa(opts(s, handExample(dir), join(dir, 'run'), { maxUnparsableRate: 0.25 }));
    expect(s.requests.length).toBe(6); // 2 pairs answered first time, 2 re-asked
    expect([r.counts.unparsable, r.counts.missing_replies, r.valid]).toEqual([1, 0, true]);
    expect(r.failures[0]).toMatchObject({ kind: 'unparsable', reason: 'unparsable reply(s): ["Score: 5","Score: 5"]' });
    // A1 = (1 + 2) / 2 = 1.5, A2 = 3.5 -> e1 = 2.5
    expect(r.metrics.in_span_score).toBeCloseTo((2.5 + 1 + 1) / 3, 12);
    const recs = readFileSync(join(dir, 'run', CACHE_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const bad = recs.find((x) => x.status === 'unparsable');
    expect(bad.replies).toEqual(['Score: 5', 'Score: 5']);
    expect(bad.score).toBeNull();
    expect(recs.find((x) => x.pred === 'frying' && x.gold === 'a man cuts onions').replies).toEqual(['**2**', ' 2\n']);
  });

  it('--unparsable-score exclude drops the cell; fail stops the run without a headline', async () => {
    const s = await server({ handler: (r) => (r.pred === 'cutting onions' && r.gold === 'a man cuts onions' ? { content: 'Score: 5' } : handHandler(r)) });
    const dir = tmp();
    const files = handExample(dir);
    const r = await judgeMagqa(opts(s, files, join(dir, 'run'), { unparsableScore: 'exclude', maxUnparsableRate: 0.25 }));
    // A1 keeps only frying (2), A2 = 3.5 -> e1 = 2.75
    expect(r.metrics.in_span_score).toBeCloseTo((2.75 + 1 + 1) / 3, 12);
    expect([r.counts.unparsable, r.counts.failed_cells_excluded, r.counts.failed_cells_scored_1, r.valid]).toEqual([1, 1, 0, true]);
    const asked = s.requests.length;
    await expect(judgeMagqa(opts(s, files, join(dir, 'run'), { unparsableScore: 'fail', maxUnparsableRate: 1 }))).rejects.toThrow(
      /^magqa judge: INVALID: 1 of 4 judged pairs got an unparsable reply \(--unparsable-score fail\)/,
    );
    expect(s.requests.length).toBe(asked); // the unparsable reply is cached: not paid for again
    const saved = JSON.parse(readFileSync(join(dir, 'run', RESULT_FILE), 'utf8'));
    expect([saved.valid, saved.incomplete, saved.metrics.in_span_score, saved.conventions.unparsableScore]).toEqual([false, false, null, 'fail']);
  });

  it('a rerun is served from the cache (zero requests); a torn last line is ignored and repaired', async () => {
    const s = await server({ handler: handHandler });
    const dir = tmp();
    const files = handExample(dir);
    const first = await judgeMagqa(opts(s, files, join(dir, 'run')));
    expect(s.requests.length).toBe(4);
    const second = await judgeMagqa(opts(s, files, join(dir, 'run')));
    expect(s.requests.length).toBe(4);
    expect(second.counts.cache_hits).toBe(4);
    expect(second.metrics).toEqual(first.metrics);
    // Simulate a write torn by a kill: drop the last record's end and append garbage without newline.
    const cacheFile = join(dir, 'run', CACHE_FILE);
    const lines = readFileSync(cacheFile, 'utf8').trim().split('\n');
    writeFileSync(cacheFile, lines.slice(0, 3).join('\n') + '\n' + lines[3]!.slice(0, 40));
    const third = await judgeMagqa(opts(s, files, join(dir, 'run')));
    expect(s.requests.length).toBe(5);
    expect(third.counts.dropped_cache_tail_bytes).toBe(40);
    expect(third.metrics).toEqual(first.metrics);
    expect(readFileSync(cacheFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l))).toHaveLength(4);
  });

  it('--dry-run prints an estimate and writes nothing', async () => {
    const s = await server();
    const dir = tmp();
    const r = await judgeMagqa(opts(s, handExample(dir), join(dir, 'run'), { dryRun: true, baseUrl: undefined }));
    expect(s.requests.length).toBe(0);
    expect(existsSync(join(dir, 'run'))).toBe(false);
    expect(r.estimate.pairs_to_ask).toBe(4);
    expect(r.estimate.prompt_tokens).toBeGreaterThan(4 * 200);
    // gpt-4o-2024-08-06 at $2.50 / $10 per million tokens
    expect(r.estimate.cost_usd).toBeCloseTo((r.estimate.prompt_tokens * 2.5 + 4 * 10) / 1e6, 12);
  });

  it('never writes the API key into the run directory', async () => {
    const key = 'sk-proj-TOPSECRET-0123456789abcdef';
    const s = await server({ handler: (r) => (r.pred === 'frying' ? { content: 'no idea' } : handHandler(r)) });
    const dir = tmp();
    const run = join(dir, 'run');
    const logs: string[] = [];
    await judgeMagqa(opts(s, handExample(dir), run, { apiKey: key, log: (l) => logs.push(l), maxUnparsableRate: 1 }));
    expect(s.requests[0]!.authorization).toBe(`Bearer ${key}`);
    const files = readdirSync(run);
    expect(files.sort()).toEqual([CACHE_FILE, RESULT_FILE].sort());
    for (const f of files) {
      const text = readFileSync(join(run, f), 'utf8');
      expect(text.length).toBeGreaterThan(100);
      expect(text.includes(key), f).toBe(false);
      expect(text.includes('TOPSECRET'), f).toBe(false);
    }
    expect(logs.join('\n').includes('TOPSECRET')).toBe(false);
  });

  it('Batch API route: submits once, stores the batch id, polls, reconciles, and resumes a pending batch', async () => {
    const s = await server({ handler: handHandler, batchPolls: 2 });
    const dir = tmp();
    const files = handExample(dir);
    const r = await judgeMagqa(opts(s, files, join(dir, 'run'), { batch: true, batchPollMs: 5 }));
    expect(r.metrics.in_span_score).toBeCloseTo((3.5 + 1 + 1) / 3, 12);
    expect(r.judge.route).toBe('batch');
    expect(s.batchesCreated).toBe(1);
    expect(s.requests.every((q) => q.via === 'batch')).toBe(true);
    const state = JSON.parse(readFileSync(join(dir, 'run', BATCH_STATE_FILE), 'utf8'));
    expect(state.batches).toHaveLength(1);
    expect(state.batches[0].consumed).toBe(true);
    expect(state.batches[0].custom_ids).toHaveLength(4);
    expect(r.cost_usd).toBeCloseTo(((400 * 2.5 + 4 * 10) / 1e6) * 0.5, 12);
  });

  it('Batch API route: a run killed while polling resumes the stored batch instead of resubmitting', async () => {
    const serverOpts: FakeServerOptions = { handler: handHandler, batchPolls: 1_000_000 };
    const s = await server(serverOpts);
    const dir = tmp();
    const files = handExample(dir);
    const run = join(dir, 'run');
    const child = spawnChild(childScript(files, run, s.baseUrl, 'batch: true, batchPollMs: 5'));
    const stateFile = join(run, BATCH_STATE_FILE);
    for (let i = 0; i < 400 && !existsSync(stateFile); i++) await new Promise((r) => setTimeout(r, 25));
    child.proc.kill('SIGKILL');
    await child.exited;
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).batches[0].consumed).toBe(false);
    expect(s.batchesCreated).toBe(1);
    serverOpts.batchPolls = 0;
    const r = await judgeMagqa(opts(s, files, run, { batch: true, batchPollMs: 5, conventions: { numExamples: 3 } }));
    expect(s.batchesCreated).toBe(1);
    expect(r.metrics.in_span_score).toBeCloseTo((3.5 + 1 + 1) / 3, 12);
    expect(r.counts.asked).toBe(4);
  });

  it('Batch API route: a line missing from the output is a counted failure, never a silent 1', async () => {
    const s = await server({ handler: (r) => (r.gold === 'he fries them' && r.pred === 'frying' ? { hang: true } : handHandler(r)) });
    const dir = tmp();
    const files = handExample(dir);
    await expect(judgeMagqa(opts(s, files, join(dir, 'strict'), { batch: true, batchPollMs: 5 }))).rejects.toThrow(/1 of 4 pairs got no reply from 127\.0\.0\.1/);
    const r = await judgeMagqa(opts(s, files, join(dir, 'run'), { batch: true, batchPollMs: 5, allowMissingJudgements: true }));
    expect(r.counts.missing_replies).toBe(1);
    expect(r.failures[0]!.reason).toMatch(/not in the output of batch/);
    expect(r.metrics.in_span_score).toBeCloseTo((2.75 + 1 + 1) / 3, 12);
  });

  it('kill and resume: no answered pair is asked twice and the result equals an uninterrupted run', async () => {
    const { gold, predictions } = syntheticMagqa(6);
    const dir = tmp();
    const files = writeMagqaFiles(dir, gold, predictions);
    let killAt: (() => void) | null = null;
    const s = await server({
      handler: (r) => (r.n === 6 ? (killAt?.(), { hang: true }) : { content: String(1 + (r.pred.length % 5)) }),
    });
    const run = join(dir, 'run');
    const child = spawnChild(childScript(files, run, s.baseUrl, 'concurrency: 1'));
    await new Promise<void>((res, rej) => {
      killAt = () => {
        child.proc.kill('SIGKILL');
        res();
      };
      void child.exited.then((code) => rej(new Error(`child exited early (${code}): ${child.stderr()}`)));
    });
    await child.exited;
    const answered = readFileSync(join(run, CACHE_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(answered).toHaveLength(5); // requests 1..5 answered and flushed; 6 was in flight
    expect(existsSync(join(run, RESULT_FILE))).toBe(false);
    const before = s.requests.length;
    const resumed = await judgeMagqa({ ...files, judge: 'gpt-4o', baseUrl: s.baseUrl, apiKey: 'x', outDir: run, concurrency: 4 });
    const askedAgain = s.requests.slice(before);
    const answeredPairs = new Set(answered.map((a) => `${a.gold}|${a.pred}`));
    expect(askedAgain.filter((q) => answeredPairs.has(`${q.gold}|${q.pred}`))).toEqual([]);
    expect(askedAgain.length).toBe(resumed.counts.judged_pairs - 5);
    expect(resumed.counts.cache_hits).toBe(5);
    const fresh = await judgeMagqa({ ...files, judge: 'gpt-4o', baseUrl: s.baseUrl, apiKey: 'x', outDir: join(dir, 'fresh') });
    expect(resumed.metrics).toEqual(fresh.metrics);
    expect(resumed.per_example).toEqual(fresh.per_example);
    expect(statSync(join(run, RESULT_FILE)).size).toBeGreaterThan(0);
  });
});

/** A judge run in a child process (through tsx), so that a test can kill it mid-run. */
function childScript(files: { goldPath: string; predictionsPath: string }, outDir: string, baseUrl: string, extra: string): string {
  const service = join(repo, 'src', 'judge', 'service.ts');
  return `import { judgeMagqa } from ${JSON.stringify(service)};
await judgeMagqa({ goldPath: ${JSON.stringify(files.goldPath)}, predictionsPath: ${JSON.stringify(files.predictionsPath)},
  judge: 'gpt-4o', baseUrl: ${JSON.stringify(baseUrl)}, apiKey: 'x', outDir: ${JSON.stringify(outDir)}, conventions: { numExamples: 3 }, ${extra} });`;
}

function spawnChild(script: string) {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  return { proc, exited, stderr: () => stderr };
}

describe('judge failure paths (review fixes)', () => {
  it('HTTP 401 with more pairs than the concurrency stops the run instead of hanging', async () => {
    const s = await server({ handler: () => ({ status: 401 }) });
    const dir = tmp();
    const run = judgeMagqa(opts(s, handExample(dir), join(dir, 'run'), { concurrency: 1 }));
    await expect(run).rejects.toThrow(/refused the credentials \(HTTP 401\)/);
    expect(s.requests.length).toBe(1);
  }, 4000);

  it('cached replies are re-parsed under the parse mode of the rerun (the cache key does not hold it)', async () => {
    const s = await server({ handler: (r) => (r.pred === 'frying' && r.gold === 'a man cuts onions' ? { content: '2 - slightly correct' } : handHandler(r)) });
    const dir = tmp();
    const files = handExample(dir);
    const lenient = await judgeMagqa(opts(s, files, join(dir, 'run'), { parse: 'first-char' }));
    expect(lenient.counts.unparsable).toBe(0);
    expect(lenient.metrics.in_span_score).toBeCloseTo((3.5 + 1 + 1) / 3, 12);
    const asked = s.requests.length;
    await expect(judgeMagqa(opts(s, files, join(dir, 'run')))).rejects.toThrow(/INVALID: 1 of 4 judged pairs got an unparsable reply \(25\.00 % > 1\.00 % allowed by --max-unparsable-rate\)/);
    const strict = await judgeMagqa(opts(s, files, join(dir, 'run'), { maxUnparsableRate: 0.25 }));
    expect(s.requests.length).toBe(asked); // served from the cache
    expect(strict.counts.unparsable).toBe(1);
    // A1/frying unparsable under strict -> 1: A1 = (5 + 1) / 2 = 3, A2 = 3.5 -> e1 = 3.25
    expect(strict.metrics.in_span_score).toBeCloseTo((3.25 + 1 + 1) / 3, 12);
  });

  it('an error body echoing the API key is redacted before it reaches the result file', async () => {
    const key = 'sk-ECHOED-SECRET-987654321';
    const echo = createServer((req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `bad request from ${req.headers.authorization}` } }));
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    try {
      const dir = tmp();
      const baseUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/v1`;
      const files = handExample(dir);
      const run = (more: Partial<JudgeMagqaOptions>) => judgeMagqa({ ...files, judge: 'gpt-4o', baseUrl, apiKey: key, outDir: join(dir, 'run'), conventions: { numExamples: 3 }, retry: { maxRetries: 0 }, ...more });
      const incomplete = await run({}).then(() => '', (e: Error) => e.message);
      expect(incomplete).toMatch(/^magqa judge: 4 of 4 pairs got no reply from 127\.0\.0\.1/);
      expect(incomplete.includes('ECHOED-SECRET')).toBe(false);
      const r = await run({ allowMissingJudgements: true });
      expect(r.counts.missing_replies).toBe(4);
      expect(r.failures[0]!.reason).toMatch(/bad request from Bearer \[REDACTED\]/);
      for (const f of readdirSync(join(dir, 'run'))) expect(readFileSync(join(dir, 'run', f), 'utf8').includes('ECHOED-SECRET'), f).toBe(false);
    } finally {
      echo.closeAllConnections();
      await new Promise<void>((r) => echo.close(() => r()));
    }
  });
});
