/**
 * METEOR 1.5 as the caption references run it (`-l en -norm`, stdio protocol): natively in TypeScript
 * (modules exact + stem + synonym, spec meteor.md, plus paraphrase when the user gives METEOR's
 * paraphrase table), or through the original jar.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../../errors.js';
import type { CaptionItem, CaptionScorer, CorpusScore } from '../caption-types.js';
import { checkJavaMeteor, JavaMeteorProcess } from './java.js';
import { NativeMeteor } from './native.js';
import { loadParaphraseTable, type ParaphraseTable } from './paraphrase.js';
import { METEOR_PARAMETERS } from './stats.js';
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
/** Printed name with all four English modules: the METEOR of the papers. */
export const FULL_METEOR_NAME = 'METEOR';

function paraphraseTablePath(opts: MeteorOptions): string | undefined {
  return opts.paraphraseTable ?? (process.env.MMDUET_METEOR_PARAPHRASE || undefined);
}

/** One native scorer per WordNet and paraphrase table per process: callers may ask for a scorer per video. */
const nativeScorers = new Map<string, Promise<MeteorScorer>>();

function createNativeScorer(opts: MeteorOptions): Promise<MeteorScorer> {
  const paraphrase = paraphraseTablePath(opts);
  if (paraphrase !== undefined && !existsSync(paraphrase)) {
    throw InputError.at(paraphrase, undefined, "METEOR's paraphrase table (paraphrase-en.gz; option paraphraseTable / MMDUET_METEOR_PARAPHRASE)", 'no such file');
  }
  const key = `${opts.wordnetDir ?? process.env.MMDUET_WORDNET_DIR ?? ''}\0${paraphrase === undefined ? '' : resolve(paraphrase)}`;
  let scorer = nativeScorers.get(key);
  if (!scorer) {
    scorer = nativeScorer(opts.wordnetDir, paraphrase);
    nativeScorers.set(key, scorer);
    scorer.catch(() => nativeScorers.delete(key));
  }
  return scorer;
}

const formatWeight = (w: number): string => (Number.isInteger(w) ? w.toFixed(1) : String(w));

async function nativeScorer(wordnetDir: string | undefined, paraphraseFile: string | undefined): Promise<MeteorScorer> {
  const tables = wordNetTables(wordnetDir);
  const paraphrase: ParaphraseTable | undefined = paraphraseFile === undefined ? undefined : await loadParaphraseTable(paraphraseFile);
  const meteor = new NativeMeteor({ stem: true, synonyms: new SynonymSets(tables), paraphrase });
  const { alpha, beta, gamma, delta } = METEOR_PARAMETERS;
  const wordnet = [tables.source.label, ...tables.source.caveats].join('; ');
  const modules = paraphrase ? ['exact', 'stem', 'synonym', 'paraphrase'] : ['exact', 'stem', 'synonym'];
  const weights = modules.map((m, k) => `${m} ${formatWeight(meteor.weights[k]!)}`).join(' ');
  const source = paraphrase?.source;
  const paraphraseNote = source
    ? `paraphrase table ${source.file} (sha256 ${source.sha256}, ${source.entries} entries)`
    : 'paraphrase did not run (no paraphrase table given: option paraphraseTable / MMDUET_METEOR_PARAPHRASE / --meteor-paraphrase)';
  return {
    name: paraphrase ? FULL_METEOR_NAME : NATIVE_METEOR_NAME,
    modules,
    description:
      `METEOR 1.5 native TypeScript port (-l en -norm), modules ${modules.join('+')}; ${paraphraseNote}; ` +
      `alpha ${alpha} beta ${beta} gamma ${gamma} delta ${delta}, weights ${weights}; ` +
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
  return { scorer: await createNativeScorer(opts) };
}
