/** `mmduet sweep` / `mmduet plot` as plain services. */
import { dirname, join } from 'node:path';
import type { Conventions, Protocol } from '../benchmarks/conventions.js';
import { getBenchmark } from '../benchmarks/registry.js';
import { InputError } from '../errors.js';
import { PAPER_SWEEP_GRIDS } from '../paper/tables.js';
import { readSweep, writeSweep, type WrittenSweep } from './output.js';
import { plotSweep } from './plot.js';
import { rescoreSweep, runDirInputs } from './rescore.js';
import type { SweepFile, SweepParam } from './types.js';
import { parseSweepValues } from './values.js';
import { runEngineSweep, type EngineSweepOptions } from './engine-sweep.js';

export { parseSweepValues } from './values.js';
export { rescoreSweep, runDirInputs, RESCORE_PARAMS } from './rescore.js';
export { sweepResponses, triggerFrames, queryFrames, policyFor, fixedScorePaths, type ResponseEngine, type FrameScores, type SweepItem, type ItemScores, type ValuePath, type SweepCache } from './responses.js';
export { SweepStore, SWEEP_RUN_FILE, SCORES_FILE, RESPONSES_FILE } from './store.js';
export { runEngineSweep, type EngineSweepOptions, type SweepEngineApi } from './engine-sweep.js';
export { scoreResponseSweep, referenceSecondsPerExample } from './response-file.js';
export { sweepChartConfig, renderChartPng, plotSweep, PLOT_SPECS } from './plot.js';
export { writeSweep, readSweep, sweepCsv, formatSweepTable } from './output.js';
export type { SweepFile, SweepRow, SweepParam } from './types.js';

export const SWEEP_PARAMS: readonly SweepParam[] = ['w', 'threshold', 's', 't'];

/** Default grid per parameter (benchmarks.md §6; τ: the released Charades grid 0.0–0.9). */
export function defaultValues(param: SweepParam): number[] {
  if (param === 'threshold') return Array.from({ length: 10 }, (_, i) => i / 10);
  return [...PAPER_SWEEP_GRIDS[param]];
}

export interface SweepCommandOptions {
  benchmark: string;
  param: string;
  values?: string;
  runDir?: string;
  predictionsPath?: string;
  goldPath?: string;
  goldFormat?: string;
  outDir?: string;
  protocol?: Protocol;
  overrides?: Partial<Conventions>;
  params?: Record<string, string | number | boolean | undefined>;
  /** s and t sweeps: the inference inputs, as `mmduet infer` takes them (paths required there). */
  inference?: Omit<EngineSweepOptions, 'param' | 'values' | 'outDir' | 'goldPath' | 'goldFormat' | 'protocol' | 'overrides' | 'params' | 'benchmark' | 'modelDir' | 'dataPath' | 'videosDir'> & {
    modelDir?: string;
    dataPath?: string;
    videosDir?: string;
  };
  /** s and t sweeps: `--time-reference RUN_DIR`. */
  timeReference?: string;
}

export async function runSweepCommand(opts: SweepCommandOptions): Promise<{ sweep: SweepFile; written: WrittenSweep }> {
  if (!(SWEEP_PARAMS as readonly string[]).includes(opts.param)) throw new InputError(`--param: expected one of ${SWEEP_PARAMS.join(', ')}, found ${opts.param}`);
  const param = opts.param as SweepParam;
  const benchmark = getBenchmark(opts.benchmark).name;
  if (param === 's' || param === 't') return runResponseSweepCommand(opts, param);
  let predictionsPath = opts.predictionsPath;
  let goldPath = opts.goldPath;
  if (opts.runDir) {
    if (predictionsPath) throw new InputError('--predictions: expected either --run or --predictions, found both');
    const run = runDirInputs(opts.runDir);
    if (getBenchmark(run.benchmark).name !== benchmark) throw new InputError(`--run: expected a ${benchmark} run, found a ${run.benchmark} run in ${opts.runDir}`);
    predictionsPath = run.predictionsPath;
    goldPath ??= run.dataPath ?? undefined;
  }
  if (!predictionsPath) throw new InputError('--run or --predictions: expected a finished run directory or a prediction file, found neither');
  if (!goldPath) throw new InputError('--gold: expected the gold file (the run records no annotation file)');
  const values = opts.values !== undefined ? parseSweepValues(opts.values) : defaultValues(param);
  const sweep = await rescoreSweep({ benchmark, param, values, goldPath, goldFormat: opts.goldFormat, predictionsPath, protocol: opts.protocol, overrides: opts.overrides, params: opts.params });
  const outDir = opts.outDir ?? join(opts.runDir ?? dirname(predictionsPath), 'sweeps', param);
  return { sweep, written: await writeSweep(outDir, sweep) };
}

/** s / t: the shared-pass sweep on the engine (or one eval per value with --keep-responses). */
async function runResponseSweepCommand(opts: SweepCommandOptions, param: 's' | 't'): Promise<{ sweep: SweepFile; written: WrittenSweep }> {
  const inf = opts.inference ?? {};
  if (opts.runDir || opts.predictionsPath) throw new InputError(`--param ${param}: expected --model, --data and --videos (the sweep runs the model), found --run/--predictions (those serve the w and threshold sweeps)`);
  const need = (flag: string, v: string | undefined): string => {
    if (!v) throw new InputError(`--${flag}: expected a path (an ${param} sweep runs the model, as mmduet infer), found none`);
    return v;
  };
  const values = opts.values !== undefined ? parseSweepValues(opts.values) : defaultValues(param);
  const outDir = need('out', opts.outDir);
  const { sweep } = await runEngineSweep({
    ...inf,
    benchmark: opts.benchmark,
    param,
    values,
    modelDir: need('model', inf.modelDir),
    dataPath: need('data', inf.dataPath),
    videosDir: need('videos', inf.videosDir),
    outDir,
    goldPath: opts.goldPath,
    goldFormat: opts.goldFormat,
    protocol: opts.protocol,
    overrides: opts.overrides,
    params: opts.params,
    timeReference: opts.timeReference,
  });
  return { sweep, written: await writeSweep(outDir, sweep) };
}

/** `mmduet plot sweep.json [--out DIR]`: re-renders the PNGs of a sweep file. */
export async function replot(sweepJson: string, outDir?: string): Promise<string[]> {
  return plotSweep(readSweep(sweepJson), outDir ?? dirname(sweepJson));
}
