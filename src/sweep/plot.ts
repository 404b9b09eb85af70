/**
 * Sweep plots: metric versus parameter, one line per metric, the paper's numbers (Tables 2–4) as
 * labelled dashed horizontal lines. The chart configuration is a pure function of the sweep (so it
 * can be snapshot-tested); rendering is chart.js on @napi-rs/canvas, 1200x800 PNG.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { Chart, registerables, type ChartConfiguration, type Plugin } from 'chart.js';
import { writeFileAtomic } from '../io/files.js';
import { paperReferences } from '../paper/tables.js';
import { PARAM_AXIS, type SweepFile } from './types.js';

export const PLOT_WIDTH = 1200;
export const PLOT_HEIGHT = 800;

export interface PlotSpec {
  /** File stem, e.g. "hl-verygood". */
  name: string;
  title: string;
  metrics: string[];
  yLabel: string;
}

/** The charts drawn per benchmark (the paper's figure columns; different scales go to different charts). */
export const PLOT_SPECS: Record<string, PlotSpec[]> = {
  qvhighlights: [{ name: 'hl-verygood', title: 'QVHighlights highlight detection (VeryGood)', metrics: ['HL-min-VeryGood-mAP', 'HL-min-VeryGood-Hit1'], yLabel: 'score (%)' }],
  'charades-sta': [{ name: 'recall', title: 'Charades-STA temporal grounding', metrics: ['R1@0.3', 'R1@0.5', 'R1@0.7', 'mIoU'], yLabel: 'score (%)' }],
  youcook2: [{ name: 'dense-captioning', title: 'YouCook2 dense video captioning', metrics: ['SODA_c', 'CIDEr', 'F1'], yLabel: 'score (%)' }],
  magqa: [
    { name: 'in-span', title: 'Shot2Story-MAGQA in-span score', metrics: ['in_span_score'], yLabel: 'in-span score (judge scale 1–5)' },
    { name: 'turns', title: 'Shot2Story-MAGQA responses per example', metrics: ['turns', 'turns_dedup'], yLabel: 'turns per example' },
    { name: 'time', title: 'Shot2Story-MAGQA time per example', metrics: ['time_per_example_relative'], yLabel: 'time per example (relative to the reference run = 1)' },
  ],
};

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

interface XY {
  x: number;
  y: number | null;
}

/** The chart's datasets and axes: a sweep series per metric, then one two-point dashed line per paper row. */
export function sweepChartConfig(sweep: SweepFile, spec: PlotSpec): ChartConfiguration<'line', XY[]> {
  const xs = sweep.rows.map((r) => r.value);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const datasets: ChartConfiguration<'line', XY[]>['data']['datasets'] = [];
  spec.metrics.forEach((metric, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    datasets.push({
      label: `${metric} (this run)`,
      data: sweep.rows.map((r) => ({ x: r.value, y: r.metrics[metric] ?? null })),
      borderColor: color,
      backgroundColor: color,
      borderWidth: 3,
      pointRadius: 4,
      spanGaps: false,
    });
    for (const ref of paperReferences(sweep.benchmark, metric)) {
      if (ref.at && ref.at.param === sweep.param) {
        // A row measured at one setting of the swept parameter is a point there, not a line across.
        datasets.push({
          label: `${ref.model}: ${metric} = ${ref.value} (paper ${ref.table})`,
          data: [{ x: ref.at.value, y: ref.value }],
          borderColor: color,
          backgroundColor: color,
          pointStyle: 'crossRot',
          pointRadius: 9,
          borderWidth: 2,
          showLine: false,
        });
        continue;
      }
      datasets.push({
        label: `${ref.model}: ${metric} = ${ref.value} (paper ${ref.table})`,
        data: [
          { x: xMin, y: ref.value },
          { x: xMax, y: ref.value },
        ],
        borderColor: color,
        backgroundColor: color,
        borderWidth: ref.self ? 2 : 1,
        borderDash: ref.self ? [12, 4] : [5, 5],
        pointRadius: 0,
      });
    }
  });
  return {
    type: 'line',
    data: { datasets },
    options: {
      responsive: false,
      animation: false,
      devicePixelRatio: 1,
      parsing: false,
      scales: {
        x: { type: 'linear', min: xMin, max: xMax, title: { display: true, text: PARAM_AXIS[sweep.param], font: { size: 16 } } },
        y: { type: 'linear', title: { display: true, text: spec.yLabel, font: { size: 16 } } },
      },
      plugins: {
        title: { display: true, text: `${spec.title}: ${spec.metrics.join(', ')} versus ${sweep.param}`, font: { size: 20 } },
        legend: { display: true, position: 'bottom', labels: { font: { size: 11 }, boxWidth: 24 } },
      },
    },
  };
}

/** Writes the paper row name at the right end of every dashed reference line, and paints a white background. */
const referenceLabels: Plugin<'line'> = {
  id: 'mmduetReferenceLabels',
  beforeDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.font = '11px sans-serif';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'bottom';
    chart.data.datasets.forEach((ds, i) => {
      if (!ds.borderDash && (ds as { showLine?: boolean }).showLine !== false) return;
      const meta = chart.getDatasetMeta(i);
      const end = meta.data[meta.data.length - 1];
      if (!end || meta.hidden) return;
      ctx.fillStyle = String(ds.borderColor);
      // Lines are labelled at their right end; a point in the left half is labelled to its right so it is not cut off.
      const leftHalf = (ds as { showLine?: boolean }).showLine === false && end.x < (chart.chartArea.left + chart.chartArea.right) / 2;
      ctx.textAlign = leftHalf ? 'left' : 'right';
      ctx.fillText(String(ds.label).split(':')[0]!, leftHalf ? end.x + 8 : end.x - 4, end.y - 2);
    });
    ctx.restore();
  },
};

let registered = false;

/** Renders one chart configuration to PNG bytes. */
export async function renderChartPng(config: ChartConfiguration<'line', XY[]>, width = PLOT_WIDTH, height = PLOT_HEIGHT): Promise<Buffer> {
  if (!registered) {
    Chart.register(...registerables);
    registered = true;
  }
  const canvas = createCanvas(width, height);
  // chart.js accepts any 2D context; @napi-rs/canvas's is API-compatible but typed separately.
  const chart = new Chart(canvas.getContext('2d') as unknown as CanvasRenderingContext2D, { ...config, plugins: [referenceLabels] });
  try {
    chart.draw();
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}

/** Writes one PNG per plot spec of the sweep's benchmark into `outDir`; returns the paths. */
export async function plotSweep(sweep: SweepFile, outDir: string): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const specs = PLOT_SPECS[sweep.benchmark] ?? [];
  const files: string[] = [];
  for (const spec of specs) {
    if (!sweep.rows.some((r) => spec.metrics.some((m) => typeof r.metrics[m] === 'number'))) continue;
    const file = join(outDir, `${sweep.param}-${spec.name}.png`);
    writeFileAtomic(file, await renderChartPng(sweepChartConfig(sweep, spec)));
    files.push(file);
  }
  return files;
}
