/**
 * The MMDuet paper's own numbers (Tables 2–5, percent scale as printed; null = "–"), transcribed
 * from benchmarks.md §5 so the toolkit can draw them as reference lines without reading the spec
 * at run time. Column keys are the toolkit's metric names where one exists, so a sweep's metric
 * can be matched to the paper's rows directly.
 */

export type PaperValue = number | null;

export interface PaperTable<Row extends string = string> {
  id: string;
  title: string;
  /** Toolkit metric name per column, in the paper's column order. */
  columns: readonly string[];
  /** Column labels as printed in the paper. */
  columnLabels: readonly string[];
  rows: Record<Row, readonly PaperValue[]>;
  /** The row that is MMDuet itself (not a baseline). */
  selfRows: readonly Row[];
  /** Inference settings the paper states for its MMDuet row. */
  settings: Record<string, number>;
  notes: readonly string[];
}

/** Table 2: zero-shot highlight detection (QVHighlights) and temporal grounding (Charades-STA). */
export const TABLE2: PaperTable<'TimeChat' | 'VTimeLLM' | 'HawkEye' | 'VTG-LLM' | 'LLaVA-OV-TC' | 'LLaVA-OV-VT' | 'MMDuet'> = {
  id: 'table2',
  title: 'Table 2: zero-shot highlight detection and temporal grounding',
  columns: ['qvhighlights:HL-min-VeryGood-mAP', 'qvhighlights:HL-min-VeryGood-Hit1', 'charades-sta:R1@0.5', 'charades-sta:R1@0.7'],
  columnLabels: ['QVHighlights mAP', 'QVHighlights HIT@1', 'Charades-STA R@0.5', 'Charades-STA R@0.7'],
  rows: {
    TimeChat: [14.5, 23.9, 32.2, 13.4],
    VTimeLLM: [null, null, 31.2, 11.4],
    HawkEye: [null, null, 31.4, 14.5],
    'VTG-LLM': [16.5, 33.5, 33.8, 15.7],
    'LLaVA-OV-TC': [17.6, 32.9, 33.1, 12.4],
    'LLaVA-OV-VT': [19.0, 40.0, 36.5, 12.3],
    MMDuet: [31.3, 49.6, 42.4, 18.0],
  },
  selfRows: ['MMDuet'],
  settings: { qvhighlights_w: 2, charades_w: 6 },
  notes: [
    'the paper does not name the QVHighlights label threshold; the toolkit headlines VeryGood',
    'the paper does not state the Charades-STA frame threshold τ',
  ],
};

/** Table 3: zero-shot dense video captioning on YouCook2. */
export const TABLE3: PaperTable<'TimeChat' | 'VTG-LLM' | 'LLaVA-OV-TC' | 'LLaVA-OV-VT' | 'MMDuet' | 'MMDuet + rm. prev. resp.'> = {
  id: 'table3',
  title: 'Table 3: zero-shot dense video captioning, YouCook2',
  columns: ['youcook2:SODA_c', 'youcook2:CIDEr', 'youcook2:F1'],
  columnLabels: ['SODA_c', 'CIDEr', 'F1'],
  rows: {
    TimeChat: [1.2, 3.4, 12.6],
    'VTG-LLM': [1.5, 5.0, 17.5],
    'LLaVA-OV-TC': [1.9, 3.3, 21.8],
    'LLaVA-OV-VT': [2.5, 6.7, 14.0],
    MMDuet: [2.4, 5.7, 19.2],
    'MMDuet + rm. prev. resp.': [2.9, 8.8, 21.7],
  },
  selfRows: ['MMDuet', 'MMDuet + rm. prev. resp.'],
  settings: { s: 2 },
  notes: ['"MMDuet" keeps responses in context; "+ rm. prev. resp." removes them (the setting of the s sweep)'],
};

export type Table4Row = 'LLaVA-OV-TC' | 'LLaVA-OV-VT' | 'MMDuet t=0.6' | 'MMDuet t=0.5' | 'MMDuet t=0.4' | 'MMDuet t=0.3';

