import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareResults, parseTolerances, runReport } from '../src/report/index.js';
import { renderJunit } from '../src/report/reporters/junit.js';
import { renderMarkdown } from '../src/report/reporters/markdown.js';
import { repoRoot } from './helpers/golden.js';
import { comparable, itemsOf, writeResult, type FixtureOptions } from './report-fixtures.js';

/** MAGQA-like results: 24 items, 3 per video; in-span on 1..5 and # turns are item means. */
function magqa(inSpan: (i: number) => number, turns: (i: number) => number = (i) => 10 + (i % 4), extra: Partial<FixtureOptions> = {}): FixtureOptions {
  return {
    items: itemsOf(24, 3, (i) => ({ in_span: inSpan(i), '# turns': turns(i) })),
    itemMeanMetrics: { in_span: 1, '# turns': 1 },
    ...extra,
  };
}

const baseScore = (i: number) => 1 + ((i * 7) % 9) / 2;
const baseline = magqa(baseScore);
const unchanged = magqa(baseScore, undefined, { predictions: 'pred-2222' });
// Every item loses 0.5 plus a little video-dependent wobble: a real regression.
const regressed = magqa((i) => baseScore(i) - 0.5 + (Math.floor(i / 3) % 3) * 0.05, (i) => 12 + (i % 4), { toolkit: '0.2.0', predictions: 'pred-3333' });
// Videos alternately gain 0.4 and lose 0.45: the mean drops by 0.025, well inside the noise.
const noisy = magqa((i) => baseScore(i) + (Math.floor(i / 3) % 2 === 0 ? 0.4 : -0.45), undefined, { predictions: 'pred-4444' });

