/**
 * Inference engine: load an ONNX model directory (model-contract.md) and run the MMDuet duet loop
 * (protocol.md §4–§8, chunked scoring §11).
 *
 *   const model = await loadModel({ modelDir, device: 'auto' });
 *   const emb = await model.encodeFrames(pixels, n);            // [n,49,H]
 *   const { record, stats } = await runDuet(model, { questionId, frameEmbeddings: emb, frameTimes, userTurns,
 *     policy: { kind: 'sum', s: 2 }, videoDuration });
 *
 * Score once, generate at chosen frames (s/t sweeps, rm. prev. resp. on):
 *   const scored = await scoreVideo(model, { questionId, frameEmbeddings: emb, frameTimes, userTurns, policies });
 *   const texts = await generateAt(scored, scored.paths[0].triggers.map((t) => t.key));
 *   scored.release();
 */
export type * from './types.js';
export { loadModel, checkModelDir } from './model.js';
export { runDuet } from './duet.js';
export { scoreVideo, generateAt, responseKey, ScoredVideo, type ScoreVideoRequest, type PolicyPath, type TriggerPoint, type GeneratedResponse } from './score-video.js';
export { PolicyState, policyTriggers, policyParameter } from './policy.js';
export { SYSTEM_PROMPT } from './template.js';
