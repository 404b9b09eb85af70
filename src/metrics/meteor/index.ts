/**
 * METEOR 1.5 as the caption references run it (`-l en -norm`, stdio protocol): natively in TypeScript
 * (modules exact + stem + synonym, spec meteor.md), or through the original jar.
 */
import { existsSync } from 'node:fs';
import { InputError } from '../../errors.js';
import type { CaptionItem, CaptionScorer, CorpusScore } from '../caption-types.js';
import { checkJavaMeteor, JavaMeteorProcess } from './java.js';
import { NativeMeteor } from './native.js';
import { METEOR_PARAMETERS, MODULE_WEIGHTS } from './stats.js';
import { SynonymSets } from './synonyms.js';
import { wordNetTables } from './wordnet.js';

export interface MeteorOptions {
  /** 'native' (TypeScript port) or 'java' (the original jar in -stdio mode). */
  implementation?: 'native' | 'java';
  jar?: string;
  paraphraseTable?: string;
  wordnetDir?: string;
}

/** A METEOR caption scorer that also says which matching modules ran. */
export interface MeteorScorer extends CaptionScorer {
  readonly modules: readonly string[];
}

/** Printed name of native METEOR: without paraphrase it is not the full METEOR of the papers. */
export const NATIVE_METEOR_NAME = 'METEOR(exact+stem+synonym)';

function paraphraseTablePath(opts: MeteorOptions): string | undefined {
  return opts.paraphraseTable ?? (process.env.MMDUET_METEOR_PARAPHRASE || undefined);
}

/** One native scorer per WordNet per process: callers may ask for a scorer per video. */
const nativeScorers = new Map<string, MeteorScorer>();

function createNativeScorer(opts: MeteorOptions): MeteorScorer {
  const paraphrase = paraphraseTablePath(opts);
  if (paraphrase !== undefined) {
    if (!existsSync(paraphrase)) throw InputError.at(paraphrase, undefined, "METEOR's paraphrase table (paraphrase-en.gz; option paraphraseTable / MMDUET_METEOR_PARAPHRASE)", 'no such file');
    throw new InputError(
      `${paraphrase}: the native METEOR has no paraphrase module yet; use the jar (implementation 'java') for all four modules, or unset MMDUET_METEOR_PARAPHRASE to score with exact+stem+synonym`,
    );
  }
  const key = opts.wordnetDir ?? process.env.MMDUET_WORDNET_DIR ?? '';
  let scorer = nativeScorers.get(key);
  if (!scorer) {
    scorer = nativeScorer(opts.wordnetDir);
    nativeScorers.set(key, scorer);
  }
  return scorer;
}

function nativeScorer(wordnetDir: string | undefined): MeteorScorer {
  const tables = wordNetTables(wordnetDir);
  const meteor = new NativeMeteor({ stem: true, synonyms: new SynonymSets(tables) });
  const { alpha, beta, gamma, delta } = METEOR_PARAMETERS;
  const wordnet = [tables.source.label, ...tables.source.caveats].join('; ');
  return {
    name: NATIVE_METEOR_NAME,
    modules: ['exact', 'stem', 'synonym'],
    description:
      `METEOR 1.5 native TypeScript port (-l en -norm), modules exact+stem+synonym (no paraphrase table), ` +
      `alpha ${alpha} beta ${beta} gamma ${gamma} delta ${delta}, weights exact ${MODULE_WEIGHTS[0].toFixed(1)} stem ${MODULE_WEIGHTS[1]} synonym ${MODULE_WEIGHTS[2]}; ` +
      `Snowball English stemmer; synonyms from ${wordnet}; corpus = score of the summed statistics`,
    async score(items: CaptionItem[]): Promise<CorpusScore> {
      const result = meteor.scoreCorpus(items);
      return { corpus: result.aggregate, perItem: result.segments.map((s) => s.score) };
    },
  };
}

function createJavaScorer(opts: MeteorOptions): MeteorScorer {
  if (!opts.jar) throw new InputError("METEOR implementation 'java' needs the path of meteor-1.5.jar (option jar)");
  if (paraphraseTablePath(opts) !== undefined) {
    throw new InputError("METEOR implementation 'java' reads the paraphrase table from the jar's own data/ directory; do not also give paraphraseTable / MMDUET_METEOR_PARAPHRASE");
  }
  checkJavaMeteor({ jar: opts.jar });
  let jarProcess: JavaMeteorProcess | undefined;
  return {
    name: 'METEOR',
    modules: ['exact', 'stem', 'synonym', 'paraphrase'],
    description: `METEOR 1.5 jar ${opts.jar} (java -Xmx2G -jar - - -stdio -l en -norm; the jar's default English modules); corpus = the jar's EVAL aggregate`,
    async score(items: CaptionItem[]): Promise<CorpusScore> {
      jarProcess ??= new JavaMeteorProcess({ jar: opts.jar! });
      return jarProcess.score(items);
    },
    async close(): Promise<void> {
      await jarProcess?.close();
      jarProcess = undefined;
    },
  };
}

/**
 * Returns a METEOR scorer, or null with the reason when METEOR is unavailable. Callers report
 * METEOR as unavailable (null plus a note), never as 0. Bad options (missing jar, java, WordNet or
 * paraphrase file) throw an InputError. With no items, `score` returns corpus NaN (the references raise).
 */
export async function createMeteorScorer(opts: MeteorOptions = {}): Promise<{ scorer: MeteorScorer | null; reason?: string }> {
  const implementation = opts.implementation ?? 'native';
  if (implementation === 'java') return { scorer: createJavaScorer(opts) };
  if (implementation !== 'native') throw InputError.at('METEOR options', 'implementation', "'native' or 'java'", String(implementation));
  return { scorer: createNativeScorer(opts) };
}