const dir = mkdtempSync(join(tmpdir(), 'mmduet-report-'));
const files = {
  baseline: writeResult(dir, 'baseline.json', baseline),
  unchanged: writeResult(dir, 'unchanged.json', unchanged),
  regressed: writeResult(join(dir, 'run-regressed'), 'result.json', regressed),
  noisy: writeResult(dir, 'noisy.json', noisy),
  otherGold: writeResult(dir, 'other-gold.json', { ...regressed, gold: 'gold-bbbb' }),
};
const runDir = join(dir, 'run-regressed');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runReport scenarios', () => {
  it('no change: clean, exit 0 even with --fail-on-regression', () => {
    const out = runReport({ baseline: files.baseline, current: files.unchanged, failOnRegression: true });
    expect(out.exitCode).toBe(0);
    expect(out.comparison.rows.map((r) => [r.metric, r.status])).toEqual([
      ['# turns', 'informational'],
      ['in_span', 'unchanged'],
    ]);
    expect(out.comparison.rows[1]!.ci).toMatchObject({ low: 0, high: 0, items: 24, clusters: 8 });
    expect(out.text.split('\n')[0]).toBe('## :white_check_mark: mmduet report: no regression (magqa, protocol mmduet)');
  });

  it('a real regression: CI excludes zero; exit 1 only with --fail-on-regression; a run directory stands for its result.json', () => {
    const out = runReport({ baseline: files.baseline, current: runDir, failOnRegression: true });
    const row = out.comparison.rows.find((r) => r.metric === 'in_span')!;
    expect(out.exitCode).toBe(1);
    expect(row).toMatchObject({ status: 'regression', decidedBy: 'ci', failing: true });
    // Baseline mean 48/24 = 3 (two full cycles of (7i mod 9)/2 plus 0,7,5,3,1,8 over 2, plus 1 each).
    // Mean delta: -0.5 + 0.05 x mean over 8 videos of (video mod 3) = -0.5 + 0.05 x 7/8 = -0.45625.
    expect(row.baseline).toBe(3);
    expect(row.delta).toBeCloseTo(-0.45625, 12);
    expect(row.ci!.mean).toBeCloseTo(row.delta!, 12);
    expect(row.ci!.low).toBeGreaterThanOrEqual(-0.5);
    expect(row.ci!.high).toBeLessThanOrEqual(-0.4);
    expect(out.comparison.baselineFile).toBe(files.baseline);
    expect(out.comparison.currentFile).toBe(join(runDir, 'result.json'));
    expect(runReport({ baseline: files.baseline, current: runDir }).exitCode).toBe(0);
    // A tolerance larger than the drop turns it into "within tolerance".
    expect(runReport({ baseline: files.baseline, current: runDir, failOnRegression: true, tolerances: ['in_span=0.5'] }).exitCode).toBe(0);
  });

  it('a change inside the noise: the CI crosses zero, no regression', () => {
    const out = runReport({ baseline: files.baseline, current: files.noisy, failOnRegression: true });
    const row = out.comparison.rows.find((r) => r.metric === 'in_span')!;
    expect(out.exitCode).toBe(0);
    expect(row.delta).toBeCloseTo(-0.025, 12);
    expect(row.status).toBe('within-noise');
    expect(row.ci!.low).toBeLessThan(0);
    expect(row.ci!.high).toBeGreaterThan(0);
  });

  it('a gold-data mismatch is refused; with --allow-mismatch it is compared with a warning and a line in the report', () => {
    expect(() => runReport({ baseline: files.baseline, current: files.otherGold })).toThrow(
      `${files.baseline} and ${files.otherGold} are not comparable: gold data sha256 gold-aaaa (baseline) vs gold-bbbb (current) (pass --allow-mismatch to compare anyway)`,
    );
    const out = runReport({ baseline: files.baseline, current: files.otherGold, allowMismatch: true });
    const warning = 'results are not comparable, compared anyway (--allow-mismatch): gold data sha256 gold-aaaa (baseline) vs gold-bbbb (current)';
    expect(out.warnings).toEqual([warning]);
    expect(out.text).toContain(`> :warning: **Warning:** ${warning}`);
  });

  it('input errors name the file', () => {
    expect(() => runReport({ baseline: files.baseline, current: dir })).toThrow(`${dir}: expected a run directory containing result.json (written by mmduet eval), found none`);
    expect(() => runReport({ baseline: join(dir, 'nope.json'), current: files.noisy })).toThrow(`${join(dir, 'nope.json')}: file not found`);
    expect(() => parseTolerances(['CIDEr'])).toThrow('--tolerance: expected METRIC=DELTA with a non-negative number (or *=DELTA for all metrics), found "CIDEr"');
    expect(() => parseTolerances(['CIDEr=-1'])).toThrow('found "CIDEr=-1"');
    expect(parseTolerances(['R@IoU=0.5=0.25', '*=1'])).toEqual({ 'R@IoU=0.5': 0.25, '*': 1 });
  });

  it('github: annotations on stdout, markdown appended to $GITHUB_STEP_SUMMARY, report to --out', () => {
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    const out = runReport({ baseline: files.baseline, current: runDir, format: 'github', out: join(dir, 'report.md'), env: { GITHUB_STEP_SUMMARY: summary } });
    const lines = out.text.split('\n');
    expect(lines[0]).toBe(
      '::error title=Regression in in_span (magqa)::in_span 3.000 -> 2.544 (-0.456, 95%25 CI [-0.481, -0.431])',
    );
    expect(lines[1]).toBe(`mmduet report magqa (protocol mmduet): 1 failing metric (in_span) (report written to ${join(dir, 'report.md')})`);
    const written = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(readFileSync(summary, 'utf8')).toBe(`# earlier step\n${written}\n`);
  });

  it('json: the full comparison, unrounded', () => {
    const out = runReport({ baseline: files.baseline, current: files.noisy, format: 'json', resamples: 500, seed: 3 });
    const parsed = JSON.parse(out.text);
    expect(parsed).toMatchObject({ format: 'mmduet-report', version: 1, benchmark: 'magqa', bootstrap: { seed: 3, resamples: 500, level: 0.95, clusteredByVideo: true } });
    expect(parsed.rows[1].delta).toBeCloseTo(-0.025, 12);
  });

  it('the same seed gives the same report; another seed another interval', () => {
    const a = runReport({ baseline: files.baseline, current: files.noisy, format: 'json' }).text;
    expect(runReport({ baseline: files.baseline, current: files.noisy, format: 'json' }).text).toBe(a);
    expect(runReport({ baseline: files.baseline, current: files.noisy, format: 'json', seed: 2 }).text).not.toBe(a);
  });
});

