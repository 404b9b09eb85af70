/**
 * The two judge prompts of judge.md §3, verbatim, and the message lists they produce.
 */
import { sha256Text } from '../io/files.js';

export type JudgeName = 'gpt-4o' | 'llama-3.1-70b' | 'lexical';
export const JUDGE_NAMES: JudgeName[] = ['gpt-4o', 'llama-3.1-70b', 'lexical'];

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

const RUBRIC =
  'You are an evaluator for a video question answering system. Your task is to rate the correctness of the predicted answers against the ground truth answers. Use the following scale to assign a score:\n' +
  '- 5: Perfect match; the predicted answer is completely correct and contains all the relevant information.\n' +
  '- 4: Mostly correct; the predicted answer is largely accurate but may have minor omissions or slight inaccuracies.\n' +
  '- 3: Partially correct; the predicted answer has some correct information, but also contains significant inaccuracies or missing key points.\n' +
  '- 2: Slightly correct; the predicted answer has only a few correct elements, but most of the information is incorrect or irrelevant, or the predicted answer conflicts with the ground truth answer.\n' +
  '- 1: Incorrect; the predicted answer is entirely wrong or does not address the question at all.';

export const GPT4O_SYSTEM = `${RUBRIC}\nOnly reply with a number from 1 to 5, and nothing else.`;
export const LLAMA_SYSTEM = `${RUBRIC}\n\nHere are some examples to guide you:`;

export function userMessage(question: string, gold: string, pred: string): string {
  return `Question: ${question}\nGround Truth Answer: ${gold}\nPredicted Answer: ${pred}`;
}

const FEW_SHOT: [string, string, string, string][] = [
  ['What is shown about the black car?', 'At night a black car is parked in the open space with its headlights on. The lights are very dazzling.', "The car's headlights are on and dazzling.", '4'],
  ['What is shown in the video?', 'In the video, a group of colorful paper birds on the wall move out from the upper right corner of the camera, and then a piece of blue folded paper appears in the camera.', 'The colorful paper birds are created by folding paper.', '2'],
  ['What is the man doing?', 'The video shows a person wearing a helmet flipping several times in the air.', 'The person wearing a helmet in the background is sitting in a crouch facing the other person.', '3'],
  ['What is the current scene about?', 'This is a close-up of a Mercedes-Benz car on display in the showroom.', 'A Mercedes-Benz car is being displayed in the showroom.', '5'],
  ['What was the unexpected sight in the room with the formally dressed snakes?', 'The sight of the snake on the stage talking into a microphone, with many others holding cameras with their tongues out.', 'A large snake lying on its back in a room with wooden walls and furniture, surrounded by other snakes.', '3'],
  ['What had changed between the beginning and the end of the scene with the man in a black suit and a tie?', 'The scene changed from the man talking in the chair to the man sitting on the sofa with a woman and a pizza box, and then to the man fixing his tie and turning to look at the woman.', 'The man in a black suit and tie is eating pizza.', '1'],
];

/** Everything before the query: system message plus, for Llama, the six examples. */
export function promptPrefix(judge: JudgeName): ChatMessage[] {
  if (judge === 'llama-3.1-70b') {
    return [
      { role: 'system', content: LLAMA_SYSTEM },
      ...FEW_SHOT.flatMap(([q, g, p, a]): ChatMessage[] => [
        { role: 'user', content: userMessage(q, g, p) },
        { role: 'assistant', content: a },
      ]),
    ];
  }
  return [{ role: 'system', content: GPT4O_SYSTEM }];
}

export function judgeMessages(judge: JudgeName, question: string, gold: string, pred: string): ChatMessage[] {
  return [...promptPrefix(judge), { role: 'user', content: userMessage(question, gold, pred) }];
}

/** sha256 of the prompt template (system text plus few-shot messages), part of every cache key. */
export function promptHash(judge: JudgeName): string {
  return sha256Text(JSON.stringify(promptPrefix(judge)));
}
