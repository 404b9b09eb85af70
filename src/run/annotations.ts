/**
 * MMDuetIT test files (benchmarks.md §0): a JSON list of examples with `question_id`, `video` and a
 * `conversation` whose user turns (with `time`) are fed to the model. Only what inference needs is
 * read; unknown fields are ignored.
 */
import { InputError } from '../errors.js';
import { Shape, jsonPath, readJson, sha256File } from '../io/files.js';

export interface AnnotationItem {
  /** Position in the file (0-based): the order of predictions and the key of `--shard`. */
  index: number;
  questionId: string;
  video: string;
  userTurns: { time: number; content: string }[];
}

export interface AnnotationFile {
  path: string;
  sha256: string;
  items: AnnotationItem[];
}

export function readAnnotations(path: string): AnnotationFile {
  const shape = new Shape(path);
  const list = shape.array(readJson(path), '$');
  const items: AnnotationItem[] = [];
  const seen = new Map<string, number>();
  list.forEach((raw, index) => {
    const base = `$[${index}]`;
    const obj = shape.object(raw, base);
    const questionId = shape.id(obj.question_id, jsonPath(base, 'question_id'));
    const video = shape.string(obj.video, jsonPath(base, 'video'));
    const conversation = shape.array(obj.conversation, jsonPath(base, 'conversation'));
    const userTurns: AnnotationItem['userTurns'] = [];
    conversation.forEach((turn, t) => {
      const tp = `${jsonPath(base, 'conversation')}[${t}]`;
      const o = shape.object(turn, tp);
      if (o.role !== 'user') return;
      userTurns.push({ time: shape.numeric(o.time, jsonPath(tp, 'time')), content: shape.string(o.content, jsonPath(tp, 'content')) });
    });
    const previous = seen.get(questionId);
    if (previous !== undefined) {
      throw InputError.at(path, jsonPath(base, 'question_id'), 'a question_id not used before (predictions are keyed by it)', `${JSON.stringify(questionId)}, already at $[${previous}]`);
    }
    seen.set(questionId, index);
    items.push({ index, questionId, video, userTurns });
  });
  return { path, sha256: sha256File(path), items };
}

export interface ShardSpec {
  /** 1-based shard number. */
  index: number;
  count: number;
}

/** `i/n` with 1 ≤ i ≤ n. */
export function parseShard(text: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new InputError(`--shard: expected i/n with 1 ≤ i ≤ n (e.g. 2/3), found ${JSON.stringify(text)}`);
  return { index, count };
}

/**
 * The items a run covers: the first `limit` items of the file (before sharding, so every shard of a
 * limited run agrees on the set), then every item whose file index ≡ shard.index − 1 (mod shard.count).
 */
export function selectItems(items: AnnotationItem[], limit: number | undefined, shard: ShardSpec | undefined): AnnotationItem[] {
  const limited = limit === undefined ? items : items.slice(0, limit);
  if (!shard) return limited;
  return limited.filter((item) => item.index % shard.count === shard.index - 1);
}