describe('report snapshots', () => {
  const comparison = compareResults(comparable(baseline, 'ci/baseline.json'), comparable(regressed, 'runs/ci/result.json'), {
    tolerances: { '*': 0.01 },
    allowMismatch: false,
    seed: 1,
    resamples: 10000,
    top: 2,
  });

  it('markdown', () => {
    expect(renderMarkdown(comparison)).toMatchInlineSnapshot(`
      "## :x: mmduet report: 1 failing metric (magqa, protocol mmduet)

      - **in_span 3.000 -> 2.544 (-0.456, 95% CI [-0.481, -0.431])**

      | metric | baseline | current | delta | 95% CI of delta | status |
      | --- | ---: | ---: | ---: | --- | --- |
      | # turns | 11.500 | 13.500 | +2.000 | [+2.000, +2.000] | info only |
      | in_span | 3.000 | 2.544 | -0.456 | [-0.481, -0.431] | :x: **REGRESSION** |

      - Delta = current - baseline. A regression is a drop larger than the tolerance whose 95% CI excludes 0; without per-item values the drop beyond the tolerance alone decides.
      - CI: paired bootstrap of the mean per-item delta, 10000 resamples, seed 1, percentile interval; resampling unit: video (perItemVideo).
      - CI of the metric itself (the metric is the mean of its per-item values): # turns, in_span.
      - Tolerances (allowed drop): in_span 0.010; others 0.
      - Descriptive, never judged: # turns.
      - Toolkit 0.1.0 -> 0.2.0.

      <details><summary>Most-changed items per metric</summary>

      | metric | item | video | baseline | current | delta |
      | --- | --- | --- | ---: | ---: | ---: |
      | in_span | v00.0 | v00 | 1.000 | 0.500 | -0.500 |
      | in_span | v00.1 | v00 | 4.500 | 4.000 | -0.500 |
      | # turns | v00.0 | v00 | 10.000 | 12.000 | +2.000 |
      | # turns | v00.1 | v00 | 11.000 | 13.000 | +2.000 |

      </details>

      <sub>baseline: ci/baseline.json · current: runs/ci/result.json</sub>
      "
    `);
  });

  it('junit', () => {
    expect(renderJunit(comparison)).toMatchInlineSnapshot(`
      "<?xml version="1.0" encoding="UTF-8"?>
      <testsuites name="mmduet report" tests="2" failures="1">
        <testsuite name="mmduet report: magqa (protocol mmduet)" tests="2" failures="1" errors="0" skipped="0">
          <properties>
            <property name="baseline" value="ci/baseline.json"/>
            <property name="current" value="runs/ci/result.json"/>
          </properties>
          <testcase classname="mmduet.magqa" name="# turns">
            <system-out># turns 11.500 -&gt; 13.500 (+2.000, 95% CI [+2.000, +2.000]): info only</system-out>
          </testcase>
          <testcase classname="mmduet.magqa" name="in_span">
            <failure type="regression" message="in_span 3.000 -&gt; 2.544 (-0.456, 95% CI [-0.481, -0.431])">in_span 3.000 -&gt; 2.544 (-0.456, 95% CI [-0.481, -0.431])
      Most-changed items:
      item v00.0 (video v00): 1.000 -&gt; 0.500 (-0.500)
      item v00.1 (video v00): 4.500 -&gt; 4.000 (-0.500)</failure>
          </testcase>
          <system-out>Delta = current - baseline. A regression is a drop larger than the tolerance whose 95% CI excludes 0; without per-item values the drop beyond the tolerance alone decides.
      CI: paired bootstrap of the mean per-item delta, 10000 resamples, seed 1, percentile interval; resampling unit: video (perItemVideo).
      CI of the metric itself (the metric is the mean of its per-item values): # turns, in_span.
      Tolerances (allowed drop): in_span 0.010; others 0.
      Descriptive, never judged: # turns.
      Toolkit 0.1.0 -&gt; 0.2.0.</system-out>
        </testsuite>
      </testsuites>
      "
    `);
  });
});

describe('built CLI exit codes', () => {
  const cli = join(repoRoot, 'bin', 'run.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'report', ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, GITHUB_STEP_SUMMARY: '' } });

  beforeAll(() => {
    // `npm test` builds first (pretest); rebuilding here would rewrite dist/ under other running test files.
    expect(existsSync(join(repoRoot, 'dist', 'commands', 'report.js'))).toBe(true);
  });

  it('0 clean, 1 regression with --fail-on-regression, 0 without it', () => {
    expect(run('--baseline', files.baseline, '--current', files.unchanged, '--fail-on-regression').status).toBe(0);
    const failing = run('--baseline', files.baseline, '--current', runDir, '--fail-on-regression', '--format', 'junit');
    expect(failing.status).toBe(1);
    expect(failing.stdout).toContain('<failure type="regression" message="in_span 3.000 -&gt; 2.544 (-0.456');
    expect(run('--baseline', files.baseline, '--current', runDir).status).toBe(0);
  });

  it('2 for a mismatch, a missing file, a bad tolerance and a missing flag', () => {
    const mismatch = run('--baseline', files.baseline, '--current', files.otherGold);
    expect(mismatch.status).toBe(2);
    expect(mismatch.stderr.replace(/\s+›\s+/g, ' ')).toContain('not comparable: gold data sha256 gold-aaaa (baseline) vs gold-bbbb (current)');
    const allowed = run('--baseline', files.baseline, '--current', files.otherGold, '--allow-mismatch');
    expect(allowed.status).toBe(0);
    expect(allowed.stderr).toContain('Warning');
    expect(run('--baseline', join(dir, 'nope.json'), '--current', files.noisy).status).toBe(2);
    expect(run('--baseline', files.baseline, '--current', files.noisy, '--tolerance', 'nonsense').status).toBe(2);
    expect(run('--baseline', files.baseline).status).toBe(2);
  });
});
