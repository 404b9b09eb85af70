/**
 * Small MAGQA files in the real formats (MMDuetIT gold list, MMDuet streaming JSONL) for tests and the
 * judge benchmark. Deterministic: the same n gives the same files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GoldExampleJson {
  question_id: string;
  video?: string;
  conversation: { role: string; content: string; time: number }[];
  answer: { content: string; time: [number, number] }[];
}

export interface MMDuetLineJson {
  question_id: string;
  model_response_list: { role: 'user' | 'assistant'; time: number; content: string }[];
  video_duration: number;
}

export function goldExample(id: string, question: string, answers: [string, number, number][]): GoldExampleJson {
  return {
    question_id: id,
    video: `${id}.mp4`,
    conversation: [{ role: 'user', content: question, time: 0 }],
    answer: answers.map(([content, s, e]) => ({ content, time: [s, e] })),
  };
}

export function mmduetLine(id: string, question: string, turns: [string, number][], duration = 60): MMDuetLineJson {
  return {
    question_id: id,
    model_response_list: [{ role: 'user', time: 0, content: question }, ...turns.map(([content, time]) => ({ role: 'assistant' as const, time, content }))],
    video_duration: duration,
  };
}

const WORDS = ['man', 'woman', 'dog', 'car', 'kitchen', 'onion', 'knife', 'street', 'red', 'runs', 'cuts', 'talks', 'table', 'water', 'ball', 'green'];

/** n examples, 3 answers each in consecutive 5 s segments, 4 timed responses each (some repeated, some out of span). */
export function syntheticMagqa(n: number): { gold: GoldExampleJson[]; predictions: MMDuetLineJson[] } {
  const word = (i: number) => WORDS[i % WORDS.length]!;
  const gold: GoldExampleJson[] = [];
  const predictions: MMDuetLineJson[] = [];
  for (let i = 0; i < n; i++) {
    const id = `clip${i}.mp4`;
    const q = `What does the ${word(i)} do in clip ${i}?`;
    gold.push(goldExample(id, q, [0, 1, 2].map((k): [string, number, number] => [`The ${word(i + k)} ${word(i + k + 9)} near the ${word(i * 3 + k)}.`, 5 * k, 5 * k + 5])));
    predictions.push(
      mmduetLine(id, q, [
        [`A ${word(i + 1)} ${word(i + 10)}.`, 2],
        [`The ${word(i)} ${word(i + 9)} near the ${word(i * 3)}.`, 5],
        [`A ${word(i + 1)} ${word(i + 10)}.`, 7.5],
        [`Something else ${i % 4}.`, 40],
      ]),
    );
  }
  return { gold, predictions };
}

export function writeMagqaFiles(dir: string, gold: GoldExampleJson[], predictions: object[]): { goldPath: string; predictionsPath: string } {
  mkdirSync(dir, { recursive: true });
  const goldPath = join(dir, 'magqa_test.json');
  const predictionsPath = join(dir, 'predictions.jsonl');
  writeFileSync(goldPath, JSON.stringify(gold));
  writeFileSync(predictionsPath, predictions.map((p) => JSON.stringify(p)).join('\n') + '\n');
  return { goldPath, predictionsPath };
}
