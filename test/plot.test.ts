import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { sweepChartConfig, renderChartPng, PLOT_SPECS, writeSweep, replot, type SweepFile } from '../src/sweep/index.js';
import { paperReferences, TABLE2 } from '../src/paper/tables.js';

function sweepOf(benchmark: string, param: SweepFile['param'], rows: [number, Record<string, number | null>][]): SweepFile {
  return {
    format: 'mmduet-eval-sweep/1',
    toolkit_version: 'test',
    created_at: '',
    benchmark,
    param,
    rows: rows.map(([value, metrics]) => ({ value, metrics, counts: {}, seconds: 0, notes: [] })),
    reused: 'no model call',
    model_calls: { scoring_passes: 0, generations: 0 },
    source: {},
    notes: [],
  };
}

const charades = sweepOf('charades-sta', 'w', [
  [0, { 'R1@0.3': 50, 'R1@0.5': 40, 'R1@0.7': 15, mIoU: 35 }],
  [6, { 'R1@0.3': 55, 'R1@0.5': 42.4, 'R1@0.7': 18, mIoU: 38 }],
  [14, { 'R1@0.3': 52, 'R1@0.5': 41, 'R1@0.7': null, mIoU: 36 }],
]);

describe('paper tables', () => {
  it('reference rows come from Tables 2–4 and skip "–" cells', () => {
    expect(TABLE2.rows['LLaVA-OV-VT']).toEqual([19.0, 40.0, 36.5, 12.3]);
    expect(paperReferences('charades-sta', 'R1@0.5').map((r) => `${r.model}=${r.value}`)).toEqual([
      'TimeChat=32.2', 'VTimeLLM=31.2', 'HawkEye=31.4', 'VTG-LLM=33.8', 'LLaVA-OV-TC=33.1', 'LLaVA-OV-VT=36.5', 'MMDuet=42.4',
    ]);
    expect(paperReferences('qvhighlights', 'HL-min-VeryGood-mAP').map((r) => r.model)).toEqual(['TimeChat', 'VTG-LLM', 'LLaVA-OV-TC', 'LLaVA-OV-VT', 'MMDuet']);
    expect(paperReferences('youcook2', 'CIDEr').find((r) => r.model === 'MMDuet + rm. prev. resp.')).toMatchObject({ value: 8.8, self: true, table: 'table3' });
    expect(paperReferences('magqa', 'turns').map((r) => r.value)).toEqual([3.4, 5.4, 13.7, 18.4, 23.0, 27.0]);
    expect(paperReferences('charades-sta', 'mIoU')).toEqual([]);
  });
});