/** Table 4: Shot2Story-MAGQA (rm. prev. resp. on). In-span scores are on the judge's 1–5 scale, not percent. */
export const TABLE4: PaperTable<Table4Row> & { realTime: Record<Table4Row, boolean>; thresholds: Partial<Record<Table4Row, number>> } = {
  id: 'table4',
  title: 'Table 4: Shot2Story-MAGQA',
  columns: ['magqa:in_span_score', 'magqa:in_span_score_llama', 'magqa:turns', 'magqa:turns_dedup', 'magqa:time_per_example_relative'],
  columnLabels: ['in-span score (a, presumably GPT-4o)', 'in-span score (b, presumably Llama 3.1 70B)', '# turns', '# turns (dedup)', 'time per example (LLaVA-OV-VT = 1)'],
  rows: {
    'LLaVA-OV-TC': [2.92, 2.79, 3.4, 1.9, 0.76],
    'LLaVA-OV-VT': [2.94, 2.78, 5.4, 2.2, 1.0],
    'MMDuet t=0.6': [2.46, 2.33, 13.7, 4.0, 1.8],
    'MMDuet t=0.5': [2.77, 2.61, 18.4, 5.3, 2.23],
    'MMDuet t=0.4': [3.0, 2.81, 23.0, 6.6, 2.59],
    'MMDuet t=0.3': [3.13, 2.93, 27.0, 7.6, 2.73],
  },
  realTime: { 'LLaVA-OV-TC': false, 'LLaVA-OV-VT': false, 'MMDuet t=0.6': true, 'MMDuet t=0.5': true, 'MMDuet t=0.4': true, 'MMDuet t=0.3': true },
  thresholds: { 'MMDuet t=0.6': 0.6, 'MMDuet t=0.5': 0.5, 'MMDuet t=0.4': 0.4, 'MMDuet t=0.3': 0.3 },
  selfRows: ['MMDuet t=0.6', 'MMDuet t=0.5', 'MMDuet t=0.4', 'MMDuet t=0.3'],
  settings: { t: 0.5 },
  notes: [
    'the two in-span columns are unlabelled; the text names GPT-4o-2024-08-06 and Llama 3.1 70B Instruct, so (a) is presumably GPT-4o',
    'time per example is relative to LLaVA-OV-VT = 1; the paper does not define what the timer covers',
  ],
};

/** Table 5: training ablations on YouCook2 (only the first row is reproducible from the released checkpoint). */
export const TABLE5: PaperTable<'MMDuet' | 'w/o rand. resp. pos.' | 'w/o multi informative'> = {
  id: 'table5',
  title: 'Table 5: training ablations, YouCook2',
  columns: ['youcook2:SODA_c', 'youcook2:CIDEr', 'youcook2:F1'],
  columnLabels: ['SODA_c', 'CIDEr', 'F1'],
  rows: {
    MMDuet: [2.9, 8.8, 21.7],
    'w/o rand. resp. pos.': [2.1, 7.3, 19.0],
    'w/o multi informative': [2.9, 8.0, 16.5],
  },
  selfRows: ['MMDuet'],
  settings: {},
  notes: [],
};

export const PAPER_TABLES = [TABLE2, TABLE3, TABLE4, TABLE5] as const;

/** Default sweep grids (benchmarks.md §6); the s grid is a toolkit choice. */
export const PAPER_SWEEP_GRIDS = {
  w: Array.from({ length: 15 }, (_, i) => i),
  s: [1.0, 1.5, 2.0, 2.5, 3.0],
  t: [0.3, 0.4, 0.5, 0.6],
} as const;

export interface ReferenceLine {
  /** Row name in the paper, e.g. "LLaVA-OV-VT". */
  model: string;
  table: string;
  /** Toolkit metric key "benchmark:metric". */
  column: string;
  columnLabel: string;
  value: number;
  /** True for MMDuet's own row (drawn differently from the baselines). */
  self: boolean;
  /** The inference setting the row was measured at, when the paper gives one per row (Table 4: t). */
  at?: { param: 't'; value: number };
}

/**
 * The paper's numbers for one benchmark metric, from Tables 2–4 (Table 5 is an ablation, not a
 * reference). Rows with "–" are left out. `benchmark` accepts the toolkit's canonical names.
 */
export function paperReferences(benchmark: string, metric: string): ReferenceLine[] {
  const key = `${benchmark}:${metric}`;
  const out: ReferenceLine[] = [];
  for (const table of [TABLE2, TABLE3, TABLE4] as PaperTable[]) {
    const col = table.columns.indexOf(key);
    if (col < 0) continue;
    for (const [model, values] of Object.entries(table.rows)) {
      const value = values[col];
      if (value === null || value === undefined) continue;
      const line: ReferenceLine = { model, table: table.id, column: key, columnLabel: table.columnLabels[col]!, value, self: table.selfRows.includes(model) };
      const t = table === TABLE4 ? TABLE4.thresholds[model as Table4Row] : undefined;
      if (t !== undefined) line.at = { param: 't', value: t };
      out.push(line);
    }
  }
  return out;
}
