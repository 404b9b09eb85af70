export { judgeMagqa, judgePairs, RESULT_FILE, CACHE_FILE, BATCH_STATE_FILE, magqaNotes, magqaConventions } from './service.js';
export { failurePolicy, failureVerdict, JudgeIncompleteError, UNPARSABLE_SCORES, type FailurePolicy, type UnparsableScore } from './outcome.js';
export type { JudgeMagqaOptions, JudgeMagqaResult } from './service.js';
export { loadJudgments } from './judgments.js';
export { resolveJudge, DEFAULT_MODELS } from './config.js';
export { JUDGE_NAMES, type JudgeName } from './prompts.js';
export { PARSE_MODES, parseJudgeReply, type ParseMode } from './parse.js';
