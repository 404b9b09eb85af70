/**
 * Paragraph-level captioning metrics (metrics.md §2.10; TimeChat's `evaluate_para`, an extra output
 * not in the paper). Predicted paragraph = the video's captions joined with ". "; gold paragraph =
 * its captions joined with a space; both reduced to lower-case [a-zA-Z] words. Corpus CIDEr-D and
 * METEOR over the pairs.
 *
 * Quirk reproduced: TimeChat collects predicted paragraphs only for videos that have a prediction
 * entry but gold paragraphs for every gold video, then pairs them by position (`zip`), so once a gold
 * video lacks predictions every later pair compares different videos. The number of such misaligned
 * pairs is returned.
 */
import type { CaptionItem, CaptionScorer } from './caption-types.js';

export interface ParagraphVideo {
  id: string;
  /** Gold captions as the evaluator holds them (TimeChat: each already ends in "."). */
  goldCaptions: readonly string[];
  /** null: no prediction entry (the video contributes no predicted paragraph). */
  predCaptions: readonly string[] | null;
}

/** TimeChat's `parse_sent`: non-letters become spaces, lower-cased, split on whitespace. */
export function paragraphWords(text: string): string {
  return text
    .replace(/[^a-zA-Z]/g, ' ')
    .toLowerCase()
    .split(' ')
    .filter((w) => w !== '')
    .join(' ');
}

/** The scoring items, paired by position as TimeChat does; `misaligned` counts pairs of different videos. */
export function paragraphItems(videos: readonly ParagraphVideo[]): { items: CaptionItem[]; misaligned: number } {
  const predicted = videos.filter((v) => v.predCaptions !== null);
  const items: CaptionItem[] = [];
  let misaligned = 0;
  predicted.forEach((pv, i) => {
    const gv = videos[i]!;
    if (gv.id !== pv.id) misaligned++;
    items.push({
      id: String(i),
      candidate: paragraphWords(pv.predCaptions!.join('. ')),
      references: [paragraphWords(gv.goldCaptions.join(' '))],
    });
  });
  return { items, misaligned };
}

export interface ParagraphResult {
  /** Fractions; null when the scorer is unavailable or there is no predicted paragraph. */
  cider: number | null;
  meteor: number | null;
  pairs: number;
  misaligned: number;
}

export async function paragraphScores(videos: readonly ParagraphVideo[], scorers: { cider?: CaptionScorer | null; meteor?: CaptionScorer | null }): Promise<ParagraphResult> {
  const { items, misaligned } = paragraphItems(videos);
  const run = async (s: CaptionScorer | null | undefined) => {
    if (!s || items.length === 0) return null;
    const c = (await s.score(items)).corpus;
    return Number.isFinite(c) ? c : 0;
  };
  return { cider: await run(scorers.cider), meteor: await run(scorers.meteor), pairs: items.length, misaligned };
}
