/**
 * MAGQA inputs: the MMDuetIT gold file `magqa_test.json` (benchmarks.md §0, §4) and the conversion of
 * MMDuet / baseline predictions into timed answer turns.
 */
import { InputError } from '../../errors.js';
import { readJson, Shape, jsonPath } from '../../io/files.js';
import { readPredictionJsonl, type BaselinePrediction, type PredictionFile } from '../predictions.js';
import { parseAtLine, parseTimedAnswers } from '../../baselines/formats.js';
import { UNTIMED, type GoldAnswer, type InSpanExample, type PredictedTurn } from '../../metrics/inspan.js';

export interface MagqaGoldExample {
  id: string;
  /** `conversation[0].content`: the question the judge sees. */
  question: string;
  answers: GoldAnswer[];
}

export function readMagqaGold(file: string): MagqaGoldExample[] {
  const shape = new Shape(file);
  const list = shape.array(readJson(file), '$');
  const seen = new Set<string>();
  return list.map((v, i) => {
    const path = jsonPath('$', i);
    const o = shape.object(v, path);
    const id = shape.id(o.question_id, `${path}.question_id`);
    if (seen.has(id)) throw InputError.at(file, `${path}.question_id`, 'unique question ids', `a second ${JSON.stringify(id)}`);
    seen.add(id);
    const conv = shape.array(o.conversation, `${path}.conversation`);
    if (conv.length === 0) shape.fail(`${path}.conversation`, 'at least one turn (the question)', conv);
    const question = shape.string(shape.object(conv[0], `${path}.conversation[0]`).content, `${path}.conversation[0].content`);
    const answers = shape.array(o.answer, `${path}.answer`).map((a, j) => {
      const ap = `${path}.answer[${j}]`;
      const ao = shape.object(a, ap);
      const [start, end] = shape.span(ao.time, `${ap}.time`);
      return { text: shape.string(ao.content, `${ap}.content`), start, end };
    });
    return { id, question, answers };
  });
}

/**
 * Baseline response -> turns (benchmarks.md §4; parser in src/baselines/formats.ts): every VTimeLLM match,
 * then every TimeChat match; if neither matched, one untimed turn (time −1) holding the whole response.
 */
export function baselineTurns(p: BaselinePrediction, file: string): PredictedTurn[] {
  return parseAtLine(file, p.line, () => parseTimedAnswers(p.response, p.videoDuration));
}

export interface MagqaInputs {
  kind: PredictionFile['kind'];
  /** Gold examples that have a prediction line, in gold order. */
  examples: InSpanExample[];
  goldExamples: number;
  /** Gold examples with no prediction line (covered by padding or dropped). */
  missingPredictions: number;
  /** Prediction lines whose question_id is not in the gold file (ignored). */
  unknownPredictions: number;
  /** Baseline answers that became one untimed turn. */
  untimedBaselineAnswers: number;
}

/** Joins predictions to gold by question id (compared as strings) and converts them to answer turns. */
export function loadMagqaInputs(goldPath: string, predictionsPath: string, force?: 'mmduet' | 'baseline'): MagqaInputs {
  const gold = readMagqaGold(goldPath);
  const preds = readPredictionJsonl(predictionsPath, force);
  const turnsById = new Map<string, PredictedTurn[]>();
  let untimed = 0;
  if (preds.kind === 'mmduet') {
    for (const it of preds.items) {
      turnsById.set(it.questionId, it.turns.filter((t) => t.role === 'assistant').map((t) => ({ text: t.content, time: t.time })));
    }
  } else {
    for (const it of preds.items) {
      const turns = baselineTurns(it, predictionsPath);
      if (turns.length === 1 && turns[0]!.time === UNTIMED) untimed++;
      turnsById.set(it.questionId, turns);
    }
  }
  const goldIds = new Set(gold.map((g) => g.id));
  const examples: InSpanExample[] = [];
  for (const g of gold) {
    const turns = turnsById.get(g.id);
    if (turns) examples.push({ id: g.id, question: g.question, turns, gold: g.answers });
  }
  return {
    kind: preds.kind,
    examples,
    goldExamples: gold.length,
    missingPredictions: gold.length - examples.length,
    unknownPredictions: [...turnsById.keys()].filter((id) => !goldIds.has(id)).length,
    untimedBaselineAnswers: untimed,
  };
}
