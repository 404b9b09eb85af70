/**
 * Benchmark: PTB tokenization and BLEU/ROUGE-L/CIDEr-D scoring of ~10k captions. Uses the real
 * YouCook2 captions in ../shared/data/real when present (repeated to 10k), else synthetic ones.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ptbTokenize } from '../metrics/ptb-tokenizer.js';
import { bleu } from '../metrics/bleu.js';
import { rougeL } from '../metrics/rouge.js';
import { ciderD } from '../metrics/cider.js';
import type { CaptionItem } from '../metrics/caption-types.js';

const TARGET = 10_000;

function sourceCaptions(): { captions: string[]; source: string } {
  const shared = process.env.MMDUET_SHARED ?? resolve(process.cwd(), '..', 'shared');
  const file = join(shared, 'data', 'real', 'timechat_dvc_youcook2_example', 'densevid_gt.json');
  if (existsSync(file)) {
    const gold = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { sentences: string[] }>;
    return { captions: Object.values(gold).flatMap((v) => v.sentences), source: file };
  }
  const words = ['add', 'the', 'salt', 'pepper', 'to', 'pan', 'and', 'stir', "don't", 'mix', '(well)', 'for', '2 1/2', 'minutes.'];
  return { captions: Array.from({ length: 500 }, (_, i) => Array.from({ length: 6 + (i % 7) }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' ')), source: 'synthetic' };
}

export async function run(): Promise<Record<string, unknown>> {
  const { captions, source } = sourceCaptions();
  const texts = Array.from({ length: TARGET }, (_, i) => captions[i % captions.length]!);
  let t = performance.now();
  const tokenized = texts.map((s) => ptbTokenize(s));
  const tokenizeMs = performance.now() - t;
  // Items of one candidate and 4 references each, drawn from the tokenized pool.
  const items: CaptionItem[] = [];
  for (let i = 0; i + 5 <= tokenized.length; i += 5) items.push({ id: String(i), candidate: tokenized[i]!, references: tokenized.slice(i + 1, i + 5) });
  t = performance.now();
  bleu(items);
  const bleuMs = performance.now() - t;
  t = performance.now();
  rougeL(items);
  const rougeMs = performance.now() - t;
  t = performance.now();
  ciderD(items);
  const ciderMs = performance.now() - t;
  return {
    source,
    captions: TARGET,
    items: items.length,
    tokenize_ms: Math.round(tokenizeMs),
    tokenize_captions_per_s: Math.round(TARGET / (tokenizeMs / 1000)),
    bleu_ms: Math.round(bleuMs),
    rouge_ms: Math.round(rougeMs),
    cider_ms: Math.round(ciderMs),
  };
}