describe('sweep chart configuration', () => {
  it('a MAGQA t sweep shows the paper\'s per-t MMDuet rows as points at their t, baselines as lines', () => {
    const magqa = sweepOf('magqa', 't', [
      [0.3, { turns: 20 }],
      [0.6, { turns: 10 }],
    ]);
    const config = sweepChartConfig(magqa, { name: 't', title: 'MAGQA', metrics: ['turns'], yLabel: 'turns' });
    const ds = config.data.datasets;
    const at05 = ds.find((d) => String(d.label).startsWith('MMDuet t=0.5'))!;
    expect(at05.data).toEqual([{ x: 0.5, y: 18.4 }]);
    expect((at05 as { showLine?: boolean }).showLine).toBe(false);
    const vt = ds.find((d) => String(d.label).startsWith('LLaVA-OV-VT'))!;
    expect(vt.data).toEqual([
      { x: 0.3, y: 5.4 },
      { x: 0.6, y: 5.4 },
    ]);
  });

  it('one series per metric, dashed paper lines across the swept range, labelled axes', () => {
    const spec = { name: 'r', title: 'Charades-STA', metrics: ['R1@0.5', 'R1@0.7'], yLabel: 'score (%)' };
    const config = sweepChartConfig(charades, spec);
    const summary = config.data.datasets.map((d) => `${d.label} | ${JSON.stringify(d.data.map((p) => [p.x, p.y]))}${d.borderDash ? ' dashed' : ''}`);
    expect(summary).toMatchInlineSnapshot(`
      [
        "R1@0.5 (this run) | [[0,40],[6,42.4],[14,41]]",
        "TimeChat: R1@0.5 = 32.2 (paper table2) | [[0,32.2],[14,32.2]] dashed",
        "VTimeLLM: R1@0.5 = 31.2 (paper table2) | [[0,31.2],[14,31.2]] dashed",
        "HawkEye: R1@0.5 = 31.4 (paper table2) | [[0,31.4],[14,31.4]] dashed",
        "VTG-LLM: R1@0.5 = 33.8 (paper table2) | [[0,33.8],[14,33.8]] dashed",
        "LLaVA-OV-TC: R1@0.5 = 33.1 (paper table2) | [[0,33.1],[14,33.1]] dashed",
        "LLaVA-OV-VT: R1@0.5 = 36.5 (paper table2) | [[0,36.5],[14,36.5]] dashed",
        "MMDuet: R1@0.5 = 42.4 (paper table2) | [[0,42.4],[14,42.4]] dashed",
        "R1@0.7 (this run) | [[0,15],[6,18],[14,null]]",
        "TimeChat: R1@0.7 = 13.4 (paper table2) | [[0,13.4],[14,13.4]] dashed",
        "VTimeLLM: R1@0.7 = 11.4 (paper table2) | [[0,11.4],[14,11.4]] dashed",
        "HawkEye: R1@0.7 = 14.5 (paper table2) | [[0,14.5],[14,14.5]] dashed",
        "VTG-LLM: R1@0.7 = 15.7 (paper table2) | [[0,15.7],[14,15.7]] dashed",
        "LLaVA-OV-TC: R1@0.7 = 12.4 (paper table2) | [[0,12.4],[14,12.4]] dashed",
        "LLaVA-OV-VT: R1@0.7 = 12.3 (paper table2) | [[0,12.3],[14,12.3]] dashed",
        "MMDuet: R1@0.7 = 18 (paper table2) | [[0,18],[14,18]] dashed",
      ]
    `);
    const scales = config.options!.scales as Record<string, { title: { text: string } }>;
    expect(scales.x!.title.text).toBe('smoothing window w (frames each side)');
    expect(scales.y!.title.text).toBe('score (%)');
    expect(config.options!.responsive).toBe(false);
  });
});

async function decoded(png: Buffer) {
  const img = await loadImage(png);
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return { img, pixels: ctx.getImageData(0, 0, img.width, img.height).data };
}

describe('PNG rendering', () => {
  it('renders a 1200x800 PNG with the series colours on a white background', async () => {
    const png = await renderChartPng(sweepChartConfig(charades, PLOT_SPECS['charades-sta']![0]!));
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    const { img, pixels } = await decoded(png);
    expect([img.width, img.height]).toEqual([1200, 800]);
    let white = 0;
    let blue = 0;
    let red = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      const [r, g, b] = [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!];
      if (r === 255 && g === 255 && b === 255) white++;
      if (r === 0x1f && g === 0x77 && b === 0xb4) blue++;
      if (r === 0xd6 && g === 0x27 && b === 0x28) red++;
    }
    const total = pixels.length / 4;
    expect(white / total).toBeGreaterThan(0.5); // background painted white, not transparent
    expect(white).toBeLessThan(total);
    expect(blue).toBeGreaterThan(500); // R1@0.3 line and markers
    expect(red).toBeGreaterThan(500); // R1@0.5 line and markers
  });

  it('mmduet plot re-renders the PNGs of a written sweep', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plot-'));
    const written = await writeSweep(dir, charades);
    expect(written.plots).toEqual([join(dir, 'w-recall.png')]);
    const again = await replot(written.json, join(dir, 'again'));
    expect(again).toEqual([join(dir, 'again', 'w-recall.png')]);
    const { img } = await decoded(await readFile(again[0]!));
    expect(img.width).toBe(1200);
    await expect(replot(written.csv)).rejects.toThrow(/expected|JSON/);
  });
});
