/**
 * Judge throughput: judged pairs per second through the full `judgeMagqa` path (dedup, cache appends with
 * fsync, retries, p-limit) against the local fake OpenAI server, at concurrency 1, 8 and 32. The server
 * answers after a fixed latency, standing in for a remote API's round trip.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judgeMagqa } from '../judge/service.js';
import { startFakeOpenAI } from '../judge/fake-server.js';
import { syntheticMagqa, writeMagqaFiles } from '../judge/synthetic.js';

export async function run(): Promise<Record<string, unknown>> {
  const latencyMs = 20;
  const dir = mkdtempSync(join(tmpdir(), 'mmduet-bench-judge-'));
  const server = await startFakeOpenAI({ latencyMs });
  const figures: Record<string, unknown> = { server_latency_ms: latencyMs };
  try {
    const { gold, predictions } = syntheticMagqa(60);
    const files = writeMagqaFiles(dir, gold, predictions);
    for (const concurrency of [1, 8, 32]) {
      const t0 = performance.now();
      const r = await judgeMagqa({ ...files, judge: 'gpt-4o', baseUrl: server.baseUrl, apiKey: 'bench', concurrency, outDir: join(dir, `run-c${concurrency}`) });
      const seconds = (performance.now() - t0) / 1000;
      figures[`pairs_per_s_c${concurrency}`] = Number((r.counts.asked / seconds).toFixed(1));
      figures.pairs = r.counts.asked;
    }
    // Rerun served entirely from the cache: what a resumed or repeated scoring costs.
    const t0 = performance.now();
    const cached = await judgeMagqa({ ...files, judge: 'gpt-4o', baseUrl: server.baseUrl, apiKey: 'bench', outDir: join(dir, 'run-c32') });
    figures.cached_rerun_ms = Number((performance.now() - t0).toFixed(1));
    figures.cached_rerun_asked = cached.counts.asked;
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
