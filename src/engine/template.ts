/**
 * Text pieces of the MMDuet chat template (protocol.md §4). Each piece is tokenized on its own, as the
 * reference does, because BPE across a piece boundary can differ.
 */

/** The system prompt, verbatim (protocol.md §4); a model's config.json `mmduet.system_prompt` takes precedence. */
export const SYSTEM_PROMPT =
  'A multimodal AI assistant is helping users with some activities. Below is their conversation, interleaved with the list of video frames received by the assistant.';

export type LastRole = 'none' | 'user' | 'stream' | 'assistant';

export const systemBlock = (system: string): string => `<|im_start|>system\n${system}<|im_end|>`;

/** A user query; the leading `<|im_end|>` closes an open stream turn (only when `last_role == stream`, quirk Q3). */
export const userQuery = (q: string, lastRole: LastRole): string =>
  `${lastRole === 'stream' ? '<|im_end|>' : ''}\n<|im_start|>user\n${q}<|im_end|>\n<|im_start|>stream\n`;

export const GENERATION_PROMPT = '<|im_end|>\n<|im_start|>assistant\n';

/** Re-opens the stream after a kept response (rm. prev. resp. off), after the pending token. */
export const STREAM_REOPEN = '\n<|im_start|>stream\n';
